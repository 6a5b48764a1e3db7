"""Write-time lights: each target's status as of the end of every month of its year (:class:`TargetLight`).

The statuses come from the same pure rules as everywhere else (:func:`diaodu.plans.domain.evaluate`, fed by
:func:`diaodu.plans.evaluation.load_series`); they are stored so that lists spanning many units (the cockpit's
behind list and the side-by-side columns of a city or a province) are one indexed query instead of an
evaluation of every target below a unit on each request.

Kept up to date inside the transaction of every change that moves a light:

* an actual becomes approved or stops being approved (plans.services) → :func:`refresh_series`;
* a plan is loaded (targets created or changed) → :func:`refresh_targets` for its targets;
* the project rollups of a unit change (projects.rollups) → :func:`refresh_computed` for the units above it;
* bulk writes (synthetic data, demo) → :func:`refresh_targets` / :func:`rebuild`.

:func:`check` compares the stored lights with a fresh evaluation (``diaodu plan lights --check``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from diaodu.audit import chain
from diaodu.core import dataversion
from diaodu.plans import domain
from diaodu.plans.evaluation import SeriesKey, load_series, reference_growth, spec_for
from diaodu.plans.models import Indicator, Target, TargetLight

MONTHS = range(1, 13)
BATCH = 2000


Light = tuple[str, Decimal | None, Decimal | None]  # status, actual, points ahead (as stored)
PLACES = Decimal(1).scaleb(-8)


def _light(ev: domain.Evaluation) -> Light:
    def q(d: Decimal | None) -> Decimal | None:
        return None if d is None else d.quantize(PLACES)

    return str(ev.status), q(ev.actual), q(ev.points_ahead)


def monthly_statuses(targets: Iterable[Target]) -> dict[int, dict[int, Light]]:
    """Target id -> month (1..12) -> (status, actual, points ahead) as of that month, as
    ``evaluate_targets(as_of_month=m)`` gives them.

    One load of each year's series (through December); each month then sees only the observations up to it.
    """
    by_year: dict[int, list[Target]] = defaultdict(list)
    for t in targets:
        by_year[t.year].append(t)
    out: dict[int, dict[int, Light]] = {}
    for year, group in by_year.items():
        keys: set[SeriesKey] = set()
        computed: dict[int, tuple[str, str]] = {}
        for t in group:
            keys.add((t.indicator_id, t.org_unit_id))
            if t.relative_to_id:
                keys.add((t.relative_to_id, t.org_unit_id))
            for ind in (t.indicator, t.relative_to):
                if ind is not None and ind.computed_from:
                    computed[ind.pk] = (ind.computed_from, ind.unit)
        series = load_series(keys, year=year, as_of_month=12, computed=computed)
        for t in group:
            spec = spec_for(t)
            observations = series.get((t.indicator_id, t.org_unit_id), [])
            reference = series.get((t.relative_to_id, t.org_unit_id), []) if t.relative_to_id else None
            statuses: dict[int, Light] = {}
            for m in MONTHS:
                ref = (
                    reference_growth(o for o in reference if o.month <= m) if reference is not None else None
                )
                statuses[m] = _light(domain.evaluate(spec, observations, m, reference_growth=ref))
            out[t.pk] = statuses
    return out


def _with_relations(qs: QuerySet[Target]) -> QuerySet[Target]:
    return qs.select_related("indicator", "relative_to")


def refresh_targets(targets: QuerySet[Target]) -> int:
    """Re-evaluate ``targets`` for every month and store the lights that changed. Returns rows written.

    Under the audit chain's lock (every writer takes it at its first audit row and holds it to the commit), from
    the evaluation to the write: two writers moving one target (two months of a series, or a series and its
    reference, approved at once) evaluate one after the other, the second seeing the first's data, and a writer
    holding the lock (a plan load, a project write) cannot deadlock with one holding a light row."""
    with transaction.atomic():
        chain.lock(connection.alias)
        dataversion.bump(connection.alias)
        return _store(monthly_statuses(_with_relations(targets).iterator(chunk_size=BATCH)))


def _store(statuses: dict[int, dict[int, Light]]) -> int:
    if not statuses:
        return 0
    stored: dict[tuple[int, int], tuple[int, Light]] = {}
    ids = list(statuses)
    for start in range(0, len(ids), BATCH):
        for pk, target_id, month, status, actual, points in TargetLight.objects.filter(
            target_id__in=ids[start : start + BATCH]
        ).values_list("pk", "target_id", "month", "status", "actual", "points"):
            stored[(target_id, month)] = (pk, (status, actual, points))
    create, update = [], []
    for target_id, months in statuses.items():
        for m, light in months.items():
            have = stored.get((target_id, m))
            status, actual, points = light
            row = TargetLight(target_id=target_id, month=m, status=status, actual=actual, points=points)
            if have is None:
                create.append(row)
            elif have[1] != light:
                row.pk = have[0]
                update.append(row)
    TargetLight.objects.bulk_create(create, batch_size=BATCH)
    TargetLight.objects.bulk_update(update, ["status", "actual", "points"], batch_size=BATCH)
    return len(create) + len(update)


def refresh_series(keys: Iterable[SeriesKey], year: int) -> int:
    """After the approved data of (indicator, unit) changed: the targets on it, and those relative to it."""
    q = Q()
    for indicator_id, unit_id in set(keys):
        q |= Q(indicator_id=indicator_id, org_unit_id=unit_id) | Q(
            relative_to_id=indicator_id, org_unit_id=unit_id
        )
    if not q:
        return 0
    return refresh_targets(Target.objects.filter(q, year=year))


def refresh_computed(unit_ids: Iterable[int], years: Iterable[int]) -> int:
    """After the project rollups of ``unit_ids`` changed: their targets on indicators computed from projects."""
    computed = Indicator.objects.exclude(computed_from="").values("pk")
    return refresh_targets(
        Target.objects.filter(
            Q(indicator__in=computed) | Q(relative_to__in=computed),
            org_unit_id__in=list(unit_ids),
            year__in=list(years),
        )
    )


@transaction.atomic
def rebuild(year: int | None = None) -> int:
    """Evaluate every target (of ``year``) afresh and store its lights."""
    chain.lock(connection.alias)  # as in refresh_targets()
    targets = Target.objects.all() if year is None else Target.objects.filter(year=year)
    TargetLight.objects.filter(target__in=targets.values("pk")).delete()
    return refresh_targets(targets)


def check(year: int | None = None) -> list[str]:
    """Stored lights that differ from a fresh evaluation (empty: exact)."""
    targets = Target.objects.all() if year is None else Target.objects.filter(year=year)
    want = monthly_statuses(_with_relations(targets).iterator(chunk_size=BATCH))
    have: dict[int, dict[int, Light]] = defaultdict(dict)
    for target_id, month, status, actual, points in TargetLight.objects.filter(
        target__in=targets.values("pk")
    ).values_list("target_id", "month", "status", "actual", "points"):
        have[target_id][month] = (status, actual, points)
    problems = []
    for target_id in sorted(set(want) | set(have)):
        for m in MONTHS:
            a, b = have.get(target_id, {}).get(m), want.get(target_id, {}).get(m)
            if a != b:
                problems.append(f"目标 {target_id} {m}月：存储为 {a or '无'}，重新评价为 {b or '无'}")
    return problems
