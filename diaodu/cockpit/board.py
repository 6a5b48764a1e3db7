"""Read side of the cockpit (驾驶舱): which unit and month to show, and the rows to show for them.

Nothing here decides a status or a 时序进度: the numbers come from
:func:`diaodu.plans.evaluation.evaluate_targets` and the display helpers of :mod:`diaodu.plans.domain`.
This module only picks the targets, groups them and formats the figures for display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.accounts.scope import READ_PERMS, has_perm, unit_scope
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import domain
from diaodu.plans.domain import Observation
from diaodu.plans.evaluation import (
    BOARD_ORDER,
    INDICATOR_ORDER,
    ProjectRollupRows,
    SeriesKey,
    TargetResult,
    evaluate_targets,
    load_series,
    spec_for,
    status_counts,
    targets_for_unit,
    unit_targets,
)
from diaodu.plans.models import (
    PLAN_TEXT,
    Actual,
    ActualStatus,
    Comparator,
    Indicator,
    Level,
    Measure,
    Target,
)
from diaodu.plans.periods import Period, latest_plan_year

STATUS_LABELS = {
    domain.Status.GREEN: _("达到进度"),
    domain.Status.YELLOW: _("追补达标"),
    domain.Status.RED: _("未达进度"),
    domain.Status.GREY: _("暂无数据"),
}
STATUS_ORDER = (domain.Status.GREEN, domain.Status.YELLOW, domain.Status.RED, domain.Status.GREY)
COMPARATOR_SYMBOLS = {Comparator.GE: "≥", Comparator.LE: "≤", Comparator.APPROX: "≈", Comparator.EQ: "="}
LEVEL_BADGES = {Level.COMMITTED: _("确保"), Level.STRETCH: _("力争")}


# ----------------------------------------------------------------------------- access


def require_data_reader(user: Any) -> None:
    """Only people holding a data permission see the cockpit (the three administrators get 403)."""
    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied


def resolve_unit(user: Any, code: str | None, units: list[OrgUnit] | None = None) -> OrgUnit:
    """The unit asked for (404 unless visible) or the user's default: the top visible unit above their own.

    ``units``: the visible internal units already loaded (:func:`visible_units`), to pick from without a query.
    """
    if units is not None:
        return _pick_unit(user, code, units)
    visible = OrgUnit.objects.visible_to(user).internal()
    if code:
        unit = visible.filter(code=code).first()
        if unit is None:
            raise Http404
        return unit
    own = getattr(user, "org_unit", None)
    if own is not None:
        ancestor_ids = [int(p) for p in own.path.strip("/").split("/") if p]
        unit = visible.filter(pk__in=ancestor_ids).order_by("path").first()
        if unit is not None:
            return unit
    unit = visible.order_by("sort_order").first()
    if unit is None:
        raise Http404
    return unit


def _pick_unit(user: Any, code: str | None, units: list[OrgUnit]) -> OrgUnit:
    if code:
        unit = next((u for u in units if u.code == code), None)
        if unit is None:
            raise Http404
        return unit
    own = getattr(user, "org_unit", None)
    if own is not None:
        ancestor_ids = {int(p) for p in own.path.strip("/").split("/") if p}
        above = sorted((u for u in units if u.pk in ancestor_ids), key=lambda u: u.path)
        if above:
            return above[0]
    if not units:
        raise Http404
    return units[0]


def visible_units(user: Any) -> list[OrgUnit]:
    """The internal units ``user`` may see, in display order, with their parent (the breadcrumb): one query."""
    return list(OrgUnit.objects.visible_to(user).internal().select_related("parent").order_by("sort_order"))


def switcher_units(user: Any, units: list[OrgUnit] | None = None) -> list[tuple[OrgUnit, str]]:
    """(unit, indented label) for the org-unit select, limited to what the user may see."""
    units = visible_units(user) if units is None else units
    top = min((u.depth for u in units), default=0)
    return [(u, "　" * (u.depth - top) + u.name) for u in units]


# ----------------------------------------------------------------------------- period


def default_period(user: Any, *, today: dt.date | None = None) -> Period:
    """Latest month with approved data the user can see; else the current month (December of the latest
    plan year when that year is over)."""
    latest = (
        Actual.objects.visible_to(user)
        .filter(status=ActualStatus.APPROVED)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if latest:
        return Period(*latest)
    today = today or timezone.localdate()
    plan_year = latest_plan_year(today)
    if plan_year is not None and plan_year < today.year:
        return Period(plan_year, 12)
    return Period(today.year, today.month)


# ----------------------------------------------------------------------------- formatting


def fmt_number(value: Decimal | None, places: int = 2) -> str:
    """Display a figure with at most ``places`` decimals, trailing zeros dropped (12.50 -> 12.5)."""
    if value is None:
        return ""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def target_text(target: Target) -> str:
    relative_to = target.relative_to.name if target.relative_to is not None else ""
    return target_text_of(target.comparator, target.value, relative_to, target.indicator.unit)


def target_text_of(comparator: str, value: Decimal | None, relative_to: str, unit: str) -> str:
    """:func:`target_text` from the fields (``relative_to``: the other indicator's name, "" when none)."""
    symbol = COMPARATOR_SYMBOLS.get(Comparator(comparator), comparator)
    if value is None:
        return str(_("与“%(other)s”增速同步") % {"other": relative_to})
    return f"{symbol} {fmt_number(value, 4)}{unit}"


def actual_text(target: Target, ev: domain.Evaluation) -> str:
    return actual_text_of(target.indicator.measure, target.indicator.unit, ev.actual)


def actual_text_of(measure: str, unit: str, actual: Decimal | None) -> str:
    """:func:`actual_text` from the indicator's measure and unit and the figure."""
    if actual is None:
        return ""
    if measure == Measure.GROWTH:
        return f"{domain.round1(actual)}%"
    return f"{fmt_number(actual)}{unit}"


@dataclass(frozen=True)
class BoardRow:
    result: TargetResult

    @property
    def target(self) -> Target:
        return self.result.target

    @property
    def ev(self) -> domain.Evaluation:
        return self.result.evaluation

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[domain.Status(self.result.status)])

    @property
    def target_text(self) -> str:
        return target_text(self.target)

    @property
    def level_badge(self) -> str:
        badge = LEVEL_BADGES.get(Level(self.target.level))
        return str(badge) if badge else ""

    @property
    def actual_text(self) -> str:
        return actual_text(self.target, self.ev)

    @property
    def completion_text(self) -> str:
        return "" if self.ev.completion_pct is None else f"{domain.round1(self.ev.completion_pct)}%"

    @property
    def schedule_text(self) -> str:
        return "" if self.ev.schedule_pct is None else f"{domain.round1(self.ev.schedule_pct)}%"

    @property
    def points_text(self) -> str:
        return "" if self.ev.points_ahead is None else domain.format_points(self.ev.points_ahead)

    @property
    def points_behind(self) -> bool:
        return self.ev.points_ahead is not None and domain.round1(self.ev.points_ahead) < 0


