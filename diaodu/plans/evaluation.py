"""Feed the pure evaluation rules (domain.py) from the database, in a constant number of queries.

Pages, the API, the CLI and reports all call :func:`evaluate_targets`; no status or 时序进度 is
computed anywhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Q, QuerySet

from diaodu.core import rawrows
from diaodu.core.rawrows import plain_rows
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import domain
from diaodu.plans.models import PLAN_SPEECH_FIELDS, PLAN_TEXT, Actual, ActualStatus, Indicator, Plan, Target


@dataclass(frozen=True)
class TargetResult:
    target: Target
    evaluation: domain.Evaluation
    observations: tuple[domain.Observation, ...] = ()  # the target's series the evaluation was made on

    @property
    def status(self) -> str:
        return str(self.evaluation.status)


def spec_for(target: Target) -> domain.TargetSpec:
    ind = target.indicator
    return domain.TargetSpec(
        value=target.value,
        comparator=domain.Comparator(target.comparator),
        measure=domain.Measure(ind.measure),
        direction=domain.Direction(ind.direction),
        accumulation=domain.Accumulation(ind.accumulation),
        deadline_month=target.deadline.month
        if target.deadline and target.deadline.year == target.year
        else None,
    )


SeriesKey = tuple[int, int]  # (indicator_id, org_unit_id)
# year -> org unit id -> month -> the subtree rollup row's fields (diaodu.projects.metrics.subtree_rollups_years)
ProjectRollupRows = dict[int, dict[int, dict[int, dict[str, Any]]]]


def computed_of(targets: Iterable[Target]) -> dict[int, tuple[str, str]]:
    """Indicator id -> (metric key, unit) for the indicators of ``targets`` computed from projects (no query:
    the targets come with their indicators)."""
    out: dict[int, tuple[str, str]] = {}
    for t in targets:
        for ind in (t.indicator, t.relative_to):
            if ind is not None and ind.computed_from:
                out[ind.pk] = (ind.computed_from, ind.unit)
    return out


def load_series(
    keys: Iterable[SeriesKey],
    *,
    year: int,
    as_of_month: int,
    approved_only: bool = True,
    computed: Mapping[int, tuple[str, str]] | None = None,
) -> dict[SeriesKey, list[domain.Observation]]:
    """Observations per (indicator, org unit) for the year up to ``as_of_month``.

    Entered actuals come in one query (plain SQL: :func:`plain_rows`). Indicators declared ``computed_from`` a project metric take their
    observations from :mod:`diaodu.projects.metrics` instead (a constant number of further queries).
    ``computed`` maps indicator id -> (metric key, unit) when the caller has the indicators at hand already.
    """
    return load_series_years(keys, [(year, as_of_month)], approved_only=approved_only, computed=computed)[
        year
    ]


def load_series_years(
    keys: Iterable[SeriesKey],
    periods: Sequence[tuple[int, int]],
    *,
    approved_only: bool = True,
    computed: Mapping[int, tuple[str, str]] | None = None,
    rollups: ProjectRollupRows | None = None,
) -> dict[int, dict[SeriesKey, list[domain.Observation]]]:
    """:func:`load_series` of several years at once, ``periods`` (year, through month) of distinct years: year ->
    series, in as many statements as one year (the cockpit's table this year and its cards' forecasts the year
    before). ``rollups``: a dict filled with the subtree project rollup rows the computed indicators were read
    from, year -> unit id -> month -> row, for each unit of a computed indicator (none read: left empty)."""
    keys = set(keys)
    out: dict[int, dict[SeriesKey, list[domain.Observation]]] = {y: {} for y, _m in periods}
    if not keys or not periods:
        return out
    indicator_ids = {k[0] for k in keys}
    unit_ids = {k[1] for k in keys}
    if computed is None:
        computed = {
            pk: (key, unit)
            for pk, key, unit in Indicator.objects.filter(pk__in=indicator_ids)
            .exclude(computed_from="")
            .values_list("pk", "computed_from", "unit")
        }
    else:
        computed = {pk: v for pk, v in computed.items() if pk in indicator_ids}
    series: dict[int, dict[SeriesKey, list[domain.Observation]]] = {y: defaultdict(list) for y, _m in periods}
    entered = sorted(indicator_ids.difference(computed))
    months = " OR ".join("(year = %s AND month <= %s)" for _p in periods)
    where = (
        f"year IN ({_marks(periods)}) AND ({months}) AND indicator_id IN ({_marks(entered)})"
        f" AND org_unit_id IN ({_marks(unit_ids)})"
    )
    params: list[Any] = [
        *(y for y, _m in periods),
        *(v for p in periods for v in p),
        *entered,
        *sorted(unit_ids),
    ]
    if approved_only:
        where += " AND status = %s"
        params.append(str(ActualStatus.APPROVED))
    rows = plain_rows(Actual, ("year", *SERIES_COLUMNS), where, params, order_by="month") if entered else []
    for year, indicator_id, unit_id, month, ytd, growth, base in rows:
        key = (indicator_id, unit_id)
        if key in keys:
            series[year][key].append(
                domain.Observation(month=month, ytd_value=ytd, growth_pct=growth, base_value=base)
            )
    if computed:
        for year, values in _computed_series(keys, computed, periods, rollups).items():
            series[year].update(values)
    out.update(series)
    return out


SERIES_COLUMNS = ("indicator_id", "org_unit_id", "month", "ytd_value", "growth_pct", "base_value")


def _marks(values: Iterable[object]) -> str:
    return ", ".join("%s" for _v in values)


def _computed_series(
    keys: set[SeriesKey],
    computed: Mapping[int, tuple[str, str]],
    periods: Sequence[tuple[int, int]],
    rollups: ProjectRollupRows | None = None,
) -> dict[int, dict[SeriesKey, list[domain.Observation]]]:
    """Observations of indicators declared ``computed_from`` a project metric, from the write-time project
    rollups (approved monthly reports, stage events, signings): one query whatever the number of targets and
    years. ``rollups``: filled with the rollup rows read (:func:`load_series_years`)."""
    from diaodu.projects.metrics import indicator_series_years

    requests = {k: computed[k[0]] for k in keys if k[0] in computed}
    by_year = indicator_series_years(requests, periods, rows_read=rollups)
    return {
        year: {
            key: [domain.Observation(month=m, ytd_value=v) for m, v in points]
            for key, points in values.items()
        }
        for year, values in by_year.items()
    }


def reference_growth(observations: Iterable[domain.Observation]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for obs in observations:
        g = domain.observed_growth(obs)
        if g is not None:
            out[obs.month] = g
    return out


def evaluate_targets(
    targets: QuerySet[Target] | Iterable[Target],
    *,
    year: int,
    as_of_month: int,
    approved_only: bool = True,
    last_year: dict[SeriesKey, list[domain.Observation]] | None = None,
    rollups: ProjectRollupRows | None = None,
) -> list[TargetResult]:
    """Evaluate targets at ``as_of_month`` of ``year``; two queries whatever the number of targets.

    ``last_year``: a dict filled with the targets' series of the year before, through December, read by the same
    statements (:func:`load_series_years`; the cockpit's cards forecast from it). ``rollups``: a dict filled with
    the project rollup rows read for computed indicators (:func:`load_series_years`)."""
    if isinstance(targets, QuerySet):
        targets = targets.select_related("indicator", "org_unit", "relative_to", "plan").defer(PLAN_TEXT)
    target_list = list(targets)
    keys: set[SeriesKey] = set()
    computed = computed_of(target_list)
    for t in target_list:
        keys.add((t.indicator_id, t.org_unit_id))
        if t.relative_to_id:
            keys.add((t.relative_to_id, t.org_unit_id))
    periods = [(year, as_of_month)] if last_year is None else [(year, as_of_month), (year - 1, 12)]
    by_year = load_series_years(
        keys, periods, approved_only=approved_only, computed=computed, rollups=rollups
    )
    series = by_year[year]
    if last_year is not None:
        last_year.update(by_year[year - 1])
    results = []
    for t in target_list:
        ref = (
            reference_growth(series.get((t.relative_to_id, t.org_unit_id), ())) if t.relative_to_id else None
        )
        observations = tuple(series.get((t.indicator_id, t.org_unit_id), ()))
        ev = domain.evaluate(spec_for(t), observations, as_of_month, reference_growth=ref)
        results.append(TargetResult(t, ev, observations))
    return results


def status_counts(results: Iterable[TargetResult]) -> dict[str, int]:
    counts = {str(s): 0 for s in domain.Status}
    for r in results:
        counts[r.status] += 1
    return counts


def targets_for_unit(qs: QuerySet[Target], unit_path: str, *, include_below: bool) -> QuerySet[Target]:
    if include_below:
        return qs.filter(org_unit__path__startswith=unit_path)
    return qs.filter(Q(org_unit__path=unit_path))


UNIT_TARGETS_SQL = """
SELECT {target}, {plan}, {indicator}, {relative_to}
FROM plans_target t
INNER JOIN plans_plan p ON p.id = t.plan_id
INNER JOIN plans_indicator i ON i.id = t.indicator_id
LEFT OUTER JOIN plans_indicator r ON r.id = t.relative_to_id
WHERE t.org_unit_id = %s AND t.year = %s{of_indicator}
ORDER BY {order}
"""
# The orders of the querysets the statement stands in for:
PLAN_ORDER = (
    "p.year DESC, p.code, t.sort_order, t.id"  # order_by("plan", "sort_order", "pk"): newest plan first
)
BOARD_ORDER = "p.year, p.code, t.sort_order, t.id"  # order_by("plan__year", "plan__code", "sort_order", "pk")
INDICATOR_ORDER = "t.sort_order, t.id"  # order_by("sort_order", "pk"): one indicator's targets at a unit


def unit_targets(
    unit: OrgUnit, year: int, *, order: str = PLAN_ORDER, indicator: Indicator | None = None
) -> list[Target]:
    """Every target of ``unit`` of ``year`` (of ``indicator`` only, if given) with their plan (without its
    speech), indicator and the indicator they follow (``relative_to``) loaded and ``unit`` as their unit, by a
    fixed statement (:data:`UNIT_TARGETS_SQL`): what ``Target.objects.visible_to(user)`` gives of the unit when the
    user's scope covers it (the scope keeps every target of a unit it covers). No scope applies here: the caller
    checks that the scope covers the unit. ``order``: :data:`PLAN_ORDER`, :data:`BOARD_ORDER` or
    :data:`INDICATOR_ORDER`. Instances converted as the ORM converts them (:mod:`diaodu.core.rawrows`)."""
    if order not in (PLAN_ORDER, BOARD_ORDER, INDICATOR_ORDER):
        raise ValueError(f"unknown order: {order}")
    using = router.db_for_read(Target)  # where the queryset would read
    sql = UNIT_TARGETS_SQL.format(
        target=rawrows.columns(Target, "t", using),
        plan=rawrows.columns(Plan, "p", using, PLAN_SPEECH_FIELDS),
        indicator=rawrows.columns(Indicator, "i", using),
        relative_to=rawrows.columns(Indicator, "r", using),
        of_indicator="" if indicator is None else " AND t.indicator_id = %s",
        order=order,
    )
    params = [unit.pk, year] if indicator is None else [unit.pk, year, indicator.pk]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n_target, n_plan = rawrows.width(Target, using), rawrows.width(Plan, using, PLAN_SPEECH_FIELDS)
    n_indicator = rawrows.width(Indicator, using)
    out = []
    for row in rows:
        t = rawrows.instance(Target, using, row[:n_target])
        i = n_target + n_plan
        t.plan = rawrows.instance(Plan, using, row[n_target:i], PLAN_SPEECH_FIELDS)
        t.indicator = rawrows.instance(Indicator, using, row[i : i + n_indicator])
        other = row[i + n_indicator :]
        t.relative_to = None if other[0] is None else rawrows.instance(Indicator, using, other)
        t.org_unit = unit
        out.append(t)
    return out
