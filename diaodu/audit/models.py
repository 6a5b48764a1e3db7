"""The audit trail (审计日志): append-only; database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.audit import chain
from diaodu.core import dataversion
from diaodu.core.models import ChoiceLabels


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    SUBMIT = "submit", _("提交")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("审核通过")
    REOPEN = "reopen", _("重新打开")
    LOAD = "load", _("导入")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    TOKEN = "token", _("令牌")
    ACCESS_DENIED = "access_denied", _("越权访问")
    PASSWORD = "password", _("修改密码")
    OTP = "otp", _("动态口令")
    PURGE = "purge", _("审计清理")


# The events of the login log page (登录日志).
LOGIN_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOGOUT,
    AuditAction.PASSWORD,
    AuditAction.OTP,
)


class AuditEventManager(models.Manager["AuditEvent"]):
    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any) -> list[AuditEvent]:
        """Bulk writes (imports, demo data) join the hash chain like single ones."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):  # see AuditEvent.save
            chain.seal(objs, self.db)
            created = super().bulk_create(objs, *args, **kwargs)
            dataversion.bump_for(objs, self.db)
            return created


class AuditEvent(ChoiceLabels, models.Model):
    # Set by the writer (not auto_now_add) so that the hash covers exactly the stored time.
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    success = models.BooleanField(_("成功"), default=True)
    request_id = models.CharField(_("请求ID"), max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventManager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            super().save(*args, **kwargs)  # refused by the append-only triggers
            return
        using = kwargs.get("using") or "default"
        # PostgreSQL: lock, link and insert in one round trip (create()'s save; nobody listens to its signals)
        one_trip = (
            not args and set(kwargs) <= {"using", "force_insert"} and self.pk is None and not _listened()
        )
        # No savepoint inside the writer's transaction: two statements less while the chain's lock is held, and
        # a failed audit write cannot be caught and stepped over: the whole transaction rolls back with it.
        with transaction.atomic(using=using, savepoint=False):
            if not (one_trip and chain.insert_sealed(self, using)):
                chain.seal([self], using)
                super().save(*args, **kwargs)
            dataversion.bump_for([self], using)


def _listened() -> bool:
    return signals.pre_save.has_listeners(AuditEvent) or signals.post_save.has_listeners(AuditEvent)
