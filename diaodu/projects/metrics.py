"""Feed the pure project metrics (domain.py) from the database, in a constant number of queries.

:func:`load` reads everything the metrics need for one year up to a month (five queries, whatever the number
of projects); :func:`summary` builds the CLI/API object of issue 3 point 11; :func:`indicator_series` gives the
monthly observations of plan indicators declared ``computed_from`` a metric key (see :data:`METRICS`).
Amounts are 万元 and rates fractions throughout; conversion to an indicator's unit is explicit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from diaodu.projects import domain
from diaodu.projects.domain import ProjectRow, Stage
from diaodu.projects.models import MonthlyReport, Project, ProjectYear, Signing, StageEvent


@dataclass
class ProjectData:
    """The raw facts of one year up to ``through_month`` for a set of projects."""

    year: int
    through_month: int
    base: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> project fields (+ "path")
    years: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> ProjectYear fields for ``year``
    events: dict[int, list[tuple[str, dt.date]]] = field(default_factory=lambda: defaultdict(list))
    signings: list[domain.Signing] = field(default_factory=list)
    ytd: dict[int, list[tuple[int, Decimal]]] = field(default_factory=lambda: defaultdict(list))  # approved

    def ytd_at(self, project_id: int, month: int) -> Decimal:
        value = Decimal(0)
        for m, ytd in self.ytd.get(project_id, ()):
            if m <= month:
                value = ytd
        return value

    def reached(self, project_id: int) -> Mapping[Stage, dt.date]:
        """First date of each stage (computed once per project: it does not depend on the month asked)."""
        cache: dict[int, Mapping[Stage, dt.date]] = self.__dict__.setdefault("_reached", {})
        if project_id not in cache:
            cache[project_id] = domain.first_reached(self.events.get(project_id, ()))
        return cache[project_id]

    def rows(self, month: int, ids: Iterable[int] | None = None) -> dict[int, ProjectRow]:
        """Plain rows as of the end of ``month`` (stages reached after it are ignored by the metrics)."""
        out: dict[int, ProjectRow] = {}
        for pid in self.base if ids is None else ids:
            b = self.base[pid]
            y = self.years.get(pid, {})
            out[pid] = ProjectRow(
                id=pid,
                total_investment_wan=b["total_investment_wan"],
                chain=b["chain"],
                category=b["category"],
                is_key=y.get("is_key", False),
                level=y.get("key_level", domain.Level.NONE),
                is_new=y.get("is_new", False),
                annual_plan_wan=y.get("planned_investment_wan", Decimal(0)),
                planned_start_quarter=y.get("planned_start_quarter"),
                reached=self.reached(pid),
                recognised_on=b["recognised_on"],
                ytd_wan=self.ytd_at(pid, month),
            )
        return out


def load(year: int, through_month: int, projects: QuerySet[Project] | None = None) -> ProjectData:
    """Five queries: projects, their plans for ``year``, events, signings and approved reports."""
    qs = projects if projects is not None else Project.objects.all()
    end = domain.month_end(year, through_month)
    data = ProjectData(year, through_month)
    for row in qs.values(
        "id", "total_investment_wan", "chain", "category", "recognised_on", "org_unit_id", "org_unit__path"
    ):
        base: dict[str, Any] = dict(row)
        base["path"] = base.pop("org_unit__path")
        data.base[base["id"]] = base
    # Cheap orderings below: the models' default orderings sort by project, which joins the project and unit
    # tables only to sort (minutes on a province-sized database). Events and signings keep date order.
    ids = qs.order_by().values("id")
    for y in (
        ProjectYear.objects.filter(project__in=ids, year=year)
        .order_by()
        .values(
            "project_id", "is_key", "key_level", "is_new", "planned_investment_wan", "planned_start_quarter"
        )
    ):
        data.years[y["project_id"]] = dict(y)
    for pid, stage, on in (
        StageEvent.objects.filter(project__in=ids, on__lte=end)
        .order_by("on", "pk")
        .values_list("project_id", "stage", "on")
    ):
        data.events[pid].append((stage, on))
    chains = {pid: b["chain"] for pid, b in data.base.items()}
    data.signings = [
        domain.Signing(pid, on, domain.SigningKind(kind), amount, chains.get(pid, domain.Chain.OTHER))
        for pid, on, kind, amount in Signing.objects.filter(project__in=ids, on__lte=end)
        .order_by("on", "pk")
        .values_list("project_id", "on", "kind", "amount_wan")
    ]
    for pid, month, ytd in (
        MonthlyReport.objects.filter(
            project__in=ids,
            year=year,
            month__lte=through_month,
            status__in=list(domain.COUNTED_REPORT_STATES),
        )
        .order_by("month")
        .values_list("project_id", "month", "ytd_wan")
    ):
        data.ytd[pid].append((month, ytd))
    return data


def jsonable(value: Any) -> Any:
    """Decimals as JSON numbers (integral ones as ints; fractions to 6 places), recursively (CLI and API)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(round(value, 6))
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def summary(
    data: ProjectData, *, month: int | None = None, cohort: domain.Cohort | None = None
) -> dict[str, Any]:
    """The metrics object (issue 3 point 11): amounts in 万元, rates as fractions (None: nothing to measure).

    ``cohort`` (default: first signed in the year up to the month) is the signing cohort of 转化开工率 and 认定率.
    """
    month = month or data.through_month
    year = data.year
    on = domain.month_end(year, month)
    rows = data.rows(month)
    cohort = cohort or domain.Cohort(dt.date(year, 1, 1), on)
    signings = [s for s in data.signings if s.on <= on]
    counted = domain.counted_signings(signings)
    members = domain.cohort_ids(signings, cohort)
    planned, started, start_rate = domain.start_rate(rows.values(), on)
    continuing, on_time, continuing_rate = domain.continuing_on_schedule(rows.values(), month)
    year_counted = [s for s in counted if s.on.year == year]
    return {
        "key_projects": domain.key_project_summary(rows.values()),
        "start_rate": {
            "new_planned": planned,
            "new_started": started,
            "rate": start_rate,
            "q1_target": domain.START_RATE_Q1_TARGET,
            "q2_target": domain.START_RATE_Q2_TARGET,
        },
        "continuing_on_schedule": {"continuing": continuing, "on_schedule": on_time, "rate": continuing_rate},
        "signed": domain.signed_tiers(counted, year, on),
        "conversion_start_rate": domain.conversion_start_rate(rows, members, on),
        "recognition_rate": domain.recognition_rate(rows, members, on),
        "stats_entry_rate": domain.stats_entry_rate(rows.values(), year, on),
        "industry_concentration": domain.industry_concentration(year_counted),
    }