@dataclass
class Section:
    name: str
    rows: list[BoardRow] = field(default_factory=list)


@dataclass
class Board:
    unit: OrgUnit
    period: Period
    include_below: bool
    sections: list[Section]
    counts: list[tuple[str, str, int]]  # (status, label, count)
    total: int
    results: list[TargetResult] = field(default_factory=list)
    # the targets' series of the year before (``build_board(with_last_year=True)``), for the cards' forecasts
    last_year: dict[SeriesKey, list[Observation]] | None = None
    # the unit's subtree project rollup rows of the year through the month, month -> row, when the series of its
    # computed indicators read them (``with_last_year``), for the overview's funnel and investment chart
    project_months: dict[int, dict[str, Any]] | None = None

    def own_results(self) -> list[TargetResult]:
        """The results of the unit's own targets (the cockpit's cards reuse them)."""
        return [r for r in self.results if r.target.org_unit_id == self.unit.pk]


def group_by_section(results: Iterable[TargetResult]) -> list[Section]:
    sections: dict[str, Section] = {}
    for result in results:
        name = result.target.section or str(_("其他"))
        sections.setdefault(name, Section(name)).rows.append(BoardRow(result))
    return list(sections.values())


def own_targets(unit: OrgUnit, year: int, indicator: Indicator | None = None) -> list[Target]:
    """Every target of ``unit`` of ``year``, in the board's order: what the board's queryset gives a user whose
    scope covers the unit, by a fixed statement (:func:`unit_targets`; no scope applies here: the caller checks
    that the scope covers the unit). ``indicator``: only its targets, in the indicator page's order
    (``sort_order``, id), what :func:`build_indicator_detail`'s queryset gives."""
    if indicator is None:
        return unit_targets(unit, year, order=BOARD_ORDER)
    return unit_targets(unit, year, order=INDICATOR_ORDER, indicator=indicator)


