"""Accounts: users belong to one org unit and hold roles; roles carry permissions and a data scope."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.accounts.scope import DataScope, Perm


class Role(models.Model):
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    permissions = models.JSONField(_("权限"), default=list, help_text=_("权限编码列表"))
    data_scope = models.CharField(_("数据范围"), max_length=16, choices=DataScope.choices, default=DataScope.UNIT)
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


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=32, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("角色"))
    title = models.CharField(_("职务"), max_length=64, blank=True)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

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