def zone_id(path: str) -> int | None:
    """The 板块 a project belongs to: the unit right below the county in its unit's path (a zone or a town)."""
    parts = [p for p in path.strip("/").split("/") if p]
    return int(parts[1]) if len(parts) > 1 else None


def breakdowns(
    data: ProjectData, month: int, zone_names: Mapping[int, str]
) -> dict[str, dict[str, domain.GroupTotals]]:
    """The year's key projects as of ``month``, in counts and amounts by tier, level, zone, chain and stage."""
    rows = [r for r in data.rows(month).values() if r.is_key]
    on = domain.month_end(data.year, month)

    def tier(r: ProjectRow) -> str:
        name = domain.tier_of(r.total_investment_wan)
        return domain.TIER_LABELS[name] if name else "1亿元以下"

    def zone(r: ProjectRow) -> str:
        zid = zone_id(data.base[r.id]["path"])
        return zone_names.get(zid, "县本级") if zid is not None else "县本级"

    def stage(r: ProjectRow) -> str:
        reached = {s: d for s, d in r.reached.items() if d <= on}
        current = domain.current_stage(reached)
        return domain.STAGE_LABELS[current] if current else domain.STAGE_LABELS[Stage.NEGOTIATING]

    order = {label: i for i, label in enumerate([*domain.TIER_LABELS.values(), "1亿元以下"])}
    stage_order = {label: i for i, label in enumerate(domain.STAGE_LABELS.values())}
    return {
        "tier": dict(sorted(domain.group_totals(rows, tier).items(), key=lambda kv: order[kv[0]])),
        "level": domain.group_totals(rows, lambda r: domain.LEVEL_LABELS.get(r.level, r.level)),
        "zone": domain.group_totals(rows, zone),
        "chain": domain.group_totals(rows, lambda r: domain.CHAIN_LABELS.get(r.chain, r.chain)),
        "stage": dict(sorted(domain.group_totals(rows, stage).items(), key=lambda kv: stage_order[kv[0]])),
    }


