"""The JSON API root (django-ninja); each app contributes a router. OpenAPI at /api/docs.

Authentication, tried in this order:

* ``Authorization: Bearer dd_…`` — a personal API token (``POST /api/tokens`` issues one; only its hash is stored);
* the Django session of a logged-in browser; unsafe methods then need the CSRF token (``X-CSRFToken`` header).

Errors are JSON ``{"detail": …}`` with Chinese messages: 401 not logged in, 403 not allowed, 404 not found or
outside the caller's data scope, 422 invalid input (``detail`` is a list of ``{"loc": [...], "msg": "..."}``).

Numbers: stored figures (target values, 累计值, 增速, 上年同期) are JSON *strings* holding exact decimals
("12.5"), so no float rounding creeps into money values; computed evaluation figures (completion_pct,
schedule_pct, points_ahead, actual, target) are JSON numbers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from diaodu.accounts.api import router as accounts_router
from diaodu.accounts.api import session_auth, token_auth
from diaodu.audit.models import AuditAction
from diaodu.audit.services import record
from diaodu.core.openapi_errors import DocumentedErrorsAPI
from diaodu.core.versioning import StaleVersion
from diaodu.orgunits.api import router as orgunits_router
from diaodu.plans.api import router as plans_router
from diaodu.projects.api import router as projects_router
from diaodu.supervision.api import router as supervision_router

api = DocumentedErrorsAPI(
    title="调度 Diaodu API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    auth=[token_auth, session_auth],
    docs_decorator=login_required,
)


def _error(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, _("未找到"), 404)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, _("未登录或令牌无效。"), 401)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("您无权执行此操作。")
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    # 等保: attempted access beyond one's rights is a security event.
    record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        success=False,
        object_type="api",
        object_repr=f"{request.method} {request.path}"[:200],
        reason=message,
        org_unit_id=getattr(user, "org_unit_id", None),
    )
    return _error(request, message, 403)


def _loc(request: HttpRequest, field: str) -> list[str]:
    if field == "__all__":
        return []
    return ["query" if request.method == "GET" else "body", field]


@api.exception_handler(StaleVersion)
def conflict(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    # No lost update: the client's version is stale; show whose change it would have overwritten.
    return api.create_response(request, exc.as_dict(), status=409)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = [
            {"loc": _loc(request, field), "msg": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"loc": [], "msg": message} for message in exc.messages]
    return _error(request, detail, 422)


# Chinese messages for the pydantic error types a client is likely to hit.
_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("此项为必填项。"),
    "int_parsing": gettext_lazy("请输入整数。"),
    "int_type": gettext_lazy("请输入整数。"),
    "decimal_parsing": gettext_lazy("请输入数字。"),
    "decimal_type": gettext_lazy("请输入数字。"),
    "float_parsing": gettext_lazy("请输入数字。"),
    "bool_parsing": gettext_lazy("请输入 true 或 false。"),
    "string_type": gettext_lazy("请输入文本。"),
    "string_too_long": gettext_lazy("内容过长。"),
    "string_too_short": gettext_lazy("内容过短。"),
    "greater_than_equal": gettext_lazy("数值过小。"),
    "less_than_equal": gettext_lazy("数值过大。"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON。"),
    "model_attributes_type": gettext_lazy("请求体格式不正确。"),
}


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": str(_PYDANTIC_MESSAGES[err["type"]])
            if err.get("type") in _PYDANTIC_MESSAGES
            else err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors
    ]
    return _error(request, detail, 422)


api.add_router("", accounts_router)
api.add_router("", orgunits_router)
api.add_router("", plans_router)
api.add_router("", projects_router)
api.add_router("", supervision_router)
