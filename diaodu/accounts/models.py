"""Accounts: users belong to one org unit and hold roles; roles carry permissions and a data scope."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.accounts.scope import DataScope, Perm, separation_problem
from diaodu.core.fieldcrypt import EncryptedCharField


class Role(models.Model):
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    permissions = models.JSONField(_("权限"), default=list, help_text=_("权限编码列表"))
    data_scope = models.CharField(
        _("数据范围"), max_length=16, choices=DataScope.choices, default=DataScope.UNIT
    )
    custom_units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="+", verbose_name=_("自定义单位")
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = set(self.permissions) - set(Perm.values)
        if unknown:
            raise ValidationError({"permissions": _("未知权限编码：%s") % "、".join(sorted(unknown))})
        problem = separation_problem(self.permissions)
        if problem:
            raise ValidationError({"permissions": problem})


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=32, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("角色"))
    title = models.CharField(_("职务"), max_length=64, blank=True)
    # 等保 password rules: initial passwords set by the security administrator must be changed at first
    # login; every password expires after DIAODU_PASSWORD_MAX_AGE_DAYS (see accounts.services.login_user).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    # TOTP second factor (RFC 6238, pyotp). The secret is set once the user has proved a first code; it is
    # stored encrypted (DIAODU_FIELD_KEY, diaodu/core/fieldcrypt.py). totp_last_counter refuses a code that was
    # already used (replay).
    totp_secret = EncryptedCharField(max_length=255, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(_("动态口令绑定时间"), null=True, blank=True, editable=False)
    totp_last_counter = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A real password change (not Django's transparent rehash, which clears _password first) is kept
        # in the history, so that the last few passwords cannot be reused.
        password_changed = getattr(self, "_password", None) is not None
        if password_changed:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)
        if password_changed:
            PasswordHistory.remember(self)

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A per-user token for scripts. Only a hash is stored; the plain token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (newest first), checked by PasswordHistoryValidator."""

    KEEP = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, user: User) -> None:
        from django.conf import settings

        keep = max(getattr(settings, "DIAODU_PASSWORD_HISTORY", cls.KEEP), 1)
        cls.objects.create(user=user, password=user.password)
        old = cls.objects.filter(user=user).order_by("-created_at", "-id").values_list("pk", flat=True)[keep:]
        cls.objects.filter(pk__in=list(old)).delete()


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("账号")
    ADDRESS = "address", _("来源地址")


class LoginThrottle(models.Model):
    """Recent failed logins of one account name or one source address, and the lock they caused.

    5 failures within 15 minutes lock the key for 30 minutes (settings DIAODU_LOCKOUT_*); see
    :mod:`diaodu.accounts.lockout`. Keyed by the name as typed, so unknown names are locked alike.
    """

    scope = models.CharField(max_length=8, choices=ThrottleScope.choices)
    key = models.CharField(max_length=150)
    failures = models.JSONField(default=list, help_text="ISO timestamps of failures in the current window")
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
