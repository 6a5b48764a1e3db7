"""``diaodu bench cockpit``: the cockpit of a county, a city or the province, as the application computes it and as
hand-written SQL computes the same figures (the floor).

Application path (``p50_ms``/``p95_ms``): load the user as the authentication middleware does, then call the
cockpit view (:func:`diaodu.cockpit.views.home`) with Django's template rendering replaced by a stub, so every
scope check, query and computation the view performs is measured, whatever the cockpit engineer adds to it
(cards, funnel, zones...). The page cache (:mod:`diaodu.core.pagecache`) is bypassed: every run computes.
``page_p50_ms``/``page_p95_ms`` is the same call with the HTML rendered.
``table_p50_ms``/``table_p95_ms`` time the request for the target table alone (the htmx request of the page's
filters).

Floor (``floor_p50_ms``/``floor_p95_ms``, :func:`floor_cockpit`): the whole cockpit, table and overview, one
hand-written statement per part, timed as their sum; ``ratio`` is the application's p95 over the floor's p95,
like for like. The statements:

* the table, :data:`FLOOR_SQL` (timed alone as ``floor_table_p50_ms``/``floor_table_p95_ms``; ``table_ratio``
  is the table request over it): finds the latest approved month in the user's scope and computes, for each of
  the unit's targets, the figure the cockpit shows (entered year-to-date value or growth, or the project metric
  behind a computed indicator), the completion, 时序进度 and a light (green/red/grey; the application's yellow
  needs the month-by-month history). Reads ``orgunits_orgunit``, ``plans_actual``, ``plans_target``,
  ``plans_indicator`` and, for computed indicators, the unit's subtree row of ``projects_projectrollup``, as the
  application does (until 2026-11-26 it recomputed them from the raw project tables, which made the floor about
  ten times slower than the application needs to be and the ratio look better than it is);
* the overview, :func:`diaodu.scale.bench.cockpit_floor.statements` (its docstring lists the tables each one
  reads): the cards (the unit's main targets with their year-end forecast
  and 预警 flag, :mod:`diaodu.reviews.forecast` written out in SQL); the funnel, investment plan and cumulative
  actual by month and the key-project totals (``projects_projectrollup``); the 30 largest key projects and the
  first 30 behind their 序时计划 (``projects_projectyear``, ``projects_monthlyreport``); the red targets below
  the unit with their total (``plans_targetlight``); the red key tasks and the overdue 督办 items; the columns
  of the zones, towns and subdistricts (light counts from ``plans_targetlight``, key projects and done vs plan
  to date from ``projects_projectrollup``).

Not in the floor: the view's access checks and the unit switcher (the visible units), formatting, URLs and
labels; the cards' own figures are the table statement's rows. The test ``test_bench_cockpit.py`` checks that
floor and application give the same figures: every target of the table and the overview's cards, funnel,
investment months, listed projects, behind list and totals, and column counts.

Subjects are the synthetic leaders of ``diaodu synth`` (scope "unit and below"): runs go round the counties
(or cities) so that no single unit's rows stay hot in a cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from diaodu.accounts.models import User
from diaodu.orgunits.models import OrgUnit, OrgUnitKind

SCALE_KINDS = {"county": OrgUnitKind.COUNTY, "city": OrgUnitKind.CITY, "province": OrgUnitKind.PROVINCE}


@dataclass(frozen=True)
class Subject:
    user_id: int
    unit: OrgUnit


def subjects(scale: str, prefix: str = "SYN") -> list[Subject]:
    units = list(OrgUnit.objects.filter(kind=SCALE_KINDS[scale], code__startswith=prefix).order_by("code"))
    users = dict(
        User.objects.filter(username__in=[f"{u.code.lower()}-leader" for u in units]).values_list(
            "username", "pk"
        )
    )
    out = [
        Subject(users[f"{u.code.lower()}-leader"], u) for u in units if f"{u.code.lower()}-leader" in users
    ]
    if not out:
        raise LookupError(f"没有 {scale} 级合成数据（前缀 {prefix}）：请先运行 diaodu synth。")
    return out


# ----------------------------------------------------------------------------- the application path


def app_cockpit(subject: Subject, *, render_html: bool = False, table_only: bool = False) -> dict[str, Any]:
    """The cockpit view for the subject's leader, as a request would run it; returns the view's context.

    ``table_only``: the request the page's filters send for the target table alone (htmx, ``HX-Target`` the
    table): the figures of the floor's table statement, without the overview (cards, funnel, lists, columns).
    """
    from diaodu.cockpit import views
    from diaodu.core import pagecache

    captured: dict[str, Any] = {}

    def fake_render(
        request: HttpRequest, template: str, context: dict[str, Any], *a: Any, **k: Any
    ) -> HttpResponse:
        captured.update(context)
        return HttpResponse("")

    headers = {"HX-Request": "true", "HX-Target": "cockpit-board"} if table_only else {}
    request = RequestFactory().get("/", headers=headers)
    request.user = _session_user(subject.user_id)
    request.session = {}  # type: ignore[assignment]
    # Computed every time: the page cache (keyed by data version) would answer repeated requests from memory.
    with mock.patch.object(pagecache, "enabled", lambda: False):
        if render_html:
            response = views.home(request)
            assert response.status_code == 200, response.status_code
            captured["html_bytes"] = len(response.content)
            return captured
        # the view renders its part and then the whole page (pagecache.page): both stubbed
        with (
            mock.patch.object(views, "render", fake_render),
            mock.patch.object(pagecache, "render", fake_render),
        ):
            response = views.home(request)
    assert response.status_code == 200, response.status_code
    return captured


def _session_user(user_id: int) -> Any:
    """The user as AuthenticationMiddleware loads them on each request: through the configured backend."""
    from django.conf import settings
    from django.contrib.auth import load_backend

    user = load_backend(settings.AUTHENTICATION_BACKENDS[0]).get_user(user_id)
    assert user is not None, user_id
    return user


def app_figures(context: dict[str, Any]) -> dict[int, Decimal | None]:
    """Target id -> the figure the cockpit shows (evaluation.actual), from the view's context."""
    board = context["board"]
    return {row.target.pk: row.ev.actual for section in board.sections for row in section.rows}


