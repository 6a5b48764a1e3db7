"""Document the API's error responses in the OpenAPI schema, so that clients (and schemathesis) know every status
an operation can answer: 401 not logged in, 403 not allowed, 404 not found or out of scope, 409 stale version
(writes), 413 body too large (writes), 422 invalid input. Bodies are ``{"detail": ...}`` (see diaodu/api.py)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"description": "中文错误信息，或 422 时的 [{loc, msg, type}] 列表"}},
}
ALWAYS = {
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "未找到或不在数据范围内",
    "422": "输入不合法",
}
WRITES = {"409": "版本冲突：数据已被他人修改（见 changed_by / change）", "413": "请求内容过大"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra = ALWAYS | (WRITES if method in WRITE_METHODS else {})
            for status, description in extra.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return schema


class DocumentedErrorsAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return add_error_responses(super().get_openapi_schema(*args, **kwargs))


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """handler404: paths under /api/ that match no operation (e.g. /api/actuals/-1) answer JSON like the API."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到")}, status=404)
    return page_not_found(request, exception)  # type: ignore[arg-type]
