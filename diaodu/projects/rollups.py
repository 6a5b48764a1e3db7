"""Write-time rollups of the project metrics: one row per org unit, year and month (:class:`ProjectRollup`).

Every figure behind the cockpit's project parts and the plan indicators ``computed_from`` a project metric is a
sum over projects (counts, amounts, numerators and denominators of rates). A project's contribution to each
month of a year is computed by :func:`contributions` (pure, from :class:`metrics.ProjectData`); the unit's
*own* rows hold the sum over its own projects and its *subtree* rows the sum over every unit below it.

The services call :func:`refresh` with the units whose projects they changed, inside their transaction: the
units are locked (one writer per unit at a time), their own rows recomputed from their projects, and the
difference added to the subtree rows of the unit and each ancestor (``value = value + delta`` in the
database, so concurrent writers below a common ancestor add up). Reads are one indexed query whatever the
size of the subtree. :func:`rebuild` recomputes everything (after bulk writes: demo, synthetic data) and
:func:`check` compares the stored rows with a fresh computation (``diaodu projects rollups --check``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from diaodu.audit import chain
from diaodu.core import dataversion
from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain
from diaodu.projects.domain import Stage

INT_FIELDS: tuple[str, ...] = (
    "projects",
    "key_count",
    "city_key_count",
    "county_key_count",
    "key_planned_count",
    "key_behind",
    "new_key_planned",
    "new_key_started",
    "city_new_key_planned",
    "city_new_key_started",
    "signed_ge_1yi",
    "signed_ge_10yi",
    "signed_ge_50yi",
    "signed_ge_100yi",
    "started_ge_1yi",
    "completed_ge_1yi",
    *(f"reached_{s}" for s in domain.PIPELINE[1:]),
)
WAN_FIELDS: tuple[str, ...] = (
    "key_total_wan",
    "city_key_total_wan",
    "county_key_total_wan",
    "key_ytd_wan",
    "city_key_ytd_wan",
    "county_key_ytd_wan",
    "key_plan_wan",
    "key_planned_ytd_wan",
)
FIELDS: tuple[str, ...] = INT_FIELDS + WAN_FIELDS
MONTHS = range(1, 13)
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_LEVEL_PREFIX = {domain.Level.CITY: "city_", domain.Level.COUNTY: "county_"}

Vector = list[Any]  # values in FIELDS order (ints, then Decimals)


def zero() -> Vector:
    return [0] * len(INT_FIELDS) + [Decimal(0)] * len(WAN_FIELDS)


# ----------------------------------------------------------------------------- pure: a project's contribution


def contributions(data: Any, year: int) -> dict[int, dict[int, Vector]]:
    """Project id -> month (1..12) -> its contribution vector, from ``metrics.load(year, 12, ...)``."""
    idx = _INDEX
    ends = {m: domain.month_end(year, m) for m in MONTHS}
    signings: dict[int, list[domain.Signing]] = defaultdict(list)
    for s in data.signings:
        signings[s.project_id].append(s)
    out: dict[int, dict[int, Vector]] = {}
    for pid, base in data.base.items():
        y = data.years.get(pid, {})
        is_key = bool(y.get("is_key", False))
        level = y.get("key_level", domain.Level.NONE)
        prefix = _LEVEL_PREFIX.get(level)
        plan = y.get("planned_investment_wan", Decimal(0)) or Decimal(0)
        total = base["total_investment_wan"]
        const = zero()
        const[idx["projects"]] = 1
        if is_key:
            const[idx["key_count"]] = 1
            const[idx["key_total_wan"]] = total
            const[idx["key_plan_wan"]] = plan
            if prefix:
                const[idx[f"{prefix}key_count"]] = 1
                const[idx[f"{prefix}key_total_wan"]] = total
            if plan > 0:
                const[idx["key_planned_count"]] = 1
            if y.get("is_new", False):
                const[idx["new_key_planned"]] = 1
                if level == domain.Level.CITY:
                    const[idx["city_new_key_planned"]] = 1
        reached = data.reached(pid)
        big_industry = base["category"] == domain.Category.INDUSTRY and total >= domain.TIERS[0][1]
        counted = [c for c in domain.counted_signings(signings.get(pid, ())) if c.on.year == year]
        ytd_points = data.ytd.get(pid, ())
        months: dict[int, Vector] = {}
        for m in MONTHS:
            on = ends[m]
            vec = list(const)
            ytd = Decimal(0)
            for month, value in ytd_points:
                if month <= m:
                    ytd = value
            if is_key and ytd:
                vec[idx["key_ytd_wan"]] = ytd
                if prefix:
                    vec[idx[f"{prefix}key_ytd_wan"]] = ytd
                if plan > 0:
                    vec[idx["key_planned_ytd_wan"]] = ytd
            if (
                is_key and plan > 0 and ytd * 12 < plan * m
            ):  # the cockpit's "behind" rule (metrics.behind_schedule)
                vec[idx["key_behind"]] = 1
            started_on = reached.get(Stage.STARTED)
            if is_key and y.get("is_new", False) and started_on is not None and started_on <= on:
                vec[idx["new_key_started"]] = 1
                if level == domain.Level.CITY:
                    vec[idx["city_new_key_started"]] = 1
            if big_industry:
                for stage, name in ((Stage.STARTED, "started_ge_1yi"), (Stage.COMPLETED, "completed_ge_1yi")):
                    when = reached.get(stage)
                    if when is not None and when <= on and when.year == year:
                        vec[idx[name]] = 1
            for stage in domain.PIPELINE[1:]:
                when = reached.get(stage)
                if when is not None and when <= on:
                    vec[idx[f"reached_{stage}"]] = 1
            for tier, count in domain.tier_counts(c.amount_wan for c in counted if c.on <= on).items():
                vec[idx[f"signed_{tier}"]] = count
            months[m] = vec
        out[pid] = months
    return out


def add_into(target: Vector, other: Sequence[Any], sign: int = 1) -> None:
    for i, value in enumerate(other):
        if value:
            target[i] += value if sign > 0 else -value


def unit_vectors(data: Any, year: int) -> dict[int, dict[int, Vector]]:
    """Own org unit id -> month -> the sum of its projects' contributions."""
    out: dict[int, dict[int, Vector]] = {}
    for pid, months in contributions(data, year).items():
        unit_id = data.base[pid]["org_unit_id"]
        per_unit = out.setdefault(unit_id, {m: zero() for m in MONTHS})
        for m, vec in months.items():
            add_into(per_unit[m], vec)
    return out


