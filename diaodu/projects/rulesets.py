"""The pre-review rule-set page (签约预审规则): configuration administrators publish new versions.

Rules are written one per line as ``类型 | 名称 | 阈值 | 允许值`` so a version is readable as text; each line
is checked by the model's own rules before anything is saved (``services.save_ruleset`` is atomic).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from diaodu.accounts.scope import Perm
from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain
from diaodu.projects.models import RuleSet
from diaodu.projects.services.projects import RuleInput

KIND_BY_TEXT = {str(k): k for k in domain.RuleKind} | {
    label: k for k, label in domain.RULE_KIND_LABELS.items()
}


def parse_rules(text: str) -> list[RuleInput]:
    """``类型 | 名称 | 阈值 | 允许值`` lines → rule inputs; errors name the line in Chinese."""
    rules: list[RuleInput] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        kind = KIND_BY_TEXT.get(parts[0])
        if kind is None:
            errors.append(
                f"第{number}行：未知的规则类型“{parts[0]}”（可用：{'、'.join(domain.RULE_KIND_LABELS.values())}）"
            )
            continue
        threshold: Decimal | None = None
        if parts[2]:
            try:
                threshold = Decimal(parts[2])
            except InvalidOperation:
                errors.append(f"第{number}行：阈值“{parts[2]}”不是数字")
                continue
        rules.append(RuleInput(kind=str(kind), label=parts[1], threshold=threshold, values=parts[3]))
    if errors:
        raise ValidationError(errors)
    if not rules:
        raise ValidationError("请至少填写一条规则。")
    return rules


def rules_as_text(ruleset: RuleSet) -> str:
    lines = []
    for rule in ruleset.rules.all():
        threshold = "" if rule.threshold is None else format(rule.threshold.normalize(), "f")
        lines.append(
            f"{domain.RULE_KIND_LABELS[domain.RuleKind(rule.kind)]} | {rule.label} | {threshold} | {rule.values}"
        )
    return "\n".join(lines)


class RuleSetForm(forms.Form):
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="适用单位")
    name = forms.CharField(max_length=100, label="规则集名称")
    note = forms.CharField(max_length=200, required=False, label="修订说明")
    rules = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label="规则（每行：类型 | 名称 | 阈值 | 允许值）"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.editable_by(user, Perm.MANAGE_CONFIG).internal()
        for item in self.fields.values():
            item.widget.attrs.setdefault("class", "form-select" if item is field else "form-control")

    def clean_rules(self) -> list[RuleInput]:
        return parse_rules(self.cleaned_data["rules"])


def active_rulesets() -> list[RuleSet]:
    return list(
        RuleSet.objects.filter(is_active=True)
        .select_related("org_unit")
        .prefetch_related("rules")
        .order_by("org_unit__path", "name")
    )
