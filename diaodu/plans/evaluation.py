"""Feed the pure evaluation rules (domain.py) from the database, in a constant number of queries.

Pages, the API, the CLI and reports all call :func:`evaluate_targets`; no status or 时序进度 is
computed anywhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from diaodu.plans import domain
from diaodu.plans.models import Actual, ActualStatus, Indicator, Target


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

    Entered actuals come in one query. Indicators declared ``computed_from`` a project metric take their
    observations from :mod:`diaodu.projects.metrics` instead (a constant number of further queries).
    ``computed`` maps indicator id -> (metric key, unit) when the caller has the indicators at hand already.
    """
    keys = set(keys)
    if not keys:
        return {}
    indicator_ids = {k[0] for k in keys}
    unit_ids = {k[1] for k in keys}
    qs = Actual.objects.filter(
        year=year, month__lte=as_of_month, indicator_id__in=indicator_ids, org_unit_id__in=unit_ids
    )
    if approved_only:
        qs = qs.filter(status=ActualStatus.APPROVED)
    if computed is None:
        computed = {
            pk: (key, unit)
            for pk, key, unit in Indicator.objects.filter(pk__in=indicator_ids)
            .exclude(computed_from="")
            .values_list("pk", "computed_from", "unit")
        }
    else:
        computed = {pk: v for pk, v in computed.items() if pk in indicator_ids}
    series: dict[SeriesKey, list[domain.Observation]] = defaultdict(list)
    rows = (
        qs.exclude(indicator_id__in=computed)
        .order_by("month")
        .values_list("indicator_id", "org_unit_id", "month", "ytd_value", "growth_pct", "base_value")
    )
    for indicator_id, unit_id, month, ytd, growth, base in rows:  # plain rows: no model instances to build
        key = (indicator_id, unit_id)
        if key in keys:
            series[key].append(
                domain.Observation(month=month, ytd_value=ytd, growth_pct=growth, base_value=base)
            )
    if computed:
        series.update(_computed_series(keys, computed, year=year, as_of_month=as_of_month))
    return series


def _computed_series(
    keys: set[SeriesKey], computed: Mapping[int, tuple[str, str]], *, year: int, as_of_month: int
) -> dict[SeriesKey, list[domain.Observation]]:
    """Observations of indicators declared ``computed_from`` a project metric, from the write-time project
    rollups (approved monthly reports, stage events, signings): one query whatever the number of targets."""
    from diaodu.projects.metrics import indicator_series

    requests = {k: computed[k[0]] for k in keys if k[0] in computed}
    values = indicator_series(requests, year=year, through_month=as_of_month)
    return {
        key: [domain.Observation(month=m, ytd_value=v) for m, v in points] for key, points in values.items()
    }


def reference_growth(observations: Iterable[domain.Observation]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for obs in observations:
        g = domain.observed_growth(obs)
        if g is not None:
            out[obs.month] = g
    return out


def evaluate_targets(
    targets: QuerySet[Target] | Iterable[Target], *, year: int, as_of_month: int, approved_only: bool = True
) -> list[TargetResult]:
    """Evaluate targets at ``as_of_month`` of ``year``; two queries whatever the number of targets."""
    if isinstance(targets, QuerySet):
        targets = targets.select_related("indicator", "org_unit", "relative_to", "plan")
    target_list = list(targets)
    keys: set[SeriesKey] = set()
    computed = computed_of(target_list)
    for t in target_list:
        keys.add((t.indicator_id, t.org_unit_id))
        if t.relative_to_id:
            keys.add((t.relative_to_id, t.org_unit_id))
    series = load_series(
        keys, year=year, as_of_month=as_of_month, approved_only=approved_only, computed=computed
    )
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