def ancestor_ids(path: str) -> list[int]:
    """The ids on a materialised path ("/1/4/9/" -> [1, 4, 9]): the unit and everything above it."""
    return [int(p) for p in path.strip("/").split("/") if p]


# ----------------------------------------------------------------------------- the database side


def _load(year: int, projects: Any) -> Any:
    from diaodu.projects import metrics

    return metrics.load(year, 12, projects)


def rollup_years(unit_ids: Iterable[int] = ()) -> list[int]:
    """The years kept: every plan year and every year a project has a plan for. With ``unit_ids``: the years
    built already (:func:`built_years`) and those the projects of these units have a plan for."""
    from diaodu.plans.models import Plan
    from diaodu.projects.models import ProjectYear

    years = set(Plan.objects.values_list("year", flat=True).distinct())
    py = ProjectYear.objects.all()
    unit_ids = list(unit_ids)
    if unit_ids:
        py = py.filter(project__org_unit_id__in=unit_ids)
        years |= built_years()
    years |= set(py.values_list("year", flat=True).distinct())
    return sorted(years)


def built_years() -> set[int]:
    """The years whose rows exist (built for every unit by :func:`rebuild`, then kept by :func:`refresh`). Read
    from the root units' subtree rows, which every unit's rows add to: a few indexed rows per year."""
    from diaodu.projects.models import ProjectRollup

    return set(
        ProjectRollup.objects.filter(subtree=True, org_unit__parent__isnull=True)
        .values_list("year", flat=True)
        .distinct()
    )


def _own_rows(unit_ids: Iterable[int], year: int) -> dict[int, dict[int, Vector]]:
    from diaodu.projects.models import ProjectRollup

    out: dict[int, dict[int, Vector]] = {}
    for row in ProjectRollup.objects.filter(org_unit_id__in=list(unit_ids), year=year, subtree=False).values(
        "org_unit_id", "month", *FIELDS
    ):
        out.setdefault(row["org_unit_id"], {m: zero() for m in MONTHS})[row["month"]] = [
            row[f] for f in FIELDS
        ]
    return out


