from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from diaodu.compiler import domain
from diaodu.compiler.access import compilable_units
from diaodu.compiler.extract import infer_year
from diaodu.compiler.models import ExtractedItem, ItemKind
from diaodu.core.security_uploads import UploadKind, validate_upload
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import UNIT_CHOICES, Comparator, Indicator, Level, Measure, Plan

NEW_PLAN = "new"


def read_upload(file: Any) -> str:
    """The raw text of an uploaded .txt (UTF-8 or GB18030) or .docx; ValidationError in Chinese otherwise."""
    name = (getattr(file, "name", "") or "").lower()
    if name.endswith(".docx"):
        validate_upload(file, kinds=(UploadKind.DOCX,))
        import docx  # python-docx

        try:
            document = docx.Document(file)
        except Exception as exc:  # a zip that is not a Word document
            raise ValidationError(_("无法读取该 Word 文件。")) from exc
        return "\n".join(p.text for p in document.paragraphs)
    if not name.endswith(".txt"):
        raise ValidationError(_("不支持的文件类型，请上传 .txt 或 .docx 文件。"))
    limit = settings.DIAODU_UPLOAD_MAX_BYTES
    if not file.size:
        raise ValidationError(_("文件为空。"))
    if file.size > limit:
        raise ValidationError(_("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)})
    raw = file.read()
    if b"\x00" in raw:
        raise ValidationError(_("这不是文本文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码（请另存为 UTF-8）。"))


def _style(form: forms.Form, size: str = "") -> None:
    """Tabler classes on every widget (kept out of the templates)."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{css} {css}-{size}" if size else css


class UploadForm(forms.Form):
    file = forms.FileField(label=_("讲话或报告（.txt / .docx）"))
    title = forms.CharField(label=_("标题"), max_length=300, required=False, help_text=_("留空则使用文件名"))
    plan = forms.ChoiceField(label=_("生成到计划"))
    new_plan_code = forms.SlugField(
        label=_("新计划编码"), max_length=64, required=False, help_text=_("如 guanyun-2026")
    )
    new_plan_title = forms.CharField(label=_("新计划名称"), max_length=200, required=False)
    new_plan_year = forms.IntegerField(
        label=_("新计划年度"), min_value=2000, max_value=2100, required=False, help_text=_("留空则按原文推断")
    )
    new_plan_unit = forms.ModelChoiceField(
        label=_("新计划单位"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = compilable_units(user)
        self.plans = {
            str(p.pk): p for p in Plan.objects.filter(org_unit__in=units).select_related("org_unit")
        }
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ChoiceField)
        plan_field.choices = [
            *((pk, f"{p.title}（{p.year}）") for pk, p in self.plans.items()),
            (NEW_PLAN, _("＋ 新建计划")),
        ]
        unit_field = self.fields["new_plan_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units.order_by("path")
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        file = data.get("file")
        if file is not None:
            try:
                data["raw_text"] = read_upload(file)
            except ValidationError as exc:
                self.add_error("file", exc)
        if data.get("plan") == NEW_PLAN:
            for name in ("new_plan_code", "new_plan_title", "new_plan_unit"):
                if not data.get(name):
                    self.add_error(name, _("新建计划时必填。"))
            if not data.get("new_plan_year") and data.get("raw_text"):
                data["new_plan_year"] = infer_year(data["raw_text"])
        elif data.get("plan"):
            data["plan_obj"] = self.plans[data["plan"]]
        return data


class IndicatorChoiceField(forms.ChoiceField):
    """Indicator by pk, with the suggestions first; "" = create a new indicator."""

    def __init__(self, *args: Any, empty_label: Any, **kwargs: Any) -> None:
        super().__init__(*args, required=False, **kwargs)
        self.empty_label = empty_label

    def clean(self, value: Any) -> Indicator | None:
        value = super().clean(value)
        if not value:
            return None
        indicator = Indicator.objects.filter(pk=value).first()
        if indicator is None:
            raise ValidationError(_("指标不存在。"))
        return indicator

    def valid_value(self, value: Any) -> bool:
        return True  # checked in clean() against the database


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    indicator = IndicatorChoiceField(label=_("对应指标"), empty_label=_("＋ 新建指标（按下方名称）"))
    indicator_name = forms.CharField(label=_("指标/任务名称"), max_length=200)
    value = forms.DecimalField(label=_("目标值"), max_digits=20, decimal_places=4, required=False)
    unit = forms.ChoiceField(label=_("单位"), choices=[("", "—"), *UNIT_CHOICES], required=False)
    measure = forms.ChoiceField(label=_("口径"), choices=[("", "—"), *Measure.choices], required=False)
    comparator = forms.ChoiceField(label=_("比较"), choices=[("", "—"), *Comparator.choices], required=False)
    level = forms.ChoiceField(label=_("层级"), choices=Level.choices)
    scope_unit = forms.ModelChoiceField(
        label=_("范围单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全域（计划所属单位）"),
    )
    deadline = forms.DateField(
        label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    relative_to = IndicatorChoiceField(label=_("参照指标（相对目标）"), empty_label="—")
    leader = forms.CharField(label=_("责任领导（任务）"), max_length=64, required=False)

    def __init__(
        self, data: Any = None, *, item: ExtractedItem, catalogue: list[domain.IndicatorOption]
    ) -> None:
        initial = {
            "kind": item.kind,
            "indicator": item.indicator_id or "",
            "indicator_name": item.indicator_name,
            "value": None if item.value is None else item.value.normalize(),
            "unit": item.unit,
            "measure": item.measure,
            "comparator": item.comparator,
            "level": item.level,
            "scope_unit": item.scope_unit_id,
            "deadline": item.deadline,
            "relative_to": item.relative_to_id or "",
            "leader": item.leader,
        }
        super().__init__(data, initial=initial, prefix=f"item{item.pk}")
        plan = item.document.plan
        scope_field = self.fields["scope_unit"]
        assert isinstance(scope_field, forms.ModelChoiceField)
        scope_field.queryset = OrgUnit.objects.internal().subtree(plan.org_unit).order_by("path")
        suggested = domain.suggest_indicators(
            item.indicator_name, item.unit or None, item.measure or None, catalogue
        )
        everything = sorted(catalogue, key=lambda o: o.name)

        def label(o: domain.IndicatorOption) -> str:
            return f"{o.name}（{o.unit}）"

        indicator_field = self.fields["indicator"]
        relative_field = self.fields["relative_to"]
        assert isinstance(indicator_field, IndicatorChoiceField) and isinstance(
            relative_field, IndicatorChoiceField
        )
        indicator_field.choices = [
            ("", indicator_field.empty_label),
            (_("建议"), [(o.pk, f"{label(o)} · {score:.0%}") for o, score in suggested]),
            (_("全部指标"), [(o.pk, label(o)) for o in everything]),
        ]
        relative_field.choices = [("", "—"), *((o.pk, label(o)) for o in everything)]
        self.suggested = suggested
        _style(self, "sm")
        self.plan_year = plan.year

    def clean_deadline(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("deadline")
        if day is not None and day.year != self.plan_year:
            raise ValidationError(_("期限不在计划年度 %(year)d 年内。") % {"year": self.plan_year})
        return day
