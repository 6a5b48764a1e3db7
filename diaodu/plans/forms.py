from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ActualRowForm(forms.Form):
    """One indicator's month on the data-entry sheet (prefix = the indicator code)."""

    ytd_value = forms.DecimalField(label=_("累计值"), required=False, max_digits=20, decimal_places=4)
    growth_pct = forms.DecimalField(
        label=_("公布增速(%)"),
        required=False,
        max_digits=9,
        decimal_places=2,
        min_value=-100,
        max_value=10000,
    )
    base_value = forms.DecimalField(label=_("上年同期"), required=False, max_digits=20, decimal_places=4)
    note = forms.CharField(label=_("数据来源"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def has_input(self) -> bool:
        """Did the user type anything into the value fields?"""
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("ytd_value", "growth_pct", "base_value", "note")
        )


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000, widget=forms.Textarea)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开原因"), required=False, max_length=1000)