def key_years_with_ytd(projects: QuerySet[Project], year: int, month: int) -> QuerySet[ProjectYear]:
    """The year's key-project plans of ``projects``, largest annual plan first, each annotated with ``ytd``: the
    approved year-to-date investment as of ``month`` (a correlated subquery on the report's unique index)."""
    latest = (
        MonthlyReport.objects.filter(
            project=OuterRef("project"),
            year=year,
            month__lte=month,
            status__in=list(domain.COUNTED_REPORT_STATES),
        )
        .order_by("-month")
        .values("ytd_wan")[:1]
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    return (
        ProjectYear.objects.filter(project__in=projects.values("pk"), year=year, is_key=True)
        .annotate(ytd=Coalesce(Subquery(latest, output_field=money), Value(Decimal(0)), output_field=money))
        .select_related("project__org_unit")
        .order_by("-planned_investment_wan", "project_id")
    )


# Below the 序时计划 (annual plan × month / 12; exact: ×12 on both sides), on rows with the ``short`` alias.
_BEHIND = Q(planned_investment_wan__gt=0, short__gt=0)


def _with_short(key_years: QuerySet[ProjectYear], month: int) -> QuerySet[ProjectYear]:
    return key_years.alias(short=F("planned_investment_wan") * month - F("ytd") * 12)


def behind_schedule(key_years: QuerySet[ProjectYear], month: int) -> QuerySet[ProjectYear]:
    """Those of :func:`key_years_with_ytd` below their 序时计划 (annual plan × month / 12; exact: ×12 on both sides)."""
    return _with_short(key_years, month).filter(_BEHIND)


@dataclass(frozen=True)
class KeyYearRow:
    """A key project's plan for the year with its year-to-date figure (:func:`largest_and_behind`)."""

    project_id: int
    name: str
    unit_short_name: str
    planned_investment_wan: Decimal
    ytd: Decimal
    behind: bool


_RANKED = """
WITH i AS MATERIALIZED (  -- the year-to-date subquery once per key project (not inlined in both of its uses)
    SELECT py.project_id, p.name, p.short_name, py.planned_investment_wan AS plan,
        COALESCE((SELECT r.ytd_wan FROM projects_monthlyreport r
                  WHERE r.project_id = py.project_id AND r.year = %(year)s AND r.month <= %(month)s
                    AND r.status IN ({counted})
                  ORDER BY r.month DESC LIMIT 1), 0) AS ytd
    FROM ({projects}) p JOIN projects_projectyear py ON py.project_id = p.id
    WHERE py.year = %(year)s AND py.is_key = %(key)s
)
SELECT k.project_id, k.name, k.short_name, k.plan, k.ytd, k.behind, k.rank, k.behind_rank FROM (
    SELECT b.*,
        ROW_NUMBER() OVER (ORDER BY b.plan DESC, b.project_id) AS rank,
        ROW_NUMBER() OVER (PARTITION BY b.behind ORDER BY b.plan DESC, b.project_id) AS behind_rank
    FROM (
        SELECT i.*, CASE WHEN i.plan > 0 AND i.plan * %(month)s - i.ytd * 12 > 0 THEN 1 ELSE 0 END AS behind
        FROM i
    ) b
) k WHERE k.rank <= %(limit)s OR (k.behind = 1 AND k.behind_rank <= %(limit)s)
"""


def largest_and_behind(
    projects: QuerySet[Project], year: int, month: int, limit: int
) -> tuple[list[KeyYearRow], list[KeyYearRow]]:
    """The first ``limit`` rows of :func:`key_years_with_ytd` and the first ``limit`` of :func:`behind_schedule`
    (same order: largest annual plan first, then project id), in one query that returns only those rows.

    :func:`key_years_with_ytd` written out in SQL (:data:`_RANKED`; only ``projects``, the caller's scoped
    queryset, is compiled by the ORM, as the derived table the key plans join): the page's costliest statement to
    build through the ORM. The rows are numbered in a derived table, so the year-to-date subquery runs once per
    row; :data:`_BEHIND`'s rule is written out too. ``test_overview_sql.py`` checks the rows against :func:`key_years_with_ytd`.
    """
    # the projects with the two fields listed, straight from the caller's queryset (no semi-join, no second join)
    listed = projects.order_by().values("id", "name", short_name=F("org_unit__short_name"))
    try:
        projects_sql, projects_params = listed.query.sql_with_params()
    except (
        EmptyResultSet
    ):  # nothing the caller may see (e.g. a scope without units): no row, as the ORM gives
        return [], []
    marks = tuple(f"%(p{i})s" for i in range(len(projects_params)))
    params = {f"p{i}": v for i, v in enumerate(projects_params)}
    return _ranked(projects_sql.replace("%%", "%%%%") % marks, params, projects.db, year, month, limit)


# The projects of a subtree (``%(path)s``: the unit's path, escaped, then "%"), as the derived table of _RANKED.
_SUBTREE_PROJECTS = (
    "SELECT sp.id, sp.name, su.short_name FROM projects_project sp"
    " INNER JOIN orgunits_orgunit su ON su.id = sp.org_unit_id WHERE su.path LIKE %(path)s ESCAPE '\\'"
)


def largest_and_behind_in_subtree(
    unit: Any, year: int, month: int, limit: int
) -> tuple[list[KeyYearRow], list[KeyYearRow]]:
    """:func:`largest_and_behind` of every project at or below ``unit`` (no scope applies here: for a caller who
    may see the whole subtree, whose scoped queryset would keep them all), with a fixed derived table."""
    using = router.db_for_read(Project)  # where the queryset would read
    path = connections[using].ops.prep_for_like_query(unit.path) + "%"
    return _ranked(_SUBTREE_PROJECTS, {"path": path}, using, year, month, limit)


def _ranked(
    projects_sql: str, projects_params: dict[str, Any], using: str, year: int, month: int, limit: int
) -> tuple[list[KeyYearRow], list[KeyYearRow]]:
    """:data:`_RANKED` over the projects of ``projects_sql`` (id, name, short name; its parameters named)."""
    from diaodu.core.rawrows import converted

    params: dict[str, Any] = {"year": year, "month": month, "key": True, "limit": limit, **projects_params}
    counted = ", ".join(f"'{s}'" for s in sorted(domain.COUNTED_REPORT_STATES))
    sql = _RANKED.format(counted=counted, projects=projects_sql)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    money = [ProjectYear._meta.get_field("planned_investment_wan"), MonthlyReport._meta.get_field("ytd_wan")]
    largest: list[tuple[int, KeyYearRow]] = []
    late: list[tuple[int, KeyYearRow]] = []
    for pid, name, short_name, plan, ytd, behind, rank, behind_rank in converted(
        raw, [None, None, None, *money, None, None, None], using=using
    ):
        row = KeyYearRow(pid, name, short_name, plan, ytd, bool(behind))
        if rank <= limit:
            largest.append((rank, row))
        if behind and behind_rank <= limit:
            late.append((behind_rank, row))
    largest.sort(key=lambda r: r[0])
    late.sort(key=lambda r: r[0])
    return [r for _n, r in largest], [r for _n, r in late]


def pipeline_funnel(projects: QuerySet[Project]) -> tuple[list[domain.FunnelStep], dict[str, int]]:
    """The funnel of ``projects`` as they stand now (one query)."""
    return domain.funnel(projects.values_list("stage", "resume_stage", "total_investment_wan"))


# ----------------------------------------------------------------------------- metrics behind plan indicators


RowValue = Callable[[Mapping[str, Any]], Decimal | None]


@dataclass(frozen=True)
class Metric:
    unit: str  # "万元", "个" or "fraction"
    compute: Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal | None]
    label: str
    from_rollup: RowValue  # the same figure from a unit's subtree rollup row (rollups.py)


