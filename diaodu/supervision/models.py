"""Key tasks (重点任务) of a plan, supervision items (督办件) with their timeline and attachments, the in-app
inbox, outgoing deliveries (e-mail, webhook) with their log, and the ledger that makes reminders idempotent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.models import ChoiceLabels
from diaodu.supervision.querysets import KeyTaskQuerySet, NotificationQuerySet, SupervisionItemQuerySet


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


class ItemStatus(models.TextChoices):
    # Same values as diaodu.supervision.domain.Status (a test keeps them equal).
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSURE_REQUESTED = "closure_requested", _("申请办结")
    VERIFIED = "verified", _("已核验")
    CLOSED = "closed", _("已办结")
    RETURNED = "returned", _("退回重办")


class SourceType(models.TextChoices):
    KEY_TASK = "key_task", _("重点任务")
    BLOCKER = "blocker", _("项目卡点堵点")
    MANUAL = "manual", _("督查室交办")


class EventAction(models.TextChoices):
    REGISTER = "register", _("登记")
    ASSIGN = "assign", _("交办")
    SIGN = "sign", _("签收")
    REPLY = "reply", _("进展回复")
    REQUEST_CLOSURE = "request_closure", _("申请办结")
    VERIFY = "verify", _("核验")
    RETURN = "return", _("退回重办")
    CLOSE = "close", _("办结销号")
    REMIND = "remind", _("提醒")
    ESCALATE = "escalate", _("逾期升级")


class KeyTask(models.Model):
    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("计划"), on_delete=models.CASCADE, related_name="key_tasks"
    )
    key = models.SlugField(_("键"), max_length=80)
    section = models.CharField(_("板块"), max_length=64, blank=True)
    title = models.CharField(_("任务"), max_length=200)
    quote = models.TextField(_("原文依据"))
    quote_position = models.PositiveIntegerField(_("原文位置"), null=True, blank=True)
    owner = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="key_tasks"
    )
    co_owners = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("配合单位"), blank=True, related_name="co_owned_key_tasks"
    )
    leader = models.CharField(_("责任领导"), max_length=64)
    deadline = models.DateField(_("期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = KeyTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["plan", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="keytask_unique_key")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    task = models.ForeignKey(
        KeyTask, verbose_name=_("重点任务"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("节点期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")
        ordering = ["task", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "title"], name="milestone_unique_title")]

    def __str__(self) -> str:
        return f"{self.task} · {self.title}"


class SupervisionItem(ChoiceLabels, models.Model):
    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("督办事项"), max_length=200)
    description = models.TextField(_("督办要求"), blank=True)
    source_type = models.CharField(
        _("来源"), max_length=16, choices=SourceType.choices, default=SourceType.MANUAL
    )
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)  # kept if the source row goes away
    blocker = models.ForeignKey(
        "projects.Blocker",
        verbose_name=_("项目卡点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_items",
    )
    key_task = models.ForeignKey(
        KeyTask,
        verbose_name=_("重点任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.REGISTERED
    )
    lead_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_supervision_items",
    )
    co_units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("配合单位"), blank=True, related_name="co_supervision_items"
    )
    leader = models.CharField(_("责任领导"), max_length=64, blank=True)
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    sign_workdays = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=3)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    sign_due = models.DateField(_("签收期限"), null=True, blank=True)
    signed_on = models.DateField(_("签收日期"), null=True, blank=True)
    completed_on = models.DateField(_("申请办结日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    returned_count = models.PositiveIntegerField(_("退回次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办件")
        verbose_name_plural = _("督办件")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="supervision_status_deadline"),
            models.Index(fields=["source_type", "source_id"], name="supervision_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def org_unit_id(self) -> int | None:
        """The unit the audit trail files this item under."""
        return self.lead_unit_id


class ItemEvent(models.Model):
    """One step of an item's timeline (登记、交办、签收、回复、申请办结、核验、退回、办结、提醒、升级)."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("环节"), max_length=20, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    text = models.TextField(_("内容"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("办理单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item.number} {self.get_action_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    now = timezone.localdate()
    return f"supervision/{now:%Y/%m}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    event = models.ForeignKey(ItemEvent, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("新交办")
    REPLY = "reply", _("进展回复")
    CLOSURE_REQUESTED = "closure_requested", _("申请办结")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结")
    SIGN_REMINDER = "sign_reminder", _("签收提醒")
    SIGN_OVERDUE = "sign_overdue", _("签收超期")
    DEADLINE_REMINDER = "deadline_reminder", _("到期提醒")
    OVERDUE = "overdue", _("逾期升级")


class Notification(models.Model):
    """One message in an inbox: a user's own, or a unit's (seen by everyone of that unit)."""

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_unit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        SupervisionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NoticeKind.choices)
    level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False, recipient_unit__isnull=True)
                | models.Q(recipient_user__isnull=True, recipient_unit__isnull=False),
                name="notification_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One notification to one address over one channel; sent at most once (see notifications.py)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("地址"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "target"], name="delivery_unique_target"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}"


class DeliveryAttempt(models.Model):
    """The delivery log: every attempt, with its outcome."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.delivery} {self.at:%Y-%m-%d %H:%M:%S} {'OK' if self.ok else self.status_code or self.error}"


class UnitWebhook(models.Model):
    """An optional outgoing webhook of an org unit (a 政务钉钉 / 企业微信-style group bot): JSON POST."""

    org_unit = models.OneToOneField(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="webhook"
    )
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"),
        max_length=128,
        blank=True,
        help_text=_("填写后每次请求带 X-Diaodu-Signature: sha256=<HMAC>"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位Webhook")
        verbose_name_plural = _("单位Webhook")

    def __str__(self) -> str:
        return f"{self.org_unit} → {self.url}"


class SentNotice(models.Model):
    """The reminder/escalation ledger: a notice key is written once, so a second scan sends nothing."""

    key = models.CharField(max_length=200, unique=True)
    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="sent_notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    level = models.PositiveSmallIntegerField(default=0)
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.key
