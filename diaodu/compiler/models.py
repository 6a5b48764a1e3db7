"""Uploaded plan prose (讲话/报告) and the items drafted from it, waiting for a person to accept or discard them.

A :class:`SourceDocument` keeps the *normalised* text (quotes and offsets refer to it) and belongs to the plan its
accepted items go into. Each :class:`ExtractedItem` keeps the extractor's output unchanged in ``extracted`` and the
reviewer's current values in its columns, so what was edited is always visible (:attr:`ExtractedItem.edited_fields`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from diaodu.compiler.querysets import ExtractedItemQuerySet, SourceDocumentQuerySet
from diaodu.plans.models import UNIT_CHOICES, Comparator, Level, Measure


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待审")
    ACCEPTED = "accepted", _("已采纳")
    DISCARDED = "discarded", _("已舍弃")


class ItemKind(models.TextChoices):
    TARGET = "target", _("目标")
    TASK = "task", _("重点任务")


class SourceDocument(models.Model):
    title = models.CharField(_("标题"), max_length=300)
    filename = models.CharField(_("文件名"), max_length=255)
    text = models.TextField(_("规范化原文"))
    sha256 = models.CharField(max_length=64, editable=False)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("计划"), on_delete=models.PROTECT, related_name="source_documents"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = SourceDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("依据文件")
        verbose_name_plural = _("依据文件")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("compiler:document", args=[self.pk])


class ExtractedItem(models.Model):
    document = models.ForeignKey(
        SourceDocument, verbose_name=_("依据文件"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("序号"))
    start = models.PositiveIntegerField(_("原文位置"))  # offset of the quote in document.text
    quote = models.TextField(_("原文依据"))
    extracted = models.JSONField(_("提取结果"), default=dict)  # the extractor's item, never changed
    kind = models.CharField(_("类别"), max_length=8, choices=ItemKind.choices, default=ItemKind.TARGET)
    indicator_name = models.CharField(_("指标/任务名称"), max_length=200)
    measure = models.CharField(_("口径"), max_length=12, choices=Measure.choices, blank=True)
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=8, choices=UNIT_CHOICES, blank=True)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices, blank=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.PLAIN)
    scope_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("范围单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空 = 计划所属单位（全域）"),
    )
    parent_item = models.ForeignKey(
        "self", verbose_name=_("上级条目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline = models.DateField(_("期限"), null=True, blank=True)
    indicator = models.ForeignKey(
        "plans.Indicator",
        verbose_name=_("对应指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空 = 采纳时新建指标"),
    )
    relative_to = models.ForeignKey(
        "plans.Indicator",
        verbose_name=_("参照指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader = models.CharField(_("责任领导"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    target = models.ForeignKey(
        "plans.Target",
        verbose_name=_("生成的目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ExtractedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("提取条目")
        verbose_name_plural = _("提取条目")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="extracteditem_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_name}（{self.quote[:30]}）"

    @property
    def end(self) -> int:
        return self.start + len(self.quote)

    @property
    def task_key(self) -> str:
        """The key of the key task this item becomes in an exported plan file."""
        return f"c{self.document_id}-task-{self.pk}"

    def current_values(self) -> dict[str, Any]:
        """The reviewed values under the extractor's keys (see :data:`diaodu.compiler.extract.ITEM_KEYS`)."""
        return {
            "indicator": self.indicator_name,
            "measure": self.measure or None,
            "value": _number(self.value),
            "unit": self.unit or None,
            "comparator": self.comparator or None,
            "level": self.level,
            "scope": self.scope_unit.name if self.scope_unit_id and self.scope_unit else None,
            "deadline": self.deadline.isoformat() if isinstance(self.deadline, dt.date) else None,
            "kind": self.kind,
        }

    @property
    def edited_fields(self) -> list[str]:
        """Fields whose value differs from what the extractor found."""
        current = self.current_values()
        return [k for k, v in current.items() if self.extracted.get(k) != v]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