def _key(level: str | None) -> Callable[[ProjectRow], bool]:
    return lambda r: r.is_key and (level is None or r.level == level)


def _count(
    pred: Callable[[ProjectRow], bool],
) -> Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal]:
    return lambda data, rows, month: Decimal(sum(1 for r in rows.values() if pred(r)))


def _sum(
    pred: Callable[[ProjectRow], bool], attr: str
) -> Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal]:
    return lambda data, rows, month: sum((getattr(r, attr) for r in rows.values() if pred(r)), Decimal(0))


def _signed(tier: str) -> Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal]:
    def compute(data: ProjectData, rows: Mapping[int, ProjectRow], month: int) -> Decimal:
        on = domain.month_end(data.year, month)
        counted = domain.counted_signings(s for s in data.signings if s.project_id in rows and s.on <= on)
        return Decimal(domain.signed_tiers(counted, data.year, on)[tier])

    return compute


def _start_rate(level: str | None) -> Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal | None]:
    def compute(data: ProjectData, rows: Mapping[int, ProjectRow], month: int) -> Decimal | None:
        chosen = [r for r in rows.values() if level is None or r.level == level]
        return domain.start_rate(chosen, domain.month_end(data.year, month))[2]

    return compute


def _reached_in_year(stage: Stage) -> Callable[[ProjectData, Mapping[int, ProjectRow], int], Decimal]:
    """Industrial projects of ≥1亿 that reached ``stage`` in the year by the end of the month."""

    def compute(data: ProjectData, rows: Mapping[int, ProjectRow], month: int) -> Decimal:
        on = domain.month_end(data.year, month)
        return Decimal(
            sum(
                1
                for r in rows.values()
                if r.category == domain.Category.INDUSTRY
                and r.total_investment_wan >= domain.TIERS[0][1]
                and r.reached_by(stage, on)
                and r.reached[stage].year == data.year
            )
        )

    return compute


