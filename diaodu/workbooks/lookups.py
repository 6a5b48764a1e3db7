"""Resolving what people write in a cell: an org unit ("伊山", "伊山镇", "320723-T02"), a month ("2025-09",
"2025年9月", a date, 202509, "9月"). Each lookup loads its table once; every row is then a dict access."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from typing import Any

from diaodu.accounts.scope import Perm
from diaodu.orgunits.models import OrgUnit
from diaodu.workbooks.read import Value

_UNIT_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡", "管委会", "片区", "园区")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class UnitLookup:
    """Org units by code, name, short name, administrative code or name without its suffix (伊山 for 伊山镇)."""

    def __init__(self, actor: Any, perm: Perm = Perm.ENTER_DATA) -> None:
        units = list(OrgUnit.objects.internal())
        self.by_id = {u.pk: u for u in units}
        self._exact: dict[str, list[OrgUnit]] = defaultdict(list)
        self._loose: dict[str, list[OrgUnit]] = defaultdict(list)
        for u in units:
            for text in {u.code, u.name, u.short_name, u.admin_code}:
                if text:
                    self._exact[_key(text)].append(u)
            for suffix in _UNIT_SUFFIXES:
                if u.name.endswith(suffix) and len(u.name) > len(suffix) + 1:
                    self._loose[_key(u.name[: -len(suffix)])].append(u)
                    break
        self.editable = set(OrgUnit.objects.editable_by(actor, perm).values_list("pk", flat=True))

    def find(self, text: str) -> list[OrgUnit]:
        k = _key(text)
        found = self._exact.get(k) or self._loose.get(k) or []
        return list({u.pk: u for u in found}.values())

    def may_edit(self, unit: OrgUnit) -> bool:
        return unit.pk in self.editable


_MONTH_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:月份?)?(?:[-/.]\d{1,2}日?)?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
    re.compile(r"^(?:1\s*[-—~至]\s*)?(?P<m>\d{1,2})\s*月份?$"),
]
_IN_TITLE = re.compile(r"(?P<y>20\d{2})\s*年\s*(?:1\s*[-—~至]\s*)?(?P<m>\d{1,2})\s*月")


def parse_month(value: Value, *, default_year: int | None = None) -> tuple[int, int] | None:
    """(year, month) from a cell; None if the cell is not a month. A bare "9月" needs ``default_year``."""
    if isinstance(value, dt.datetime | dt.date):
        return value.year, value.month
    if isinstance(value, int) and not isinstance(value, bool):
        if 200001 <= value <= 210012:
            return divmod(value, 100) if 1 <= value % 100 <= 12 else None
        if 1 <= value <= 12 and default_year:
            return default_year, value
        return None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m:
            groups = m.groupdict()
            year = int(groups["y"]) if groups.get("y") else default_year
            month = int(m.group("m"))
            if year is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
                return None
            return year, month
    return None


def month_in_title(text: str) -> tuple[int, int] | None:
    """ "2025年9月重点项目调度表" or "2025年1-9月" -> (2025, 9)."""
    m = _IN_TITLE.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    month = int(m.group("m"))
    return (int(m.group("y")), month) if 1 <= month <= 12 else None
