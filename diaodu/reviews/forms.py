from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Indicator
from diaodu.plans.periods import Period, parse_period


class PeerValueForm(forms.Form):
    org_unit = forms.ModelChoiceField(OrgUnit.objects.none(), label=_("对标单位"), to_field_name="code")
    indicator = forms.ModelChoiceField(
        Indicator.objects.order_by("code"), label=_("指标"), to_field_name="code"
    )
    month = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))
    growth_pct = forms.DecimalField(label=_("公布增速(%)"), required=False, max_digits=9, decimal_places=2)
    ytd_value = forms.DecimalField(label=_("累计值"), required=False, max_digits=20, decimal_places=4)
    base_value = forms.DecimalField(label=_("上年同期"), required=False, max_digits=20, decimal_places=4)
    note = forms.CharField(label=_("来源"), required=False, max_length=200)

    def __init__(self, *args: Any, peers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = peers

    def clean_month(self) -> Period:
        period = parse_period(self.cleaned_data["month"])
        if period is None:
            raise forms.ValidationError(_("月份格式应为 2025-09。"))
        return period


class RaterSheetForm(forms.Form):
    """One rater's sheet: a score per reviewed unit (fields ``unit-<pk>``)."""

    rater = forms.CharField(label=_("评委"), max_length=32)

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        for u in units:
            self.fields[f"unit-{u.pk}"] = forms.DecimalField(
                label=u.name, required=False, min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
            )

    def scores(self) -> dict[int, Decimal | None]:
        return {u.pk: self.cleaned_data.get(f"unit-{u.pk}") for u in self.units}


class CommentForm(forms.Form):
    org_unit = forms.ModelChoiceField(OrgUnit.objects.none(), label=_("单位"), to_field_name="code")
    text = forms.CharField(label=_("点评意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
