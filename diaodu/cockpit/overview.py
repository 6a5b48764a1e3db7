"""The cockpit's overview of a unit and month: main-target cards (with the year-end forecast), the key-project
funnel and investment plan vs actual by month, the zones and towns side by side, and the "behind" list.

Nothing is decided here: lights and 时序进度 come from :func:`diaodu.plans.evaluation.evaluate_targets`, forecasts
from :mod:`diaodu.reviews.forecast`, project figures from :mod:`diaodu.projects.metrics` and task/item lights from
:mod:`diaodu.supervision.reports`. This module picks, groups and formats. A constant number of queries.

The lists and the columns read the stored lights (plans/lights.py) and project rollups (projects/rollups.py) in
few, plain statements: what a page spends on building and compiling querysets was most of its time (the red
targets as plain rows, the columns in one hand-written statement checked against
:func:`diaodu.reviews.scoring.unit_facts` by ``test_overview_sql.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.urls import reverse
from django.utils.http import urlencode

from diaodu.accounts.scope import sees_whole_subtree
from diaodu.cockpit.board import STATUS_LABELS, BoardRow, actual_text_of, fmt_number, target_text_of
from diaodu.core.rawrows import converted
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans import domain
from diaodu.plans.domain import Observation
from diaodu.plans.evaluation import SeriesKey, TargetResult, evaluate_targets, targets_for_unit
from diaodu.plans.models import Indicator, Measure, Plan, Target, TargetLight
from diaodu.plans.periods import Period
from diaodu.projects import domain as project_domain
from diaodu.projects import metrics as project_metrics
from diaodu.projects import rollups as project_rollups
from diaodu.projects.models import Project, ProjectRollup
from diaodu.reviews.forecast import TargetForecast, forecast_targets
from diaodu.supervision.models import KeyTask, SupervisionItem
from diaodu.supervision.reports import RedTask, overdue_q, overdue_sql, red_task_rows, red_task_sql

MAIN_SECTION = "主要预期目标"
MAX_CARDS = 12
MAX_LISTED = 30  # rows of the key-project list and of each kind in the behind list (the total is shown)
MONTHS = range(1, 13)
SIDE_BY_SIDE_KINDS = (OrgUnitKind.ZONE, OrgUnitKind.TOWN, OrgUnitKind.SUBDISTRICT)


@dataclass
class Card:
    row: BoardRow
    growth_text: str
    forecast: TargetForecast | None

    @property
    def forecast_text(self) -> str:
        f = self.forecast
        if f is None or f.projected is None:
            return ""
        if f.basis == "growth":
            return f"{domain.round1(f.projected)}%"
        return f"{fmt_number(f.projected)}{self.row.target.indicator.unit}"


@dataclass
class UnitColumn:
    unit: OrgUnit
    counts: dict[str, int]
    key_projects: int
    completion_text: str
    behind: bool


@dataclass
class BehindItem:
    kind: str  # target / project / task / item
    kind_label: str
    title: str
    unit: str
    detail: str
    url: str


@dataclass
class Overview:
    unit: OrgUnit
    period: Period
    cards: list[Card]
    funnel: dict[str, Any]
    investment: dict[str, Any]
    columns: list[UnitColumn]
    behind: list[BehindItem]
    projects: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0
    behind_total: int = 0  # all behind items (the lists show at most MAX_LISTED targets and projects)
    projects_total: int = 0  # key projects in all (the list shows the MAX_LISTED largest)

    # Chart data travels in data-chart attributes (htmx drops <script> elements from swapped content).
    @property
    def funnel_json(self) -> str:
        return json.dumps(self.funnel, ensure_ascii=False)

    @property
    def investment_json(self) -> str:
        return json.dumps(self.investment, ensure_ascii=False)


_PK_MARK = 918273645546372819  # stands for the object's id in a reversed URL (no URL holds this number)


def _url_maker(name: str) -> Callable[[int], str]:
    """The path of ``name`` for an object's id, for many ids with one :func:`reverse` (only the id differs)."""
    head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{head}{pk}{tail}"


def memo_url(name: str) -> Callable[[Any], str]:
    """The path of ``name`` for a key, reversing each distinct key once (many rows share an indicator)."""
    paths: dict[Any, str] = {}

    def url(key: Any) -> str:
        if key not in paths:
            paths[key] = reverse(name, args=[key])
        return paths[key]

    return url


