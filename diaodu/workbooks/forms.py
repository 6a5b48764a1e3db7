from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.accounts.scope import Perm
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.periods import parse_period
from diaodu.workbooks.importers import Mode
from diaodu.workbooks.read import Limits

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel文件"), help_text=_("支持 .xlsx、.xls、.csv"))
    unit = forms.ModelChoiceField(
        label=_("默认单位"),
        required=False,
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=_("（按表中填写）"),
        help_text=_("表中未写单位的行归入此单位"),
    )
    month = forms.CharField(
        label=_("默认月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("表中未写月份的行使用此月份"),
    )
    sheet = forms.CharField(
        label=_("工作表名称"), required=False, max_length=64, help_text=_("留空则按内容自动识别")
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        initial=Mode.ATOMIC,
        choices=[(Mode.ATOMIC, _("全部正确才导入（推荐）")), (Mode.PARTIAL, _("只导入正确的行，其余列出"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.editable_by(user, Perm.ENTER_DATA).internal().order_by("sort_order")

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(_("请上传 .xlsx、.xls 或 .csv 文件"))
        limit = Limits.from_settings().max_bytes
        if f.size > limit:
            raise forms.ValidationError(_("文件超过 %(mb)d MB 上限") % {"mb": limit // 1024 // 1024})
        return f

    def clean_month(self) -> str:
        value = self.cleaned_data["month"].strip()
        if value and parse_period(value) is None:
            raise forms.ValidationError(_("月份格式应为 2025-09"))
        return value


class CommitForm(forms.Form):
    mode = forms.ChoiceField(choices=[(m.value, m.value) for m in Mode])