# ----------------------------------------------------------------------------- the floor

_MONTH_END = {
    "postgresql": "(make_date(p.year, p.month, 1) + interval '1 month' - interval '1 day')::date",
    "sqlite": "date(printf('%%04d-%%02d-01', p.year, p.month), '+1 month', '-1 day')",
}
_YEAR_START = {
    "postgresql": "make_date(p.year, 1, 1)",
    "sqlite": "printf('%%04d-01-01', p.year)",
}
_YEAR_OF = {"postgresql": "EXTRACT(YEAR FROM {})::int", "sqlite": "CAST(strftime('%%Y', {}) AS INTEGER)"}
_STARTED_OR_BEYOND = ("started", "in_stats", "completed", "producing", "full_capacity")

FLOOR_SQL = """
WITH scope AS (
    SELECT id FROM orgunits_orgunit WHERE path LIKE %(scope_path)s
), latest AS (
    SELECT MAX(a.year * 100 + a.month) AS ym FROM plans_actual a
    WHERE a.status = 'approved' AND a.org_unit_id IN (SELECT id FROM scope)
), p AS (
    SELECT ym / 100 AS year, ym %% 100 AS month FROM latest
), bounds AS (
    SELECT p.year, p.month, {year_start} AS year_start, {month_end} AS month_end FROM p
), t AS (
    SELECT t.id, t.indicator_id, t.org_unit_id, t.value, i.measure, i.accumulation, i.computed_from, i.unit
    FROM plans_target t JOIN plans_indicator i ON i.id = t.indicator_id JOIN bounds b ON t.year = b.year
    WHERE t.org_unit_id = %(unit_id)s AND t.org_unit_id IN (SELECT id FROM scope)
), obs AS (
    SELECT t.id AS target_id, a.ytd_value, a.growth_pct, a.base_value,
           ROW_NUMBER() OVER (PARTITION BY t.id ORDER BY a.month DESC) AS rn
    FROM t JOIN plans_actual a ON a.indicator_id = t.indicator_id AND a.org_unit_id = t.org_unit_id
    JOIN bounds b ON a.year = b.year AND a.month <= b.month
    WHERE a.status = 'approved' AND t.computed_from = ''
), roll AS (
    SELECT r.key_count, r.key_total_wan, r.key_ytd_wan, r.signed_ge_1yi, r.started_ge_1yi
    FROM projects_projectrollup r JOIN bounds b ON r.year = b.year AND r.month = b.month
    WHERE r.org_unit_id = %(unit_id)s AND r.subtree
), metric AS (
    SELECT 'key_projects_count' AS mkey, COALESCE((SELECT key_count FROM roll), 0) AS value
    UNION ALL SELECT 'key_total_investment_wan', COALESCE((SELECT key_total_wan FROM roll), 0)
    UNION ALL SELECT 'key_annual_investment_ytd_wan', COALESCE((SELECT key_ytd_wan FROM roll), 0)
    UNION ALL SELECT 'signed_ge_1yi_count', COALESCE((SELECT signed_ge_1yi FROM roll), 0)
    UNION ALL SELECT 'new_started_ge_1yi_count', COALESCE((SELECT started_ge_1yi FROM roll), 0)
), fig AS (
    SELECT t.id, t.value, t.measure, t.accumulation, b.year, b.month,
        CASE
            WHEN t.computed_from <> '' THEN CASE WHEN t.unit = '亿元' THEN m.value / 10000.0 ELSE m.value END
            WHEN t.measure = 'growth' THEN
                COALESCE(o.growth_pct, (o.ytd_value / NULLIF(o.base_value, 0) - 1) * 100)
            ELSE o.ytd_value
        END AS actual
    FROM t CROSS JOIN bounds b LEFT JOIN obs o ON o.target_id = t.id AND o.rn = 1
    LEFT JOIN metric m ON m.mkey = t.computed_from
)
SELECT id, actual,
    CASE WHEN measure <> 'growth' AND value <> 0 THEN actual * 100.0 / value END AS completion_pct,
    CASE WHEN measure <> 'growth' AND accumulation = 'ytd' THEN month * 100.0 / 12 END AS schedule_pct,
    CASE
        WHEN actual IS NULL THEN 'grey'
        WHEN measure = 'growth' OR accumulation <> 'ytd' THEN CASE WHEN actual >= value THEN 'green' ELSE 'red' END
        WHEN actual * 12 >= value * month THEN 'green' ELSE 'red'
    END AS status,
    year, month
FROM fig ORDER BY id
"""


