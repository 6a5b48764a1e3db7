"""Feed the pure ranking rules (:mod:`diaodu.reviews.domain`) from the database: rank the members of a peer group
(or any list of units) on one indicator, or on a weighted set, at a month, using approved actuals only.

The figure ranked is the indicator's *growth* (同比 on 累计, published growth preferred, via
:func:`diaodu.plans.domain.observed_growth`) for growth indicators and the year-to-date *value* otherwise
(``basis`` overrides). A unit without an approved figure for exactly that month is unranked. ``change`` is the
number of places gained since the previous month (None in January or when either month is unranked).

Peers' values can be read by everyone who may see the ranking, or only as the caller's data scope allows:
pass ``user`` and each entry's ``visible`` tells whether the value may be shown (the rank always may: the
ranking itself is published). The CLI passes no user and sees every value.

Used by the ranking pages, ``diaodu rank`` and the Word briefings (``列全市第N位``)::

    ranking = rank_group("lyg-counties", "规上工业总产值", year=2025, month=9)
    ranking.entry_for("320723")   # -> RankedUnit(rank=3, tied=False, change=+1, value=Decimal("18.2"), ...)
    ranking.bottom(2)             # the 倒数 list, worst first
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404

from diaodu.accounts.scope import READ_PERMS, unit_scope
from diaodu.orgunits.models import OrgUnit, PeerGroup
from diaodu.plans import domain as plan_domain
from diaodu.plans.evaluation import load_series
from diaodu.plans.models import Direction, Indicator, Measure
from diaodu.reviews import domain

Basis = Literal["growth", "value"]


@dataclass(frozen=True)
class RankedUnit:
    org_unit: OrgUnit
    value: Decimal | None  # the ranked figure (growth % or YTD value), None if missing
    rank: int | None
    tied: bool
    change: int | None  # places gained since the previous month (+ up, - down)
    previous_rank: int | None
    from_bottom: int | None  # 倒数第N位
    visible: bool = True  # may the caller see ``value``?

    @property
    def shown_value(self) -> Decimal | None:
        return self.value if self.visible else None


@dataclass
class GroupRanking:
    code: str  # the peer group's code (or "" for an ad-hoc list of units)
    name: str
    indicator: Indicator
    year: int
    month: int
    basis: Basis
    higher_is_better: bool
    entries: list[RankedUnit] = field(default_factory=list)

    @property
    def value_unit(self) -> str:
        return "%" if self.basis == "growth" else self.indicator.entry_unit or self.indicator.unit

    @property
    def ranked_count(self) -> int:
        return sum(1 for e in self.entries if e.rank is not None)

    def entry_for(self, unit: OrgUnit | str | int) -> RankedUnit | None:
        for e in self.entries:
            u = e.org_unit
            if unit in (u, u.code, u.pk):
                return e
        return None

    def bottom(self, n: int = 3) -> list[RankedUnit]:
        """The 倒数 list: units in the last ``n`` ranked places, worst first (ties whole)."""
        plain = [domain.RankEntry(e.org_unit.pk, e.value, e.rank, e.tied) for e in self.entries]
        by_pk = {e.org_unit.pk: e for e in self.entries}
        return [by_pk[b.key] for b in domain.bottom(plain, n)]

    def as_json(self) -> dict[str, Any]:
        """The ``diaodu rank --json`` object (values as exact decimal strings; hidden values are null)."""
        return {
            "group": self.code,
            "group_name": self.name,
            "indicator": self.indicator.name,
            "indicator_code": self.indicator.code,
            "basis": self.basis,
            "value_unit": self.value_unit,
            "higher_is_better": self.higher_is_better,
            "month": f"{self.year:04d}-{self.month:02d}",
            "entries": [
                {
                    "org_unit": e.org_unit.name,
                    "org_unit_code": e.org_unit.code,
                    "value": None if e.shown_value is None else format(e.shown_value.normalize(), "f"),
                    "rank": e.rank,
                    "tied": e.tied,
                    "change": e.change,
                }
                for e in self.entries
            ],
        }


def default_basis(indicator: Indicator) -> Basis:
    return "growth" if indicator.measure == Measure.GROWTH else "value"


def get_group(group: PeerGroup | str) -> PeerGroup:
    if isinstance(group, PeerGroup):
        return group
    found = PeerGroup.objects.filter(Q(code=group) | Q(name=group)).first()
    if found is None:
        raise Http404(f"no peer group {group!r}")
    return found


def get_indicator(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    found = Indicator.objects.filter(Q(code=indicator) | Q(name=indicator)).first()
    if found is None:
        raise Http404(f"no indicator {indicator!r}")
    return found


def group_members(group: PeerGroup) -> list[OrgUnit]:
    """Members in a stable order: internal units first by the tree, then external peers by code."""
    return sorted(group.members.all(), key=lambda u: (u.is_external, u.sort_order, u.code))


def figures(
    indicator: Indicator, unit_ids: Iterable[int], *, year: int, months: Iterable[int], basis: Basis
) -> dict[int, dict[int, Decimal | None]]:
    """``{month: {unit id: figure}}`` from approved actuals (or the project library for computed indicators)."""
    unit_ids = list(unit_ids)
    months = sorted(set(months))
    series = load_series(
        {(indicator.pk, uid) for uid in unit_ids}, year=year, as_of_month=max(months), approved_only=True
    )
    out: dict[int, dict[int, Decimal | None]] = {m: dict.fromkeys(unit_ids) for m in months}
    for (_ind, uid), observations in series.items():
        for obs in observations:
            if obs.month in out:
                value = plan_domain.observed_growth(obs) if basis == "growth" else obs.ytd_value
                out[obs.month][uid] = value
    return out


def rank_units(
    units: Sequence[OrgUnit],
    indicator: Indicator | str,
    *,
    year: int,
    month: int,
    basis: Basis | None = None,
    user: Any = None,
    code: str = "",
    name: str = "",
) -> GroupRanking:
    """Rank ``units`` on ``indicator`` at ``month`` of ``year`` (three queries whatever the number of units)."""
    ind = get_indicator(indicator)
    basis = basis or default_basis(ind)
    higher = ind.direction != Direction.LOWER
    months = [month - 1, month] if month > 1 else [month]
    by_month = figures(ind, [u.pk for u in units], year=year, months=months, basis=basis)
    current = domain.rank(by_month[month], higher_is_better=higher)
    previous = (
        {e.key: e.rank for e in domain.rank(by_month[month - 1], higher_is_better=higher)}
        if month > 1
        else {}
    )
    scope = unit_scope(user, READ_PERMS) if user is not None else None
    units_by_pk = {u.pk: u for u in units}
    entries = [
        RankedUnit(
            org_unit=units_by_pk[e.key],
            value=e.value,
            rank=e.rank,
            tied=e.tied,
            change=domain.rank_change(e.rank, previous.get(e.key)),
            previous_rank=previous.get(e.key),
            from_bottom=domain.from_bottom(current, e),
            visible=scope is None or scope.covers_unit(e.key),
        )
        for e in current
    ]
    return GroupRanking(code, name, ind, year, month, basis, higher, entries)


def rank_group(
    group: PeerGroup | str,
    indicator: Indicator | str,
    *,
    year: int,
    month: int,
    basis: Basis | None = None,
    user: Any = None,
) -> GroupRanking:
    """Rank the members of a peer group (by code or name, e.g. ``"lyg-counties"``) on one indicator."""
    g = get_group(group)
    return rank_units(
        group_members(g), indicator, year=year, month=month, basis=basis, user=user, code=g.code, name=g.name
    )


@dataclass
class WeightedRanking:
    code: str
    name: str
    year: int
    month: int
    indicators: list[Indicator]
    weights: dict[str, Decimal]  # by indicator code
    entries: list[tuple[OrgUnit, domain.WeightedEntry[int], bool]]  # (unit, entry, values visible)


def rank_group_weighted(
    group: PeerGroup | str,
    weights: Mapping[Indicator | str, Decimal],
    *,
    year: int,
    month: int,
    user: Any = None,
) -> WeightedRanking:
    """Rank a group on a weighted set of indicators (each on its default basis, min–max scaled; see
    :func:`diaodu.reviews.domain.weighted_rank`). Every entry carries its per-indicator breakdown."""
    g = get_group(group)
    units = group_members(g)
    inds = [get_indicator(i) for i in weights]
    w = {get_indicator(i).code: Decimal(v) for i, v in weights.items()}
    values = {
        ind.code: figures(ind, [u.pk for u in units], year=year, months=[month], basis=default_basis(ind))[
            month
        ]
        for ind in inds
    }
    directions = {ind.code: ind.direction != Direction.LOWER for ind in inds}
    ranked = domain.weighted_rank(values, w, higher_is_better=directions)
    scope = unit_scope(user, READ_PERMS) if user is not None else None
    by_pk = {u.pk: u for u in units}
    entries = [(by_pk[e.key], e, scope is None or scope.covers_unit(e.key)) for e in ranked]
    return WeightedRanking(g.code, g.name, year, month, inds, w, entries)


def position_of(
    unit: OrgUnit | str,
    indicator: Indicator | str,
    *,
    year: int,
    month: int,
    group: PeerGroup | str | None = None,
) -> RankedUnit | None:
    """The unit's place in ``group`` (default: the first peer group it belongs to) — for "列全市第N位"."""
    u = unit if isinstance(unit, OrgUnit) else OrgUnit.objects.get(code=unit)
    g = get_group(group) if group is not None else u.peer_groups.order_by("code").first()
    if g is None:
        return None
    return rank_group(g, indicator, year=year, month=month).entry_for(u)