def _upsert(rows: list[tuple[int, int, int, bool, Vector]], *, increment: bool) -> None:
    """Insert (unit, year, month, subtree, vector) rows; on conflict set (own) or add to (subtree) the values."""
    if not rows:
        return
    from diaodu.projects.models import ProjectRollup

    table = connection.ops.quote_name(ProjectRollup._meta.db_table)
    columns = ["org_unit_id", "year", "month", "subtree", *FIELDS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(
        f"{connection.ops.quote_name(f)} = "
        + (f"{table}.{connection.ops.quote_name(f)} + excluded.{connection.ops.quote_name(f)}" if increment
           else f"excluded.{connection.ops.quote_name(f)}")
        for f in FIELDS
    )  # fmt: skip
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3]))  # one lock order for every writer
    batch = max(1, 900 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for unit_id, year, month, subtree, vec in chunk:
                params += [unit_id, year, month, subtree, *vec]
            # Only quoted column names of this model and %s placeholders are formatted in; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {', '.join([placeholder] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT (org_unit_id, year, month, subtree) DO UPDATE SET {updates}",
                params,
            )


def refresh(unit_ids: Iterable[int], years: Iterable[int] | None = None) -> int:
    """Bring the rollups of ``unit_ids`` (the units whose own projects changed) and their ancestors up to date.

    Call inside the transaction that changed the projects, after the change. Returns the rows written.
    """
    from diaodu.projects.models import Project

    unit_ids = sorted({u for u in unit_ids if u is not None})
    if not unit_ids:
        return 0
    written = 0
    with transaction.atomic():
        # The audit chain's lock first (every writer takes it at its first audit row and holds it to the commit):
        # the unit and rollup rows below are then locked by its holder only, so a writer that audits before it
        # refreshes (create_project, update_project, a stage recorded after a signing or an approval) and one
        # that refreshes before it audits cannot deadlock on an ancestor's rows (test_rollup_locks.py).
        chain.lock(connection.alias)
        dataversion.bump(connection.alias)
        # One writer per unit at a time: the own rows are read, recomputed and replaced under this lock. NO KEY
        # UPDATE: other transactions' foreign-key checks on the unit (KEY SHARE) are not blocked by it.
        paths = dict(
            OrgUnit.objects.select_for_update(no_key=True)
            .filter(pk__in=unit_ids)
            .order_by("pk")
            .values_list("pk", "path")
        )
        built = built_years()
        for year in sorted(set(years) if years is not None else rollup_years(unit_ids)):
            if year not in built:
                # A year not kept until now (a project's plan for next year, before next year's plan file):
                # built for every unit, as a plan load does, not for these units only.
                written += rebuild([year])
                continue
            data = _load(year, Project.objects.filter(org_unit_id__in=unit_ids))
            new = unit_vectors(data, year)
            old = _own_rows(unit_ids, year)
            own_rows: list[tuple[int, int, int, bool, Vector]] = []
            deltas: dict[tuple[int, int], Vector] = {}
            for unit_id in unit_ids:
                for m in MONTHS:
                    after = new.get(unit_id, {}).get(m) or zero()
                    before = old.get(unit_id, {}).get(m) or zero()
                    if after == before:
                        continue
                    own_rows.append((unit_id, year, m, False, after))
                    delta = list(after)
                    add_into(delta, before, sign=-1)
                    for ancestor in ancestor_ids(paths.get(unit_id, "")):
                        add_into(deltas.setdefault((ancestor, m), zero()), delta)
            _upsert(own_rows, increment=False)
            _upsert([(u, year, m, True, vec) for (u, m), vec in deltas.items()], increment=True)
            written += len(own_rows) + len(deltas)
            if deltas:
                # The lights of targets computed from these figures (plans/lights.py), in the same transaction.
                from diaodu.plans import lights

                lights.refresh_computed({u for u, _m in deltas}, [year])
    return written


def refresh_projects(project_ids: Iterable[int], years: Iterable[int] | None = None) -> int:
    """:func:`refresh` for the units of these projects (as they are now)."""
    from diaodu.projects.models import Project

    units = set(Project.objects.filter(pk__in=list(project_ids)).values_list("org_unit_id", flat=True))
    return refresh(units, years)


def compute_all(year: int) -> tuple[dict[int, dict[int, Vector]], dict[int, dict[int, Vector]]]:
    """(own, subtree) vectors of every unit for ``year``, from scratch."""
    from diaodu.projects.models import Project

    own = unit_vectors(_load(year, Project.objects.all()), year)
    paths = dict(OrgUnit.objects.filter(pk__in=list(own)).values_list("pk", "path"))
    subtree: dict[int, dict[int, Vector]] = {}
    for unit_id, months in own.items():
        for ancestor in ancestor_ids(paths[unit_id]):
            per = subtree.setdefault(ancestor, {m: zero() for m in MONTHS})
            for m, vec in months.items():
                add_into(per[m], vec)
    return own, subtree


