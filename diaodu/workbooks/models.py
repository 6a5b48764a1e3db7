"""An upload being imported (导入任务): the file, who uploaded it, the dry-run result and the progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("已检查")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")


RUNNING_STATES = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.WRITING)


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("默认单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    month = models.CharField(_("默认月份"), max_length=7, blank=True)
    sheet = models.CharField(_("工作表"), max_length=64, blank=True)
    mode = models.CharField(_("方式"), max_length=8, default="atomic")
    filename = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField(_("文件内容"))
    size = models.PositiveIntegerField(_("大小"), default=0)
    rows_estimate = models.PositiveIntegerField(default=0)
    background = models.BooleanField(_("后台执行"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Refreshed by whoever runs the job (every progress step, and the write transaction holds the row): a job
    # still checking or writing whose heartbeat is older than DIAODU_IMPORT_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="importjob_user_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="importjob_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATES

    @property
    def percent(self) -> int:
        """Checking is the first 80%, writing the last 20%."""
        if self.status in (JobStatus.CHECKED, JobStatus.DONE, JobStatus.FAILED):
            return 100
        share = self.done / self.total if self.total else 0
        if self.status == JobStatus.WRITING:
            return 80 + int(20 * share)
        return int(80 * share)
