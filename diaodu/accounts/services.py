"""Account writes: logins and logouts (audited), users and roles, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.accounts import lockout, otp
from diaodu.accounts.models import ApiToken, Role, ThrottleScope, User
from diaodu.accounts.passwords import password_expired
from diaodu.accounts.scope import (
    ADMIN_PERMS,
    Perm,
    forget_cached_scope,
    has_perm,
    require_perm,
    separation_problem,
)
from diaodu.audit.models import AuditAction
from diaodu.audit.services import record, snapshot
from diaodu.core import fieldcrypt
from diaodu.core.request_context import current_request_context

# Session keys of the login flow.
PENDING_KEY = (
    "diaodu_pending_login"  # {"user_id", "backend", "at", "username"}: password ok, second factor due
)
NEW_SECRET_KEY = "diaodu_otp_new_secret"  # a TOTP secret being enrolled, until its first code is proved
MUST_CHANGE_KEY = "diaodu_must_change_password"  # set at login: initial or expired password
LOGIN_AT_KEY = "diaodu_login_at"  # epoch seconds of the login, for the absolute session lifetime
PENDING_SECONDS = 5 * 60


class LoginError(Exception):
    pass


class Step(StrEnum):
    """What the login page does next after a correct password."""

    DONE = "done"  # logged in
    VERIFY = "verify"  # ask for the TOTP code
    ENROL = "enrol"  # an administrator without a second factor must bind one first


def requires_second_factor(user: Any) -> bool:
    """The three administrators (三员) must use TOTP; anyone who enrolled one uses it too."""
    if getattr(user, "has_second_factor", False):
        return True
    return bool(settings.DIAODU_OTP_REQUIRED_FOR_ADMINS) and any(has_perm(user, p) for p in ADMIN_PERMS)


def _address(request: HttpRequest) -> str:
    return current_request_context().ip_address or request.META.get("REMOTE_ADDR") or "unknown"


def _lock_message(minutes: int, scope: ThrottleScope) -> str:
    if scope == ThrottleScope.ADDRESS:
        return _("该地址连续登录失败次数过多，已暂停登录，请%(minutes)d分钟后再试或联系安全管理员。") % {
            "minutes": minutes
        }
    return _("连续登录失败次数过多，账号已锁定，请%(minutes)d分钟后再试或联系安全管理员。") % {
        "minutes": minutes
    }


def _check_locks(request: HttpRequest, username: str, now: dt.datetime, account: User | None) -> None:
    for scope, key in ((ThrottleScope.ACCOUNT, username), (ThrottleScope.ADDRESS, _address(request))):
        minutes = lockout.locked_for(scope, key, now)
        if minutes:
            record(
                actor=None,
                actor_name=username[:150],
                action=AuditAction.LOGIN_FAILED,
                success=False,
                object_type="accounts.user",
                object_id=str(account.pk) if account else "",
                reason=_("账号已锁定") if scope == ThrottleScope.ACCOUNT else _("来源地址已锁定"),
            )
            raise LoginError(_lock_message(minutes, scope))


def _fail(request: HttpRequest, username: str, now: dt.datetime, account: User | None, reason: str) -> None:
    """Count a failure against the name and the address, audit it, and raise the message to show."""
    with transaction.atomic():
        account_locked = lockout.register_failure(ThrottleScope.ACCOUNT, username, now)
        address_locked = lockout.register_failure(ThrottleScope.ADDRESS, _address(request), now)
        if account_locked or address_locked:
            reason = _("%(reason)s，已锁定") % {"reason": reason}
        record(
            actor=None,
            actor_name=username[:150],
            action=AuditAction.LOGIN_FAILED,
            success=False,
            object_type="accounts.user",
            object_id=str(account.pk) if account else "",
            reason=reason,
        )
    minutes = settings.DIAODU_LOCKOUT_MINUTES
    if account_locked:
        raise LoginError(_lock_message(minutes, ThrottleScope.ACCOUNT))
    if address_locked:
        raise LoginError(_lock_message(minutes, ThrottleScope.ADDRESS))


def login_user(request: HttpRequest, username: str, password: str) -> Step:
    """Check the password (with lockout per account name and per source address, audited).

    Returns :attr:`Step.DONE` when the user is now logged in, or the second-factor step still due; the
    Django session is only created once every factor has passed (:func:`complete_login`).
    """
    username = username.strip()[:150]
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    _check_locks(request, username, now, account)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _fail(request, username, now, account, _("用户名或密码错误"))
        raise LoginError(_("用户名或密码错误。"))
    lockout.clear(ThrottleScope.ACCOUNT, username)
    if requires_second_factor(user):
        request.session.cycle_key()
        request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": getattr(user, "backend", ""),
            "at": int(time.time()),
            "username": user.username,
        }
        return Step.VERIFY if user.has_second_factor else Step.ENROL
    complete_login(request, user)
    return Step.DONE


def pending_user(request: HttpRequest) -> User | None:
    """The user whose password was accepted and whose second factor is due (within 5 minutes)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]  # type: ignore[attr-defined] # what login() needs
    return user


