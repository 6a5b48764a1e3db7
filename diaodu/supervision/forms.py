"""Forms of the supervision pages. They only parse input; the services decide (scope, state, dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from diaodu.accounts import roles
from diaodu.orgunits.models import OrgUnit
from diaodu.supervision.services import MAX_FILES_PER_STEP


def internal_units() -> Any:
    return OrgUnit.objects.internal().order_by("sort_order")


class StyledForm(forms.Form):
    """Tabler classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type and size are checked by :func:`services.check_files`."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES_PER_STEP:
            raise forms.ValidationError(_("每次最多上传 %(n)d 个附件。") % {"n": MAX_FILES_PER_STEP})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class DateInput(forms.DateInput):
    input_type = "date"


class VersionedForm(StyledForm):
    """A step on an item: carries the item's version as read when the page was shown (no lost update)."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AssignForm(VersionedForm):
    lead_unit = UnitChoiceField(label=_("牵头单位"), queryset=OrgUnit.objects.none())
    co_units = UnitsChoiceField(
        label=_("配合单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = forms.DateField(label=_("办理期限"), widget=DateInput)
    sign_workdays = forms.IntegerField(
        label=_("签收时限（工作日）"), min_value=1, max_value=30, required=False, initial=3
    )
    note = forms.CharField(
        label=_("交办要求"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = internal_units()
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]


class NoteForm(VersionedForm):
    note = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(VersionedForm):
    text = forms.CharField(label=_("办理情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("附件"), required=False)


class ReturnForm(VersionedForm):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def leader_users() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, roles__code=roles.COUNTY_LEADER)
        .distinct()
        .order_by("pk")
    )


class LeaderFields(StyledForm):
    leader = forms.CharField(label=_("责任领导（职务）"), required=False, max_length=64)
    leader_user = forms.ModelChoiceField(
        label=_("责任领导账号（逾期时提醒）"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader_user"].queryset = leader_users()  # type: ignore[attr-defined]


class ItemForm(LeaderFields):
    """督查室 registers an item by hand; it is assigned on the item page."""

    title = forms.CharField(label=_("督办事项"), max_length=200)
    description = forms.CharField(
        label=_("督办要求"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["title", "description", "leader", "leader_user"]


class BlockerForm(LeaderFields, AssignForm):
    """Register an item from a project blocker and assign it in one step."""

    field_order = ["lead_unit", "co_units", "deadline", "leader", "leader_user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"], self.fields["sign_workdays"], self.fields["version"]  # a new item


class KeyTaskForm(LeaderFields):
    note = forms.CharField(label=_("交办要求"), required=False, max_length=2000)