def floor_sql(vendor: str) -> str:
    """The floor statement in the dialect of ``vendor`` (only date arithmetic differs)."""
    stages = ", ".join(f"'{s}'" for s in _STARTED_OR_BEYOND)
    return FLOOR_SQL.format(
        year_start=_YEAR_START[vendor],
        month_end=_MONTH_END[vendor],
        started_stages=stages,
        year_of_started=_YEAR_OF[vendor].format("st.first_on"),
    )


def floor_table(subject: Subject, *, sql: str | None = None) -> list[tuple[Any, ...]]:
    """Rows (target id, actual, completion %, schedule %, light, year, month) for the subject's unit, in one
    statement (:data:`FLOOR_SQL`); year and month: the latest approved month in the user's scope."""
    unit = subject.unit
    params: dict[str, Any] = {"scope_path": unit.path + "%", "unit_path": unit.path + "%", "unit_id": unit.pk}
    with connection.cursor() as cursor:
        cursor.execute(sql or floor_sql(connection.vendor), params)
        return list(cursor.fetchall())


@dataclass
class Floor:
    """What the floor's statements return: the table's rows (:func:`floor_table`), the month found and the
    rows of each overview statement (:func:`diaodu.scale.bench.cockpit_floor.statements`), by part."""

    table: list[tuple[Any, ...]]
    year: int | None
    month: int | None
    parts: dict[str, list[tuple[Any, ...]]]


def floor_cockpit(
    subject: Subject, *, sql: str | None = None, overview: dict[str, str] | None = None
) -> Floor:
    """The whole cockpit by hand-written SQL: the table statement (which also returns the latest month), then
    one statement per part of the overview (cards with forecast, funnel and investment by month, key projects,
    behind list, side-by-side columns)."""
    from diaodu.projects.domain import month_end
    from diaodu.scale.bench import cockpit_floor

    unit = subject.unit
    table = floor_table(subject, sql=sql)
    statements = overview or cockpit_floor.statements()
    parts: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        if table:  # the month the table statement found
            year, month = int(table[0][5]), int(table[0][6])
        else:  # no target: find it alone
            cursor.execute(cockpit_floor.PERIOD_SQL, {"scope_path": unit.path + "%"})
            ym = cursor.fetchone()[0]
            if ym is None:
                return Floor(table, None, None, parts)
            year, month = int(ym) // 100, int(ym) % 100
        params: dict[str, Any] = {
            "unit_id": unit.pk,
            "unit_path": unit.path + "%",
            "year": year,
            "month": month,
            "on": month_end(year, month),
        }
        for name, statement in statements.items():
            cursor.execute(statement, params)
            parts[name] = list(cursor.fetchall())
    return Floor(table, year, month, parts)


