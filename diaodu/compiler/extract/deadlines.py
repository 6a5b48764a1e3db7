"""Deadlines (一季度, 6月底前, 年内, 明年3月底) resolved to dates of the plan year."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

from .numbers import NumberError, parse_number


class YearResolver(Protocol):
    def year_of(self, word: str | None, y4: str | None) -> int: ...


def real_deadline(m: re.Match[str]) -> bool:
    if m.group("month") and not (m.group("day") or m.group("part") or m.group("before") or m.group("year")):
        return False
    return True


def resolve_deadline(m: re.Match[str], ctx: YearResolver) -> dt.date | None:
    year = ctx.year_of(m.group("year") if not m.group("y4") else None, m.group("y4"))
    if m.group("quarter"):
        q = {"一": 1, "二": 2, "三": 3, "四": 4}.get(m.group("quarter")) or int(m.group("quarter"))
        return month_end(year, 3 * q)
    if m.group("half"):
        return month_end(year, 6 if m.group("half") == "上半年" else 12)
    if m.group("yearend"):
        return dt.date(year, 12, 31)
    month_text = m.group("month")
    try:
        month = int(parse_number(month_text))
    except NumberError:
        return None
    if not 1 <= month <= 12:
        return None
    if m.group("day"):
        try:
            return dt.date(year, month, int(m.group("day")))
        except ValueError:
            return None
    part = m.group("part")
    if part == "上旬":
        return dt.date(year, month, 10)
    if part == "中旬":
        return dt.date(year, month, 20)
    return month_end(year, month)


def month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def deadline_for(
    deadlines: list[tuple[int, dt.date | None]], since: int, before: int, carried: dt.date | None
) -> dt.date | None:
    """The deadline written in the candidate's own stretch of the clause, else the first of the clause."""
    own = [d for pos, d in deadlines if since <= pos < before]
    if own:
        return own[-1]
    earlier = [d for pos, d in deadlines if pos < since]
    if earlier:
        return earlier[-1]
    return deadlines[0][1] if deadlines else carried
