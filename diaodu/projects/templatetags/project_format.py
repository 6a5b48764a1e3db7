"""Display filters of the project pages: 万元, 亿元 and rates, formatted by the domain's display helpers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from diaodu.projects import domain

register = template.Library()


@register.filter
def wan(value: Decimal | None) -> str:
    """12345.60 -> "12,345.6" (万元); None -> "—"."""
    if value is None:
        return "—"
    q = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{q:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def yi(value: Decimal | None) -> str:
    """万元 -> 亿元 with one decimal (as the speech quotes them)."""
    return "—" if value is None else str(domain.yi(Decimal(value)))


@register.filter
def pct(value: Decimal | None) -> str:
    """A fraction as a percentage with one decimal; None (nothing to measure) -> "—"."""
    return "—" if value is None else f"{domain.pct1(Decimal(value))}%"


@register.filter
def stage_label(value: str) -> str:
    return domain.STAGE_LABELS.get(value, value)