def main_targets(targets: list[Target]) -> list[Target]:
    """The cards: the unit's targets of the 主要预期目标 section (else all its targets), at most MAX_CARDS."""
    main = [t for t in targets if t.section == MAIN_SECTION] or targets
    return main[:MAX_CARDS]


def own_results(user: Any, unit: OrgUnit, period: Period) -> list[TargetResult]:
    """The unit's own targets visible to ``user``, evaluated (what the cockpit's table shows)."""
    targets = (
        Target.objects.visible_to(user)
        .filter(year=period.year, org_unit=unit)
        .order_by("plan__code", "sort_order", "pk")
    )
    return evaluate_targets(targets, year=period.year, as_of_month=period.month)


def build_cards(
    user: Any,
    unit: OrgUnit,
    period: Period,
    results: list[TargetResult] | None = None,
    last_year: Mapping[SeriesKey, Sequence[Observation]] | None = None,
) -> tuple[list[Card], int]:
    """Cards of the main targets with their year-end forecast. ``results``: the unit's own targets already
    evaluated (by the table), reused with the series they were evaluated on; ``last_year``: their series of the
    year before, read with them (else the forecast reads them)."""
    if results is None:
        results = own_results(user, unit, period)
    by_target = {r.target.pk: r for r in results}
    chosen = [by_target[t.pk] for t in main_targets([r.target for r in results])]
    series = {(r.target.indicator_id, r.target.org_unit_id): r.observations for r in chosen}
    forecasts = {
        f.target.pk: f
        for f in forecast_targets(
            [r.target for r in chosen],
            year=period.year,
            month=period.month,
            series=series,
            last_series=last_year,
        )
    }
    cards = []
    for r in chosen:
        t, ev = r.target, r.evaluation
        growth = ""
        if t.indicator.measure == Measure.GROWTH:
            growth = "" if ev.actual is None else f"{domain.round1(ev.actual)}%"
        else:
            obs = {o.month: o for o in r.observations}.get(ev.data_month or 0)
            g = domain.observed_growth(obs) if obs is not None else None
            growth = "" if g is None else f"{domain.round1(g)}%"
        cards.append(Card(BoardRow(r), growth, forecasts.get(t.pk)))
    return cards, sum(1 for f in forecasts.values() if f.warning)


def build_projects(
    user: Any,
    unit: OrgUnit,
    period: Period,
    *,
    whole_subtree: bool | None = None,
    subtree_months: Mapping[int, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], list[BehindItem], int, int]:
    """Funnel and investment by month from the write-time rollups (one query); the largest key projects and
    those behind their 序时计划 from one query each (at most :data:`MAX_LISTED` rows), with the total count.
    ``whole_subtree``: :func:`sees_whole_subtree` when the caller knows it; ``subtree_months``: the unit's
    subtree rollup rows of the year through the month (month -> row) when the caller read them already (the
    board: ``Board.project_months``), used when the user sees the whole subtree."""
    if whole_subtree is None:
        whole_subtree = sees_whole_subtree(user, unit)
    months: Mapping[int, Mapping[str, Any]]
    if whole_subtree and subtree_months is not None:  # only the months up to this one are shown
        months = {m: row for m, row in subtree_months.items() if m <= period.month}
    elif whole_subtree:  # rollups.visible_months, its common case read as plain rows
        months = project_metrics.subtree_rollups([unit.pk], year=period.year).get(unit.pk, {})
    else:
        months = project_rollups.visible_months(user, unit, year=period.year)
    now = months.get(period.month, {})
    stages = list(project_domain.PIPELINE)
    funnel: dict[str, Any] = {
        "stages": [project_domain.STAGE_LABELS[s] for s in stages],
        # every project in the library has at least been negotiated
        "counts": [now.get("projects", 0), *(now.get(f"reached_{s}", 0) for s in stages[1:])],
        "title": "项目推进漏斗（个）",
    }
    plan_total = Decimal(now.get("key_plan_wan", 0))
    wan_per_yi = project_domain.WAN_PER_YI
    investment = {
        "months": [f"{m}月" for m in MONTHS],
        "planName": "序时计划（亿元）",
        "actualName": "累计完成（亿元）",
        "plan": [fmt_number(plan_total * m / 12 / wan_per_yi) for m in MONTHS],
        "actual": [
            fmt_number(Decimal(months.get(m, {}).get("key_ytd_wan", 0)) / wan_per_yi)
            if m <= period.month
            else None
            for m in MONTHS
        ],
    }
    if whole_subtree:  # the scope would keep every project of the subtree: no queryset to compile
        largest, late = project_metrics.largest_and_behind_in_subtree(
            unit, period.year, period.month, MAX_LISTED
        )
    else:
        largest, late = project_metrics.largest_and_behind(
            Project.objects.visible_to(user).filter(org_unit__path__startswith=unit.path),
            period.year,
            period.month,
            MAX_LISTED,
        )
    project_url = _url_maker("cockpit:project")
    listing = []
    query = urlencode({"month": str(period)})  # the same on every row
    for y in largest:
        listing.append(_key_row(y, f"{project_url(y.project_id)}?{query}"))
    behind = [
        BehindItem(
            "project",
            "项目",
            y.name,
            y.unit_short_name,
            f"完成投资{fmt_number(y.ytd, 0)}万元，"
            f"低于序时计划{fmt_number(y.planned_investment_wan * period.month / 12, 0)}万元",
            f"{project_url(y.project_id)}?{query}",
        )
        for y in late
    ]
    # the totals come with the rollups (key projects, and those behind: the same rule, kept per month)
    return funnel, investment, listing, behind, now.get("key_behind", 0), now.get("key_count", 0)