def _field(name: str) -> RowValue:
    return lambda row: Decimal(row[name])


def _ratio(numerator: str, denominator: str) -> RowValue:
    return lambda row: domain.rate(row[numerator], row[denominator])


CITY, COUNTY = domain.Level.CITY, domain.Level.COUNTY
METRICS: dict[str, Metric] = {
    "signed_ge_1yi_count": Metric("个", _signed("ge_1yi"), "签约过亿元项目数", _field("signed_ge_1yi")),
    "signed_ge_10yi_count": Metric("个", _signed("ge_10yi"), "签约过10亿元项目数", _field("signed_ge_10yi")),
    "signed_ge_50yi_count": Metric("个", _signed("ge_50yi"), "签约过50亿元项目数", _field("signed_ge_50yi")),
    "signed_ge_100yi_count": Metric(
        "个", _signed("ge_100yi"), "签约百亿元级项目数", _field("signed_ge_100yi")
    ),
    "key_projects_count": Metric("个", _count(_key(None)), "重点项目数", _field("key_count")),
    "city_key_projects_count": Metric("个", _count(_key(CITY)), "市级重点项目数", _field("city_key_count")),
    "county_key_projects_count": Metric(
        "个", _count(_key(COUNTY)), "县级重点项目数", _field("county_key_count")
    ),
    "key_total_investment_wan": Metric(
        "万元", _sum(_key(None), "total_investment_wan"), "重点项目计划总投资", _field("key_total_wan")
    ),
    "city_key_total_investment_wan": Metric(
        "万元",
        _sum(_key(CITY), "total_investment_wan"),
        "市级重点项目计划总投资",
        _field("city_key_total_wan"),
    ),
    "county_key_total_investment_wan": Metric(
        "万元",
        _sum(_key(COUNTY), "total_investment_wan"),
        "县级重点项目计划总投资",
        _field("county_key_total_wan"),
    ),
    "key_annual_investment_ytd_wan": Metric(
        "万元", _sum(_key(None), "ytd_wan"), "重点项目年度累计完成投资", _field("key_ytd_wan")
    ),
    "city_key_annual_investment_ytd_wan": Metric(
        "万元", _sum(_key(CITY), "ytd_wan"), "市级重点项目年度累计完成投资", _field("city_key_ytd_wan")
    ),
    "county_key_annual_investment_ytd_wan": Metric(
        "万元", _sum(_key(COUNTY), "ytd_wan"), "县级重点项目年度累计完成投资", _field("county_key_ytd_wan")
    ),
    "new_key_start_rate": Metric(
        "fraction", _start_rate(None), "新建重点项目开工率", _ratio("new_key_started", "new_key_planned")
    ),
    "city_new_key_start_rate": Metric(
        "fraction",
        _start_rate(CITY),
        "市级新建重点项目开工率",
        _ratio("city_new_key_started", "city_new_key_planned"),
    ),
    "new_started_ge_1yi_count": Metric(
        "个", _reached_in_year(Stage.STARTED), "新开工过亿元产业项目数", _field("started_ge_1yi")
    ),
    "completed_ge_1yi_count": Metric(
        "个", _reached_in_year(Stage.COMPLETED), "竣工过亿元产业项目数", _field("completed_ge_1yi")
    ),
}
COUNT_UNITS = {"个", "家", "项"}


