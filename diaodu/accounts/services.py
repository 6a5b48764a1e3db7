"""Account writes: logins and logouts (audited), users and roles, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.accounts.models import ApiToken, Role, User
from diaodu.accounts.scope import Perm, forget_cached_scope, require_perm
from diaodu.audit.models import AuditAction
from diaodu.audit.services import record, snapshot

LOCK_MINUTES = 30


class LoginError(Exception):
    pass


def login_user(request: HttpRequest, username: str, password: str) -> User:
    """Authenticate and log in, recording success or failure; lock after repeated failures."""
    username = username.strip()
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    if account is not None and account.locked_until and account.locked_until > now:
        record(actor=None, actor_name=username, action=AuditAction.LOGIN_FAILED, success=False,
               object_type="accounts.user", object_id=str(account.pk), reason=_("账号已锁定"))
        raise LoginError(_("连续登录失败次数过多，账号已锁定，请%(minutes)d分钟后再试或联系安全管理员。")
                         % {"minutes": LOCK_MINUTES})
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            reason = _("用户名或密码错误")
            if account is not None:
                account.failed_logins += 1
                if account.failed_logins >= settings.DIAODU_LOCKOUT_THRESHOLD:
                    account.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                    reason = _("用户名或密码错误，账号已锁定")
                account.save(update_fields=["failed_logins", "locked_until"])
            record(actor=None, actor_name=username[:150], action=AuditAction.LOGIN_FAILED, success=False,
                   object_type="accounts.user", object_id=str(account.pk) if account else "", reason=reason)
        if account is not None and account.locked_until and account.locked_until > now:
            raise LoginError(_("连续登录失败次数过多，账号已锁定，请%(minutes)d分钟后再试或联系安全管理员。")
                             % {"minutes": LOCK_MINUTES})
        raise LoginError(_("用户名或密码错误。"))
    with transaction.atomic():
        if user.failed_logins or user.locked_until:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
        login(request, user)
        record(actor=user, action=AuditAction.LOGIN, obj=user, org_unit_id=user.org_unit_id)
    return user


def logout_user(request: HttpRequest, *, reason: str = "") -> None:
    user = request.user
    if user.is_authenticated:
        record(actor=user, action=AuditAction.LOGOUT, obj=user, org_unit_id=user.org_unit_id, reason=reason)
    logout(request)


USER_FIELDS = ("username", "full_name", "title", "org_unit", "is_active")


@transaction.atomic
def create_user(
    *, actor: Any, username: str, password: str, full_name: str, org_unit: Any, roles: list[Role],
    title: str = "", check_actor: bool = True,
) -> User:
    """Create an account. Only the security administrator may do this (三员分立)."""
    if check_actor:
        require_perm(actor, Perm.MANAGE_ACCOUNTS)
    user = User(username=username, full_name=full_name, org_unit=org_unit, title=title)
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    after = snapshot(user, USER_FIELDS) | {"roles": sorted(r.code for r in roles)}
    record(actor=actor, action=AuditAction.CREATE, obj=user, org_unit_id=user.org_unit_id, after=after)
    return user


@transaction.atomic
def set_roles(*, actor: Any, user: User, roles: list[Role]) -> None:
    require_perm(actor, Perm.MANAGE_ACCOUNTS)
    before = sorted(user.roles.values_list("code", flat=True))
    user.roles.set(roles)
    forget_cached_scope(user)
    record(actor=actor, action=AuditAction.UPDATE, obj=user, org_unit_id=user.org_unit_id,
           before={"roles": before}, after={"roles": sorted(r.code for r in roles)})


@transaction.atomic
def issue_api_token(*, actor: Any, user: User, name: str) -> str:
    """Create a token for ``user`` (the user themself or the security administrator); returns the plain key."""
    if actor.pk != user.pk:
        require_perm(actor, Perm.MANAGE_ACCOUNTS)
    key = "dd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key))
    record(actor=actor, action=AuditAction.TOKEN, obj=token, org_unit_id=user.org_unit_id,
           after={"user": user.username, "name": name, "prefix": token.prefix})
    return key


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