def _key_row(y: project_metrics.KeyYearRow, url: str) -> dict[str, Any]:
    """A row of the key-project list."""
    plan, ytd = y.planned_investment_wan, y.ytd
    return {
        "pk": y.project_id,
        "name": y.name,
        "unit": y.unit_short_name,
        "url": url,
        "plan": fmt_number(plan / project_domain.WAN_PER_YI),
        "done": fmt_number(ytd / project_domain.WAN_PER_YI),
        "pct": "" if plan <= 0 else f"{domain.round1(ytd * 100 / plan)}%",
        "behind": y.behind,  # the rule of projects.metrics (behind its 序时计划), applied in the listing query
    }


COLUMNS_SQL = """
SELECT {unit_columns}, COALESCE(l.green, 0), COALESCE(l.yellow, 0), COALESCE(l.red, 0), COALESCE(l.grey, 0),
    r.key_planned_count, r.key_planned_ytd_wan, r.key_plan_wan
FROM orgunits_orgunit c
LEFT JOIN (
    SELECT c2.id AS unit_id,
        SUM(CASE WHEN tl.status = 'green' THEN 1 ELSE 0 END) AS green,
        SUM(CASE WHEN tl.status = 'yellow' THEN 1 ELSE 0 END) AS yellow,
        SUM(CASE WHEN tl.status = 'red' THEN 1 ELSE 0 END) AS red,
        SUM(CASE WHEN tl.status = 'grey' THEN 1 ELSE 0 END) AS grey
    FROM orgunits_orgunit c2 JOIN orgunits_orgunit u ON u.path LIKE c2.path || '%%'
    JOIN plans_target t ON t.org_unit_id = u.id AND t.year = %(year)s
    JOIN plans_targetlight tl ON tl.target_id = t.id AND tl.month = %(month)s
    WHERE c2.parent_id = %(unit_id)s AND c2.kind IN ({kinds})
      AND u.path LIKE %(unit_path)s  -- a constant prefix: the index finds the subtree (c2.path || '%%' cannot)
    GROUP BY c2.id
) l ON l.unit_id = c.id
LEFT JOIN projects_projectrollup r ON r.org_unit_id = c.id AND r.subtree = %(subtree)s AND r.year = %(year)s
    AND r.month = %(month)s AND r.projects > 0
WHERE c.parent_id = %(unit_id)s AND c.kind IN ({kinds})
ORDER BY c.sort_order, c.id
"""