def build_board(
    user: Any, unit: OrgUnit, period: Period, *, include_below: bool, with_last_year: bool = False
) -> Board:
    """The targets of ``unit`` (and below) visible to ``user``, evaluated at ``period``: a constant number of
    queries whatever the number of targets. ``with_last_year``: read the targets' series of the year before in
    the same statements (``Board.last_year``, for the overview's forecasts), and keep the unit's project rollup
    rows when they read them (``Board.project_months``, for the overview's funnel and investment chart)."""
    visible = Target.objects.visible_to(user).filter(year=period.year)
    order = ("plan__year", "plan__code", "sort_order", "pk")
    targets: QuerySet[Target] | list[Target]
    if include_below:
        targets = targets_for_unit(visible, unit.path, include_below=True).order_by(*order)
    elif unit_scope(user, READ_PERMS).covers_unit(unit.pk):
        # the scope keeps every target of a unit it covers (visible_to: the target's unit in scope), so the unit's
        # own targets are all of them: read by a fixed statement, no queryset to build
        targets = own_targets(unit, period.year)
    else:  # the unit's own targets: their unit is the one at hand, so no join to read it again
        targets = list(
            visible.filter(org_unit=unit)
            .select_related("indicator", "relative_to", "plan")
            .defer(PLAN_TEXT)
            .order_by(*order)
        )
        for t in targets:
            t.org_unit = unit
    last_year: dict[SeriesKey, list[Observation]] | None = {} if with_last_year else None
    rollups: ProjectRollupRows = {}
    results = evaluate_targets(
        targets,
        year=period.year,
        as_of_month=period.month,
        last_year=last_year,
        rollups=rollups if with_last_year else None,
    )
    counts = status_counts(results)
    return Board(
        unit=unit,
        period=period,
        include_below=include_below,
        sections=group_by_section(results),
        counts=[(str(s), str(STATUS_LABELS[s]), counts[str(s)]) for s in STATUS_ORDER],
        total=len(results),
        results=results,
        last_year=last_year,
        project_months=rollups.get(period.year, {}).get(unit.pk),
    )


# ----------------------------------------------------------------------------- one indicator


@dataclass
class MonthRow:
    month: int
    actual_text: str
    growth_text: str
    base_text: str
    lights: list[tuple[str, str]]  # (status, label) per target, "" when no light that month


@dataclass
class IndicatorDetail:
    indicator: Indicator
    unit: OrgUnit
    year: int
    rows: list[BoardRow]
    months: list[MonthRow]
    chart: dict[str, Any]


def build_indicator_detail(user: Any, indicator: Indicator, unit: OrgUnit, year: int) -> IndicatorDetail:
    """``indicator`` at ``unit`` month by month in ``year``, with the targets ``user`` may see. The targets by a
    fixed statement when the user's scope covers the unit (it keeps every target there, as on the board), else
    through the scoped queryset."""
    targets: QuerySet[Target] | list[Target]
    if unit_scope(user, READ_PERMS).covers_unit(unit.pk):
        targets = own_targets(unit, year, indicator)
    else:
        targets = (
            Target.objects.visible_to(user)
            .filter(indicator=indicator, org_unit=unit, year=year)
            .order_by("sort_order", "pk")
        )
    results = evaluate_targets(targets, year=year, as_of_month=12)
    if results:  # each target's series is this indicator's at this unit, read by the evaluation
        series: Iterable[Observation] = results[0].observations
    else:
        computed = (
            {indicator.pk: (indicator.computed_from, indicator.unit)} if indicator.computed_from else {}
        )
        key = (indicator.pk, unit.pk)
        series = load_series({key}, year=year, as_of_month=12, computed=computed).get(key, ())
    observations = {o.month: o for o in series}
    is_growth = indicator.measure == Measure.GROWTH
    months = range(1, 13)

    def figure(m: int) -> Decimal | None:
        obs = observations.get(m)
        if obs is None:
            return None
        return domain.observed_growth(obs) if is_growth else obs.ytd_value

    target_lines = []
    for r in results:
        t = r.target
        if t.value is None:
            continue
        if not is_growth and t.indicator.accumulation == domain.Accumulation.YTD:
            total = spec_for(t).deadline_month or domain.MONTHS_IN_YEAR
            data = [fmt_number(t.value * domain.schedule_pct(min(m, total), total) / 100) for m in months]
        else:
            data = [fmt_number(t.value, 4) for _m in months]
        name = f"{_('目标')} {target_text(t)}" + (
            f"（{LEVEL_BADGES[Level(t.level)]}）" if t.level in LEVEL_BADGES else ""
        )
        target_lines.append({"name": name, "data": data})

    def num(value: Decimal | None) -> str | None:
        return None if value is None else fmt_number(value)

    chart = {
        "months": [f"{m}月" for m in months],
        "actualName": str(_("累计增速(%)") if is_growth else _("累计值") + f"({indicator.unit})"),
        "actual": [num(figure(m)) for m in months],
        "targets": target_lines,
        "baseName": str(_("上年同期累计值")) + (f"({indicator.entry_unit})" if indicator.entry_unit else ""),
        "base": [num(observations[m].base_value) if m in observations else None for m in months],
        "baseOnSecondAxis": is_growth,
    }
    monthly = [dict(r.evaluation.monthly) for r in results]
    rows = []
    for m in months:
        obs = observations.get(m)
        lights = [(str(ml[m]), str(STATUS_LABELS[ml[m]])) if m in ml else ("", "") for ml in monthly]
        if obs is None and not any(s for s, _l in lights):
            continue
        rows.append(
            MonthRow(
                month=m,
                actual_text=num(obs.ytd_value) or "" if obs else "",
                growth_text=fmt_number(domain.observed_growth(obs), 2)
                if obs and domain.observed_growth(obs) is not None
                else "",
                base_text=num(obs.base_value) or "" if obs else "",
                lights=lights,
            )
        )
    return IndicatorDetail(indicator, unit, year, [BoardRow(r) for r in results], rows, chart)