def complete_login(request: HttpRequest, user: User, *, second_factor: bool = False) -> None:
    """Create the session (audited) and note whether the password must be changed first."""
    with transaction.atomic():
        request.session.pop(PENDING_KEY, None)
        request.session.pop(NEW_SECRET_KEY, None)
        login(request, user)
        record(
            actor=user,
            action=AuditAction.LOGIN,
            obj=user,
            org_unit_id=user.org_unit_id,
            reason=_("口令+动态口令") if second_factor else "",
        )
    request.session[LOGIN_AT_KEY] = int(time.time())
    if must_change_password(user):
        request.session[MUST_CHANGE_KEY] = True


def must_change_password(user: User) -> bool:
    return user.must_change_password or password_expired(
        user.password_changed_at, timezone.now(), settings.DIAODU_PASSWORD_MAX_AGE_DAYS
    )


def _check_code(user: User, secret: str, code: str) -> int | None:
    return otp.matching_counter(secret, code, last_counter=user.totp_last_counter, now=timezone.now())


def verify_second_factor(request: HttpRequest, code: str) -> User:
    """Check the TOTP code of the pending login; wrong codes count towards the lockout like wrong passwords."""
    user = pending_user(request)
    if user is None or not user.has_second_factor:
        raise LoginError(_("登录已过期，请重新输入用户名和密码。"))
    now = timezone.now()
    _check_locks(request, user.username, now, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        counter = _check_code(locked, locked.totp_secret, code)
        if counter is not None:
            locked.totp_last_counter = counter
            locked.save(update_fields=["totp_last_counter"])
    if counter is None:
        _fail(request, user.username, now, user, _("动态口令错误"))
        raise LoginError(_("动态口令错误或已使用，请输入验证器当前显示的6位数字。"))
    lockout.clear(ThrottleScope.ACCOUNT, user.username)
    locked.backend = getattr(user, "backend", "")  # type: ignore[attr-defined]
    complete_login(request, locked, second_factor=True)
    return locked


def _session_secret(request: HttpRequest) -> str | None:
    token = request.session.get(NEW_SECRET_KEY)
    if not token:
        return None
    try:
        return fieldcrypt.decrypt(str(token))
    except fieldcrypt.FieldKeyError:  # the key changed meanwhile: enrol afresh
        return None


def enrolment_secret(request: HttpRequest) -> str:
    """The secret being enrolled in this session (made on first call; encrypted in the session store too)."""
    secret = _session_secret(request)
    if not secret:
        secret = otp.new_secret()
        request.session[NEW_SECRET_KEY] = fieldcrypt.encrypt(secret)
    return secret


def enrol_second_factor(request: HttpRequest, user: User, code: str) -> None:
    """Bind the session's new secret to ``user`` once a first code from it is proved (audited)."""
    secret = _session_secret(request)
    if not secret:
        raise LoginError(_("绑定已过期，请刷新页面重新扫码。"))
    now = timezone.now()
    counter = otp.matching_counter(secret, code, last_counter=None, now=now)
    if counter is None:
        if not request.user.is_authenticated:  # during login: a wrong code is a failed login attempt
            _fail(request, user.username, now, user, _("动态口令绑定校验失败"))
        raise LoginError(_("动态口令错误，请输入验证器当前显示的6位数字。"))
    with transaction.atomic():
        rebind = user.has_second_factor
        user.totp_secret = secret
        user.totp_confirmed_at = now
        user.totp_last_counter = counter
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_counter"])
        record(
            actor=user,
            action=AuditAction.OTP,
            obj=user,
            org_unit_id=user.org_unit_id,
            reason=_("重新绑定动态口令") if rebind else _("绑定动态口令"),
        )
    request.session.pop(NEW_SECRET_KEY, None)


@transaction.atomic
def reset_second_factor(*, actor: Any, user: User) -> None:
    """The security administrator unbinds a lost authenticator; the user binds a new one at next login."""
    require_perm(actor, Perm.MANAGE_ACCOUNTS)
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, totp_last_counter=None)
    record(
        actor=actor, action=AuditAction.OTP, obj=user, org_unit_id=user.org_unit_id, reason=_("重置动态口令")
    )