def build_columns(unit: OrgUnit, period: Period) -> list[UnitColumn]:
    """The zones, towns and subdistricts directly below ``unit``, each with the facts of its subtree that
    :func:`diaodu.reviews.scoring.unit_facts` gives (``supervision=False``): the stored lights of the month
    (plans/lights.py) and the key projects with a plan, done vs plan to date, from the subtree's rollup row of the
    month (projects/rollups.py). One statement (:data:`COLUMNS_SQL`) for the units and their facts; the
    cockpit's tests check the columns against ``unit_facts``."""
    fields = OrgUnit._meta.concrete_fields
    sql = COLUMNS_SQL.format(
        unit_columns=", ".join(f"c.{f.column}" for f in fields),
        kinds=", ".join(f"'{k}'" for k in SIDE_BY_SIDE_KINDS),
    )
    params: dict[str, Any] = {
        "unit_id": unit.pk,
        "unit_path": f"{unit.path}%",
        "year": period.year,
        "month": period.month,
        "subtree": True,
    }
    using = router.db_for_read(OrgUnit)  # where a queryset of these units would read them
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(fields)
    names = [f.attname for f in fields]
    money = (
        ProjectRollup._meta.get_field("key_planned_ytd_wan"),
        ProjectRollup._meta.get_field("key_plan_wan"),
    )
    out = []
    for row in converted(rows, [*fields, *[None] * 5, *money], using=using):
        u = OrgUnit.from_db(using, names, row[:n])
        green, yellow, red, grey, planned, done_wan, plan_wan = row[n:]
        counts = {"green": int(green), "yellow": int(yellow), "red": int(red), "grey": int(grey)}
        key_projects, done, plan_to_date = 0, Decimal(0), Decimal(0)
        if planned:  # as unit_facts: the subtree's row of the month, when it has key projects with a plan
            key_projects, done = planned, Decimal(done_wan)
            plan_to_date = Decimal(plan_wan) * period.month / 12
        pct = "" if plan_to_date <= 0 else f"{domain.round1(done * 100 / plan_to_date)}%"
        out.append(UnitColumn(u, counts, key_projects, pct, counts["red"] > 0 or done < plan_to_date))
    return out


class RedTarget(NamedTuple):
    """A red target of the behind list: the fields shown, the light's figures and the count of all red ones."""

    indicator__code: str
    indicator__name: str
    indicator__unit: str
    indicator__measure: str
    org_unit__code: str
    org_unit__short_name: str
    org_unit__name: str
    value: Decimal | None
    comparator: str
    other: str | None  # the name of the indicator a "与…同步" target follows
    light_actual: Decimal | None
    light_points: Decimal | None
    red_total: int


class OverdueItem(NamedTuple):
    number: str
    title: str
    unit_code: str
    unit_short: str  # OrgUnit.display_short
    deadline: dt.date


BehindRows = tuple[list[RedTarget], list[RedTask], list[OverdueItem]]


def behind_rows_in_scope(user: Any, unit: OrgUnit, period: Period, limit: int) -> BehindRows:
    """The behind list's rows through the scoped querysets (the general path, for any user): the first ``limit``
    red targets of the month (with the count of all), the red key tasks and the overdue 督办 items at or below
    ``unit`` that ``user`` may see. Three statements."""
    # From the targets (visible, of the year, at or below the unit) joined to their red light of the month: the
    # visibility filter applies to the target rows themselves (no semi-join), which keeps planning cheap. A
    # target has one light per month, so one row per target; the window counts them all before the LIMIT. Plain
    # rows of the fields shown (the stored figure and 超/欠进度 with the light): no model instances to build.
    red = (
        targets_for_unit(
            Target.objects.visible_to(user).filter(
                year=period.year, lights__month=period.month, lights__status=domain.Status.RED
            ),
            unit.path,
            include_below=True,
        )
        .annotate(
            light_actual=F("lights__actual"),
            light_points=F("lights__points"),
            red_total=Window(Count("pk")),
            # scalar subqueries, not joins: a sixth table in the join doubles the statement's planning time, and
            # ordering on a joined plan's code lets the planner walk every plan in code order for the LIMIT (a
            # city: 333 plans × 422 red targets compared, 15 ms instead of 1)
            other=Subquery(
                Indicator.objects.filter(pk=OuterRef("relative_to_id")).order_by().values("name")[:1]
            ),
            plan_code=Subquery(Plan.objects.filter(pk=OuterRef("plan_id")).order_by().values("code")[:1]),
        )
        .order_by("plan_code", "sort_order", "pk")
        .values_list(*RedTarget._fields)
    )
    on = project_domain.month_end(period.year, period.month)
    tasks = KeyTask.objects.visible_to(user).filter(plan__year=period.year, owner__path__startswith=unit.path)
    items = (
        SupervisionItem.objects.visible_to(user)
        .filter(overdue_q(on), lead_unit__path__startswith=unit.path)  # only the overdue ones come back
        .order_by("deadline", "pk")
        .values_list(
            "number", "title", "lead_unit__code", "lead_unit__short_name", "lead_unit__name", "deadline"
        )
    )
    return (
        [RedTarget(*r) for r in red[:limit]],
        red_task_rows(tasks, as_of=on),
        [OverdueItem(n, t, code, short or name, d) for n, t, code, short, name, d in items],
    )


