"""The org units a text may name (scope 范围), as plain values.

The default catalogue is the Guanyun seed (:mod:`diaodu.orgunits.guanyun`), read without a database;
another county passes its own list of :class:`Unit`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

__all__ = ["Catalogue", "Unit", "default_catalogue"]

# Words after a list of towns that say which kind of unit the list means.
CLUSTER_WORDS = ("镇级工业集中区", "工业集中区", "集中区")
TOWN_WORDS = ("镇街", "乡镇", "街道", "镇")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    short_name: str
    kind: str  # county, zone, park, town, subdistrict, cluster, department, peer
    parent: str | None


class Catalogue:
    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = [u for u in units if u.kind != "peer"]
        self.by_code = {u.code: u for u in self.units}

    @cached_property
    def county_names(self) -> set[str]:
        return {n for u in self.units if u.kind == "county" for n in (u.name, u.short_name) if n}

    @cached_property
    def mention_names(self) -> dict[str, Unit]:
        """Names that designate a unit when they appear in a sentence (full names; short names of zones,
        parks and departments; town short names are too ambiguous and only count in lists)."""
        names: dict[str, Unit] = {}
        for u in self.units:
            if u.kind == "county":
                continue
            names.setdefault(u.name, u)
            if u.short_name and u.kind in ("zone", "department") and len(u.short_name) >= 2:
                names.setdefault(u.short_name, u)
        return names

    @cached_property
    def mention_re(self) -> re.Pattern[str]:
        alt = "|".join(sorted((re.escape(n) for n in self.mention_names), key=len, reverse=True))
        return re.compile(rf"(?<![级类型])(?:{alt})" if alt else r"(?!)")  # not "省级开发区"

    @cached_property
    def towns(self) -> dict[str, Unit]:
        """Town or subdistrict by full or short name."""
        out: dict[str, Unit] = {}
        for u in self.units:
            if u.kind in ("town", "subdistrict"):
                out[u.name] = u
                if u.short_name:
                    out[u.short_name] = u
        return out

    @cached_property
    def town_list_re(self) -> re.Pattern[str]:
        town = "|".join(sorted((re.escape(n) for n in self.towns), key=len, reverse=True)) or r"(?!)"
        kinds = "|".join(CLUSTER_WORDS + TOWN_WORDS)
        return re.compile(
            rf"(?P<list>(?:{town})(?:[、和及](?:{town}))+)(?:等)?(?P<mid>[^，。；、]{{0,6}}?)(?P<kind>{kinds})"
            r"(?P<dist>每家|每个|各|均)?"
        )

    @cached_property
    def others_re(self) -> re.Pattern[str]:
        kinds = "|".join(CLUSTER_WORDS + TOWN_WORDS)
        return re.compile(
            rf"其[他它余](?P<mid>[^，。；、]{{0,4}}?)(?P<kind>{kinds})(?P<dist>每家|每个|各|均)?"
        )

    def cluster_of(self, town: Unit) -> Unit | None:
        for u in self.units:
            if u.kind == "cluster" and u.parent == town.code:
                return u
        return None

    def of_kind_word(self, word: str) -> list[Unit]:
        if word in CLUSTER_WORDS:
            return [u for u in self.units if u.kind == "cluster"]
        return [u for u in self.units if u.kind in ("town", "subdistrict")]

    def name_of(self, code: str) -> str | None:
        """Scope name for a unit code; None for the county itself (whole jurisdiction)."""
        unit = self.by_code.get(code)
        if unit is None or unit.kind == "county":
            return None
        return unit.name


def default_catalogue() -> Catalogue:
    from diaodu.orgunits.guanyun import guanyun_units

    return Catalogue(Unit(u.code, u.name, u.short_name, u.kind, u.parent) for u in guanyun_units())