# ----------------------------------------------------------------------------- timing


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_percentile(values, 0.5) * 1000, 2),
        "p95_ms": round(_percentile(values, 0.95) * 1000, 2),
    }


def run(*, scale: str, runs: int, prefix: str = "SYN", warmup: int = 2, page: bool = True) -> dict[str, Any]:
    subs = subjects(scale, prefix)
    from diaodu.scale.bench import cockpit_floor

    sql = floor_sql(connection.vendor)
    overview = cockpit_floor.statements()
    for i in range(min(warmup, runs)):
        app_cockpit(subs[i % len(subs)])
        floor_cockpit(subs[i % len(subs)], sql=sql, overview=overview)
    app_times, floor_times, page_times, table_times, queries, table_queries = [], [], [], [], [], []
    floor_table_times = []
    targets = 0
    for i in range(runs):
        subject = subs[i % len(subs)]
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            context = app_cockpit(subject)
            app_times.append(time.perf_counter() - start)
        queries.append(len(captured.captured_queries))
        targets = max(targets, context["board"].total)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            app_cockpit(subject, table_only=True)
            table_times.append(time.perf_counter() - start)
        table_queries.append(len(captured.captured_queries))
        start = time.perf_counter()
        floor_cockpit(subject, sql=sql, overview=overview)
        floor_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        floor_table(subject, sql=sql)
        floor_table_times.append(time.perf_counter() - start)
        if page:
            start = time.perf_counter()
            app_cockpit(subject, render_html=True)
            page_times.append(time.perf_counter() - start)
    app, floor, table = _ms(app_times), _ms(floor_times), _ms(table_times)
    table_floor = _ms(floor_table_times)
    unit = subs[0].unit
    out: dict[str, Any] = {
        "benchmark": "cockpit",
        "scale": scale,
        "db": connection.vendor,
        "runs": runs,
        "subjects": len(subs),
        **app,
        "floor_p50_ms": floor["p50_ms"],
        "floor_p95_ms": floor["p95_ms"],
        # like for like: the whole cockpit (table and overview) against the whole floor
        "ratio": round(app["p95_ms"] / floor["p95_ms"], 2) if floor["p95_ms"] else None,
        # the table request alone against the table statement alone
        "floor_table_p50_ms": table_floor["p50_ms"],
        "floor_table_p95_ms": table_floor["p95_ms"],
        "table_p50_ms": table["p50_ms"],
        "table_p95_ms": table["p95_ms"],
        "table_ratio": round(table["p95_ms"] / table_floor["p95_ms"], 2) if table_floor["p95_ms"] else None,
    }
    if page:
        page_ms = _ms(page_times)
        out |= {"page_p50_ms": page_ms["p50_ms"], "page_p95_ms": page_ms["p95_ms"]}
    out |= {
        "queries": {"min": min(queries), "max": max(queries)},
        "table_queries": {"min": min(table_queries), "max": max(table_queries)},
        "targets_per_cockpit": targets,
        "rows": _row_counts(unit),
    }
    return out


def _row_counts(unit: OrgUnit) -> dict[str, int]:
    """Rows in the whole database and below the first subject's unit."""
    from diaodu.plans.models import Actual, Target
    from diaodu.projects.models import MonthlyReport, Project

    below = {"org_unit__path__startswith": unit.path}
    return {
        "org_units": OrgUnit.objects.count(),
        "targets": Target.objects.count(),
        "actuals": Actual.objects.count(),
        "projects": Project.objects.count(),
        "monthly_reports": MonthlyReport.objects.count(),
        "subject_projects": Project.objects.filter(**below).count(),
        "subject_monthly_reports": MonthlyReport.objects.filter(
            project__org_unit__path__startswith=unit.path
        ).count(),
    }
