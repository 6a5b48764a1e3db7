"""The Chinese working-day calendar: public holidays and the adjusted working weekends (调休).

Backed by the ``chinesecalendar`` package (PyPI ``chinesecalendar``, import ``chinese_calendar``): it
carries the State Council's published holiday arrangements year by year and is updated each December
when the next year's arrangement is announced, which is exactly the data we must not maintain by hand.
For a year the package does not know yet, the calendar falls back to Monday–Friday and says so through
:func:`is_known_year`, so callers can flag a deadline as provisional.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


# Room for every day that a span walks (179 years): a span longer than the cache (a deadline decades away)
# would evict its own days in order and miss on every one of them, each time it is counted again.
@lru_cache(maxsize=1 << 16)
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_known_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    "3个工作日内签收" for an item assigned on ``start`` is due at the end of ``add_workdays(start, 3)``.
    ``days`` may be negative (working days before ``start``); 0 returns ``start``.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += dt.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is before ``start``)."""
    if end == start:
        return 0
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + dt.timedelta(days=n)))