@transaction.atomic
def unlock_account(*, actor: Any, username: str) -> None:
    require_perm(actor, Perm.MANAGE_ACCOUNTS)
    lockout.clear(ThrottleScope.ACCOUNT, username)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="accounts.user",
        object_repr=username,
        reason=_("解除登录锁定"),
    )


def change_password(request: HttpRequest, *, old_password: str, new_password: str) -> None:
    """The user changes their own password (validated: length, classes, history); audited, no hashes."""
    user = request.user
    assert isinstance(user, User)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password1": _("新密码不能与原密码相同。")})
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save()
        record(
            actor=user,
            action=AuditAction.PASSWORD,
            obj=user,
            org_unit_id=user.org_unit_id,
            reason=_("本人修改密码"),
        )
    update_session_auth_hash(request, user)
    request.session.pop(MUST_CHANGE_KEY, None)


def logout_user(request: HttpRequest, *, reason: str = "") -> None:
    user = request.user
    if user.is_authenticated:
        record(actor=user, action=AuditAction.LOGOUT, obj=user, org_unit_id=user.org_unit_id, reason=reason)
    logout(request)


def _check_separation(roles: list[Role]) -> None:
    problem = separation_problem(p for role in roles for p in role.permissions)
    if problem:
        raise ValidationError({"roles": problem})


USER_FIELDS = ("username", "full_name", "title", "org_unit", "is_active")


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str,
    org_unit: Any,
    roles: list[Role],
    title: str = "",
    check_actor: bool = True,
    must_change_password: bool | None = None,
) -> User:
    """Create an account. Only the security administrator may do this (三员分立).

    The password the administrator chose is an initial password: the user must change it at first login
    (``must_change_password``, default on). Only the demo accounts (``check_actor=False``) skip that.
    """
    if check_actor:
        require_perm(actor, Perm.MANAGE_ACCOUNTS)
    if must_change_password is None:
        must_change_password = check_actor
    _check_separation(roles)
    user = User(
        username=username,
        full_name=full_name,
        org_unit=org_unit,
        title=title,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    after = snapshot(user, USER_FIELDS) | {"roles": sorted(r.code for r in roles)}
    record(actor=actor, action=AuditAction.CREATE, obj=user, org_unit_id=user.org_unit_id, after=after)
    return user


@transaction.atomic
def set_roles(*, actor: Any, user: User, roles: list[Role]) -> None:
    require_perm(actor, Perm.MANAGE_ACCOUNTS)
    _check_separation(roles)
    before = sorted(user.roles.values_list("code", flat=True))
    user.roles.set(roles)
    forget_cached_scope(user)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        org_unit_id=user.org_unit_id,
        before={"roles": before},
        after={"roles": sorted(r.code for r in roles)},
    )


@transaction.atomic
def issue_api_token(*, actor: Any, user: User, name: str) -> str:
    """Create a token for ``user`` (the user themself or the security administrator); returns the plain key."""
    if actor.pk != user.pk:
        require_perm(actor, Perm.MANAGE_ACCOUNTS)
    key = "dd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key))
    record(
        actor=actor,
        action=AuditAction.TOKEN,
        obj=token,
        org_unit_id=user.org_unit_id,
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return key


def user_for_token(key: str) -> User | None:
    from diaodu.accounts.backends import load_token  # one fixed statement: it runs on every API call

    token = load_token(ApiToken.hash_key(key))
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def ensure_default_roles(*, actor: Any = None) -> dict[str, Role]:
    """The built-in roles by code, creating any that are missing (migrations create them; a database that
    was emptied afterwards — a flushed test database, a restored partial backup — gets them back)."""
    from diaodu.accounts.roles import DEFAULT_ROLES

    roles = {r.code: r for r in Role.objects.all()}
    for seed in DEFAULT_ROLES:
        if seed.code in roles:
            continue
        role = Role.objects.create(
            code=seed.code,
            name=seed.name,
            permissions=[str(p) for p in seed.permissions],
            data_scope=str(seed.data_scope),
            description=seed.description,
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=role,
            after={"code": role.code, "permissions": role.permissions, "data_scope": role.data_scope},
        )
        roles[role.code] = role
    return roles
