"""API authentication (bearer token, session with CSRF) and the account endpoints: who am I, API tokens."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from diaodu.accounts import services
from diaodu.accounts.scope import user_perms


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; unknown or revoked tokens and inactive users are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class CsrfSessionAuth(SessionAuth):
    """ninja's ``django_auth`` (the session; CSRF enforced on unsafe methods), except that a request
    without any session cookie is plainly "not logged in" (401) rather than a CSRF failure."""

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key and self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("CSRF校验失败，请刷新页面后重试。"))
        return key


token_auth = TokenAuth()
session_auth = CsrfSessionAuth()

router = Router(tags=["账号"])


class MeOut(Schema):
    username: str
    full_name: str
    org_unit_code: str | None
    org_unit: str | None
    roles: list[str]
    permissions: list[str]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=64, description="令牌用途，例如“统计局月报导入脚本”")


class TokenOut(Schema):
    token: str = Field(..., description="令牌明文，仅此一次返回，请妥善保存")
    prefix: str
    name: str


@router.get(
    "/me", response=MeOut, url_name="me", summary="当前用户", description="当前用户的账号、单位、角色与权限。"
)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    unit = user.org_unit
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        org_unit_code=unit.code if unit else None,
        org_unit=unit.name if unit else None,
        roles=sorted(user.roles.values_list("code", flat=True)),
        permissions=sorted(user_perms(user)),
    )


@router.post(
    "/tokens",
    response={201: TokenOut},
    url_name="token_issue",
    summary="签发个人API令牌",
    description="为本人签发一个API令牌，明文只返回一次。只能在已登录的浏览器会话中签发（令牌不能再签发令牌）。",
    auth=session_auth,
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    user = request.auth  # type: ignore[attr-defined]
    key = services.issue_api_token(actor=user, user=user, name=payload.name.strip())
    return Status(201, TokenOut(token=key, prefix=key[:8], name=payload.name.strip()))