def convert(value: Decimal, metric_unit: str, indicator_unit: str) -> Decimal:
    """A metric value in the indicator's unit: 万元 → 亿元 ÷ 10000, fraction → % × 100, counts as they are."""
    if metric_unit == indicator_unit or (metric_unit == "个" and indicator_unit in COUNT_UNITS):
        return value
    if metric_unit == "万元" and indicator_unit == "亿元":
        return value / domain.WAN_PER_YI
    if metric_unit == "fraction" and indicator_unit == "%":
        return value * 100
    raise ValueError(f"cannot convert {metric_unit} to {indicator_unit}")


def _top_paths(paths: Iterable[str]) -> list[str]:
    """The paths not below another one of ``paths`` (["/1/", "/1/4/", "/2/"] -> ["/1/", "/2/"])."""
    out: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(top) for top in out):
            out.append(path)
    return out


def indicator_series_direct(
    requests: Mapping[tuple[int, int], tuple[str, str]],
    unit_paths: Mapping[int, str],
    *,
    year: int,
    through_month: int,
) -> dict[tuple[int, int], list[tuple[int, Decimal]]]:
    """Monthly values, 1..``through_month``, for (indicator id, org unit id) → (metric key, indicator unit).

    A unit's value covers the projects of its whole subtree. One :func:`load` for all requests: the slow path,
    kept to check :func:`indicator_series` (which reads the write-time rollups) against a fresh computation.
    """
    if not requests:
        return {}
    # Only the projects below the units asked for: a county's cockpit reads its own projects, not the province's.
    tops = _top_paths(unit_paths[u] for _i, u in requests if u in unit_paths)
    below = Q()
    for path in tops:
        below |= Q(org_unit__path__startswith=path)
    data = load(year, through_month, Project.objects.filter(below) if tops else Project.objects.none())
    members: dict[int, list[int]] = {
        unit_id: [pid for pid, b in data.base.items() if b["path"].startswith(path)]
        for unit_id, path in unit_paths.items()
    }
    rows_by_month = {m: data.rows(m) for m in range(1, through_month + 1)}
    out: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    for (indicator_id, unit_id), (key, indicator_unit) in requests.items():
        metric = METRICS[key]
        series: list[tuple[int, Decimal]] = []
        out[(indicator_id, unit_id)] = series
        if not members.get(unit_id):
            continue  # no project in the unit's subtree: no data (grey), not a zero
        for m in range(1, through_month + 1):
            rows = {pid: rows_by_month[m][pid] for pid in members.get(unit_id, ())}
            value = metric.compute(data, rows, m)
            if value is not None:
                series.append((m, convert(value, metric.unit, indicator_unit)))
    return out