@transaction.atomic
def rebuild(years: Iterable[int] | None = None) -> int:
    """Recompute every rollup row (after bulk writes that bypass the services). Returns the rows written."""
    from diaodu.projects.models import ProjectRollup

    chain.lock(connection.alias)  # as in refresh()
    dataversion.bump(connection.alias)
    years = sorted(set(years)) if years is not None else rollup_years()
    ProjectRollup.objects.filter(year__in=years).delete()
    objs = []
    for year in years:
        own, subtree = compute_all(year)
        for subtree_flag, vectors in ((False, own), (True, subtree)):
            for unit_id, months in vectors.items():
                for m, vec in months.items():
                    objs.append(
                        ProjectRollup(
                            org_unit_id=unit_id, year=year, month=m, subtree=subtree_flag,
                            **dict(zip(FIELDS, vec, strict=True)),
                        )
                    )  # fmt: skip
    ProjectRollup.objects.bulk_create(objs, batch_size=2000)
    from diaodu.plans import lights
    from diaodu.plans.models import Target

    lights.refresh_targets(Target.objects.filter(year__in=years))
    return len(objs)


def ensure_year(year: int) -> int:
    """Build the rollups of ``year`` unless it has rows already (a plan for a new year was loaded)."""
    if year in built_years():
        return 0
    return rebuild([year])


def check(years: Iterable[int] | None = None) -> list[str]:
    """Differences between the stored rows and a fresh computation (empty: the rollups are exact)."""
    from diaodu.projects.models import ProjectRollup

    problems: list[str] = []
    for year in sorted(set(years)) if years is not None else rollup_years():
        own, subtree = compute_all(year)
        stored: dict[tuple[bool, int, int], Vector] = {}
        for row in ProjectRollup.objects.filter(year=year).values("org_unit_id", "month", "subtree", *FIELDS):
            stored[(row["subtree"], row["org_unit_id"], row["month"])] = [row[f] for f in FIELDS]
        expected = {
            (flag, u, m): vec
            for flag, vectors in ((False, own), (True, subtree))
            for u, months in vectors.items()
            for m, vec in months.items()
        }
        for key in sorted(set(stored) | set(expected)):
            want = expected.get(key) or zero()
            have = stored.get(key) or zero()
            if want != have:
                diff = {f: (have[i], want[i]) for i, f in enumerate(FIELDS) if have[i] != want[i]}
                problems.append(
                    f"{year}年 单位 {key[1]} {key[2]}月 {'下辖合计' if key[0] else '本级'}: {diff}"
                )
    return problems


# ----------------------------------------------------------------------------- reads


def subtree_rows(
    unit_ids: Iterable[int], *, year: int, through_month: int = 12
) -> dict[int, dict[int, Mapping[str, Any]]]:
    """Unit id -> month -> the subtree figures (field -> value), one query. Units without projects: absent."""
    from diaodu.projects.models import ProjectRollup

    out: dict[int, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for row in ProjectRollup.objects.filter(
        org_unit_id__in=list(unit_ids), year=year, month__lte=through_month, subtree=True, projects__gt=0
    ).values("org_unit_id", "month", *FIELDS):
        out[row["org_unit_id"]][row["month"]] = row
    return out


def visible_months(user: Any, unit: Any, *, year: int, through_month: int = 12) -> dict[int, dict[str, Any]]:
    """Month -> the figures of the projects below ``unit`` that ``user`` may see: the unit's subtree rows when
    the user sees the whole subtree, else the sum of the own rows of the visible units in it (through the scope
    layer). Two queries whatever the number of projects."""
    from django.db.models import Sum

    from diaodu.accounts.scope import sees_whole_subtree
    from diaodu.projects.models import ProjectRollup

    if sees_whole_subtree(user, unit):
        return {m: dict(row) for m, row in subtree_rows([unit.pk], year=year, through_month=through_month)
                .get(unit.pk, {}).items()}  # fmt: skip
    units = OrgUnit.objects.visible_to(user).filter(path__startswith=unit.path).values("pk")
    rows = (
        ProjectRollup.objects.filter(org_unit__in=units, subtree=False, year=year, month__lte=through_month)
        .values("month")
        .annotate(**{f"total_{f}": Sum(f) for f in FIELDS})
        .order_by("month")
    )
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        out[row["month"]] = {f: row[f"total_{f}"] or 0 for f in FIELDS}
    return out
