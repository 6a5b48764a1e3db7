"""Reporting periods (a year and a month), as shown in URLs (``?month=2025-09``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def previous(self) -> Period | None:
        return Period(self.year, self.month - 1) if self.month > 1 else None


def parse_period(value: str | None) -> Period | None:
    """``"2025-09"`` -> Period(2025, 9); anything else -> None."""
    match = _MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return Period(year, month)


def latest_plan_year(today: dt.date) -> int | None:
    from diaodu.plans.models import Plan

    return Plan.objects.filter(year__lte=today.year).order_by("-year").values_list("year", flat=True).first()


def default_entry_period(*, today: dt.date | None = None) -> Period:
    """The month usually reported now: last month, or December of the latest plan year once that year is over."""
    today = today or timezone.localdate()
    plan_year = latest_plan_year(today)
    if plan_year is not None and plan_year < today.year:
        return Period(plan_year, 12)
    if today.month == 1:
        return Period(today.year, 1)
    return Period(today.year, today.month - 1)