# The behind list of a whole subtree in one statement: the parts of behind_rows_in_scope without their scope
# filter, which is then redundant (every unit at or below the unit is in scope, so is every row read), one part
# per branch, each numbered in its order (part, number: the order of the rows). The red targets as in the
# queryset (scalar subqueries for the plan's code and the other indicator's name); the red tasks and overdue items
# by the rules of supervision.reports (red_task_sql, overdue_sql).
BEHIND_SQL = """
SELECT 0, ROW_NUMBER() OVER (ORDER BY r.plan_code, r.sort_order, r.id), r.title, NULL, r.code, r.unit_code,
    r.unit_short, r.unit_name, r.measure, r.ind_unit, r.value, r.comparator,
    (SELECT o.name FROM plans_indicator o WHERE o.id = r.relative_to_id), r.actual, r.points, r.total, NULL
FROM (
    SELECT i.name AS title, i.code, u.code AS unit_code, u.short_name AS unit_short, u.name AS unit_name,
        i.measure, i.unit AS ind_unit, t.value, t.comparator, t.relative_to_id, tl.actual, tl.points,
        COUNT(*) OVER () AS total, (SELECT p.code FROM plans_plan p WHERE p.id = t.plan_id) AS plan_code,
        t.sort_order, t.id
    FROM plans_target t
    JOIN plans_targetlight tl ON tl.target_id = t.id
    JOIN orgunits_orgunit u ON u.id = t.org_unit_id
    JOIN plans_indicator i ON i.id = t.indicator_id
    WHERE t.year = %(year)s AND tl.month = %(month)s AND tl.status = %(red)s AND u.path LIKE %(path)s ESCAPE '\\'
    ORDER BY plan_code, t.sort_order, t.id
    LIMIT %(limit)s
) r
UNION ALL
SELECT 1, ROW_NUMBER() OVER (ORDER BY p.year, p.code, k.sort_order, k.id), k.title, NULL, NULL, u.code,
    u.short_name, u.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, k.deadline
FROM supervision_keytask k
JOIN plans_plan p ON p.id = k.plan_id
JOIN orgunits_orgunit u ON u.id = k.owner_id
WHERE p.year = %(year)s AND u.path LIKE %(path)s ESCAPE '\\' AND {red_task}
UNION ALL
SELECT 2, ROW_NUMBER() OVER (ORDER BY s.deadline, s.id), s.title, s.number, NULL, u.code, u.short_name, u.name,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.deadline
FROM supervision_supervisionitem s
JOIN orgunits_orgunit u ON u.id = s.lead_unit_id
WHERE u.path LIKE %(path)s ESCAPE '\\' AND {overdue}
ORDER BY 1, 2
"""


