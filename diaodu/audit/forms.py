"""Filters of the audit page; :meth:`AuditFilterForm.filter` narrows a queryset with the cleaned values."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.orgunits.models import OrgUnit


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部")), *AuditAction.choices]
    )
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    org_unit = forms.ModelChoiceField(
        label=_("单位"),
        required=False,
        queryset=OrgUnit.objects.order_by("sort_order"),
        to_field_name="code",
        empty_label=_("全部"),
    )
    success = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), ("1", _("成功")), ("0", _("失败"))]
    )
    request_id = forms.CharField(label=_("请求ID"), required=False, max_length=36)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def filter(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        if d.get("date_from"):
            qs = qs.filter(created_at__gte=dt.datetime.combine(d["date_from"], dt.time.min, tzinfo=tz))
        if d.get("date_to"):
            end = dt.datetime.combine(d["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            qs = qs.filter(created_at__lt=end)
        if d.get("actor"):
            qs = qs.filter(actor_name__iexact=d["actor"].strip())
        if d.get("action"):
            qs = qs.filter(action=d["action"])
        if d.get("object_type"):
            qs = qs.filter(object_type=d["object_type"].strip())
        if d.get("org_unit"):
            qs = qs.filter(org_unit=d["org_unit"])
        if d.get("success") in ("0", "1"):
            qs = qs.filter(success=d["success"] == "1")
        if d.get("request_id"):
            qs = qs.filter(request_id=d["request_id"].strip())
        return qs
