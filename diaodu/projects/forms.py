"""Forms of the project pages: library filters, one dispatch-sheet row, review and override."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.projects import domain
from diaodu.projects.models import BlockerCategory

BLANK = [("", "全部")]

# Whitelisted sort keys of the library (query value -> order_by fields); anything else falls back to the default.
SORTS: dict[str, tuple[str, ...]] = {
    "unit": ("org_unit__path", "name", "pk"),
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "total": ("total_investment_wan", "pk"),
    "-total": ("-total_investment_wan", "-pk"),
    "stage_on": ("stage_on", "pk"),
    "-stage_on": ("-stage_on", "-pk"),
    "-updated": ("-updated_at", "-pk"),
}
SORT_LABELS = {
    "unit": _("按单位"),
    "name": _("名称 A→Z"),
    "-name": _("名称 Z→A"),
    "-total": _("总投资 高→低"),
    "total": _("总投资 低→高"),
    "-stage_on": _("阶段日期 新→旧"),
    "stage_on": _("阶段日期 旧→新"),
    "-updated": _("最近更新"),
}


def _choices(labels: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in labels.items()]


class LibraryFilterForm(forms.Form):
    """The library's filters; unit codes are checked against the user's scope by the caller (404 outside)."""

    q = forms.CharField(label=_("名称"), required=False, max_length=60)
    zone = forms.CharField(label=_("板块/园区"), required=False, max_length=32)
    town = forms.CharField(label=_("镇/集中区"), required=False, max_length=32)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=BLANK + _choices(domain.LEVEL_LABELS))
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=BLANK + _choices(domain.STAGE_LABELS))
    chain = forms.ChoiceField(
        label=_("产业链"), required=False, choices=BLANK + _choices(domain.CHAIN_LABELS)
    )
    tier = forms.ChoiceField(label=_("规模"), required=False, choices=BLANK + _choices(domain.TIER_LABELS))
    overdue = forms.BooleanField(label=_("审批逾期"), required=False)
    behind = forms.BooleanField(label=_("投资滞后于时序"), required=False)
    month = forms.CharField(label=_("截至月份"), required=False, max_length=7)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=list(SORT_LABELS.items()))

    def order_by(self) -> tuple[str, ...]:
        key = self.cleaned_data.get("sort") if self.is_valid() else ""
        return SORTS.get(key or "unit", SORTS["unit"])


def _decimal(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        error_messages={
            "invalid": "请输入数字（万元）。",
            "max_decimal_places": "最多两位小数。",
            "min_value": "不能为负数。",
        },
    )


class DispatchRowForm(forms.Form):
    """One project's month on the dispatch sheet (prefix ``p<project id>``)."""

    month_wan = _decimal("本月完成投资（万元）")
    ytd_wan = _decimal("累计完成投资（万元）")
    progress = forms.CharField(label="形象进度", required=False, max_length=1000, widget=forms.Textarea)
    new_stage = forms.ChoiceField(
        label="阶段变化", required=False, choices=[("", "无变化"), *_choices(domain.STAGE_LABELS)]
    )
    new_stage_on = forms.DateField(
        label="变化日期", required=False, error_messages={"invalid": "日期格式应为 2025-09-15。"}
    )
    problems = forms.CharField(label="存在问题", required=False, max_length=2000, widget=forms.Textarea)
    problem_category = forms.ChoiceField(
        label="问题类别", required=False, choices=BlockerCategory.choices, initial=BlockerCategory.OTHER
    )
    confirm_note = forms.CharField(label="异常确认说明", required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    INPUTS = ("month_wan", "ytd_wan", "progress", "new_stage", "problems", "confirm_note")

    def has_input(self) -> bool:
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.INPUTS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_stage") and not data.get("new_stage_on"):
            self.add_error("new_stage_on", "请填写阶段变化的日期。")
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000)


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("放行理由"), required=False, max_length=1000)