def behind_rows_of_subtree(unit: OrgUnit, period: Period, limit: int) -> BehindRows:
    """:func:`behind_rows_in_scope` for a user who may see every unit at or below ``unit``
    (:func:`~diaodu.accounts.scope.sees_whole_subtree`; the caller checks it): the same rows from one statement,
    :data:`BEHIND_SQL`, with no queryset to build (``test_overview_sql.py`` compares the two)."""
    using = router.db_for_read(Target)  # where the querysets would read
    connection = connections[using]
    sql = BEHIND_SQL.format(red_task=red_task_sql("k"), overdue=overdue_sql("s"))
    params: dict[str, Any] = {
        "year": period.year,
        "month": period.month,
        "red": str(domain.Status.RED),
        "path": connection.ops.prep_for_like_query(unit.path) + "%",
        "limit": limit,
        "on": project_domain.month_end(period.year, period.month),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    fields: list[Any] = [None] * 17  # the converters of the decimals and the dates (SQLite's)
    fields[10] = Target._meta.get_field("value")
    fields[13] = TargetLight._meta.get_field("actual")
    fields[14] = TargetLight._meta.get_field("points")
    fields[16] = KeyTask._meta.get_field("deadline")
    red: list[RedTarget] = []
    tasks: list[RedTask] = []
    items: list[OverdueItem] = []
    for row in converted(rows, fields, using=using):
        part, _n, title, number, code, unit_code, short, name = row[:8]
        if part == 0:
            red.append(RedTarget(code, title, row[9], row[8], unit_code, short, name, *row[10:16]))
        elif part == 1:
            tasks.append(RedTask(title, unit_code, short or name, row[16]))
        else:
            items.append(OverdueItem(number, title, unit_code, short or name, row[16]))
    return red, tasks, items


def build_behind(
    user: Any, unit: OrgUnit, period: Period, *, whole_subtree: bool | None = None
) -> tuple[list[BehindItem], int]:
    """Red targets (from the stored lights with their figures), red key tasks and overdue 督办 items below the
    unit; returns the items (at most :data:`MAX_LISTED` targets) and the number of red targets. One statement
    when ``user`` sees the whole subtree (``whole_subtree``: :func:`sees_whole_subtree`, when the caller knows
    it), else three through the scoped querysets."""
    if whole_subtree is None:
        whole_subtree = sees_whole_subtree(user, unit)
    # seeing every unit with the data permissions, they see every one with supervision's too (more permissions)
    if whole_subtree:
        red, tasks, items = behind_rows_of_subtree(unit, period, MAX_LISTED)
    else:
        red, tasks, items = behind_rows_in_scope(user, unit, period, MAX_LISTED)
    out = []
    red_total = red[0].red_total if red else 0
    indicator_path = memo_url("cockpit:indicator")
    home = reverse("cockpit:home")
    month_query = urlencode({"month": str(period)})
    queries: dict[
        str, str
    ] = {}  # unit code -> "unit=…&month=…" (what urlencode gives for both, in this order)

    def query(unit_code: str) -> str:
        if unit_code not in queries:
            queries[unit_code] = f"{urlencode({'unit': unit_code})}&{month_query}"
        return queries[unit_code]

    for r in red:
        unit_of = r.indicator__unit
        shown = actual_text_of(r.indicator__measure, unit_of, r.light_actual) or "—"
        target = target_text_of(r.comparator, r.value, r.other or "", unit_of)
        points = "" if r.light_points is None else f"，{domain.format_points(r.light_points)}个百分点"
        url = f"{indicator_path(r.indicator__code)}?{query(r.org_unit__code)}"
        unit_short = r.org_unit__short_name or r.org_unit__name  # OrgUnit.display_short
        out.append(
            BehindItem("target", "目标", r.indicator__name, unit_short, f"{shown}，目标{target}{points}", url)
        )
    for task in tasks:
        out.append(
            BehindItem(
                "task",
                "任务",
                task.title,
                task.owner_short,
                f"期限 {task.deadline:%Y-%m-%d}",
                f"{home}?{query(task.owner_code)}",
            )
        )
    for item in items:
        out.append(
            BehindItem(
                "item",
                "督办",
                f"{item.number} {item.title}",
                item.unit_short,
                f"逾期（期限 {item.deadline:%Y-%m-%d}）",
                f"{home}?{query(item.unit_code)}",
            )
        )
    return out, red_total


def build_overview(
    user: Any,
    unit: OrgUnit,
    period: Period,
    own: list[TargetResult] | None = None,
    last_year: Mapping[SeriesKey, Sequence[Observation]] | None = None,
    project_months: Mapping[int, Mapping[str, Any]] | None = None,
) -> Overview:
    """``own``: the unit's own targets evaluated already (the cockpit table), reused for the cards, with
    ``last_year`` their series of the year before when the table read it (:func:`build_board`), and
    ``project_months`` the unit's subtree project rollup rows of the year through the month when it read them
    (``Board.project_months``)."""
    whole_subtree = sees_whole_subtree(user, unit)  # then the lists read no scope filter (redundant)
    cards, warnings = build_cards(user, unit, period, own, last_year)
    funnel, investment, listing, project_behind, projects_behind_total, key_total = build_projects(
        user, unit, period, whole_subtree=whole_subtree, subtree_months=project_months
    )
    behind, targets_behind_total = build_behind(user, unit, period, whole_subtree=whole_subtree)
    n_targets = sum(1 for b in behind if b.kind == "target")
    total = len(behind) - n_targets + targets_behind_total + projects_behind_total
    behind = behind[:n_targets] + project_behind + behind[n_targets:]
    return Overview(
        unit, period, cards, funnel, investment, build_columns(unit, period), behind, listing, warnings, total,
        key_total,
    )  # fmt: skip


STATUS_TEXT = {str(k): str(v) for k, v in STATUS_LABELS.items()}