def subtree_rollups(
    unit_ids: Iterable[int], *, year: int, through_month: int = 12
) -> dict[int, dict[int, dict[str, Any]]]:
    """:func:`diaodu.projects.rollups.subtree_rows` read as plain rows, without compiling a queryset (a page's hot
    read): unit id -> month -> field -> value, one query. Units without projects: absent."""
    return subtree_rollups_years(unit_ids, [(year, through_month)])[year]


def subtree_rollups_years(
    unit_ids: Iterable[int], periods: Sequence[tuple[int, int]]
) -> dict[int, dict[int, dict[int, dict[str, Any]]]]:
    """:func:`subtree_rollups` of several years in one query, ``periods`` (year, through month) of distinct
    years: year -> unit id -> month -> field -> value."""
    from diaodu.core.rawrows import plain_rows
    from diaodu.projects import rollups
    from diaodu.projects.models import ProjectRollup

    out: dict[int, dict[int, dict[int, dict[str, Any]]]] = {y: defaultdict(dict) for y, _m in periods}
    units = sorted(set(unit_ids))
    if not units or not periods:
        return out
    columns = ("org_unit_id", "month", *rollups.FIELDS)
    months = " OR ".join("(year = %s AND month <= %s)" for _p in periods)
    where = (
        f"org_unit_id IN ({', '.join(['%s'] * len(units))})"
        f" AND year IN ({', '.join(['%s'] * len(periods))}) AND ({months})"
        " AND subtree = %s AND projects > 0"
    )
    params = [*units, *(y for y, _m in periods), *(v for p in periods for v in p), True]
    for year, *row in plain_rows(ProjectRollup, ("year", *columns), where, params):
        out[year][row[0]][row[1]] = dict(zip(columns, row, strict=True))
    return out


def indicator_series(
    requests: Mapping[tuple[int, int], tuple[str, str]],
    unit_paths: Mapping[int, str] | None = None,
    *,
    year: int,
    through_month: int,
) -> dict[tuple[int, int], list[tuple[int, Decimal]]]:
    """Monthly values, 1..``through_month``, for (indicator id, org unit id) → (metric key, indicator unit).

    A unit's value covers the projects of its whole subtree, read from the write-time rollups in one query
    (:func:`subtree_rollups`). A unit without a project below it has no data (grey), not a zero.
    """
    return indicator_series_years(requests, [(year, through_month)])[year]


def indicator_series_years(
    requests: Mapping[tuple[int, int], tuple[str, str]],
    periods: Sequence[tuple[int, int]],
    *,
    rows_read: dict[int, dict[int, dict[int, dict[str, Any]]]] | None = None,
) -> dict[int, dict[tuple[int, int], list[tuple[int, Decimal]]]]:
    """:func:`indicator_series` of several years in one query, ``periods`` (year, through month) of distinct
    years: year -> series. ``rows_read``: a dict filled with the rollup rows read, year -> unit id -> month -> row
    (:func:`subtree_rollups_years`), every unit of ``requests`` present (without rows: no project below it)."""
    if not requests:
        return {y: {} for y, _m in periods}
    units = {u for _i, u in requests}
    by_year = subtree_rollups_years(units, periods)
    if rows_read is not None:
        for year, _m in periods:
            rows_read[year] = {u: by_year[year].get(u, {}) for u in units}
    out: dict[int, dict[tuple[int, int], list[tuple[int, Decimal]]]] = {}
    for year, through_month in periods:
        rows = by_year[year]
        out[year] = {}
        for (indicator_id, unit_id), (key, indicator_unit) in requests.items():
            metric = METRICS[key]
            series: list[tuple[int, Decimal]] = []
            out[year][(indicator_id, unit_id)] = series
            months = rows.get(unit_id, {})
            for m in range(1, through_month + 1):
                row = months.get(m)
                if row is None:
                    continue
                value = metric.from_rollup(row)
                if value is not None:
                    series.append((m, convert(value, metric.unit, indicator_unit)))
    return out
