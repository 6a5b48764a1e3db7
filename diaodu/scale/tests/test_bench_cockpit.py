"""The cockpit benchmark: its floor SQL gives the application's figures (table and overview), and the command's
output is complete."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from diaodu.cockpit.board import fmt_number
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import domain
from diaodu.plans.models import Actual, Plan, TargetLight
from diaodu.projects.metrics import METRICS
from diaodu.scale.bench import cockpit, cockpit_floor
from diaodu.supervision.models import KeyTask, Milestone, SupervisionItem


def _round(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _dec(value: object) -> Decimal:
    return Decimal(str(value or 0))


@pytest.mark.parametrize("scale", ["county", "city", "province"])
def test_the_floor_computes_the_cockpit_figures(tiny, scale) -> None:  # type: ignore[no-untyped-def]
    for subject in cockpit.subjects(scale, "TST"):
        app = cockpit.app_figures(cockpit.app_cockpit(subject))
        floor = {row[0]: row[1] for row in cockpit.floor_cockpit(subject).table}
        assert app, "the cockpit shows targets"
        assert {k: _round(v) for k, v in floor.items()} == {k: _round(v) for k, v in app.items()}


# ----------------------------------------------------------------------------- the overview


def _supervision(county: OrgUnit, other: OrgUnit) -> None:
    """Key tasks and 督办 items of the first county (and one of another county): red or not at 2025-12-31 and
    overdue or not, each for a different reason (the synthetic data has none)."""
    plan = Plan.objects.get(code=f"{county.code.lower()}-2025")
    town = OrgUnit.objects.filter(parent=county, kind="town").first()
    assert town is not None
    d = dt.date

    def task(key: str, deadline: dt.date, *, owner: OrgUnit = county, **kw: Any) -> KeyTask:
        return KeyTask.objects.create(
            plan=plan,
            key=key,
            title=f"任务{key}",
            quote="合成",
            owner=owner,
            leader="甲",
            deadline=deadline,
            **kw,
        )

    task("late", d(2025, 6, 30))  # red: past its deadline
    Milestone.objects.create(task=task("m-late", d(2026, 6, 30)), title="节点", due=d(2025, 9, 30))  # red
    Milestone.objects.create(
        task=task("m-done", d(2026, 6, 30)), title="节点", due=d(2025, 9, 30), done_on=d(2025, 9, 1)
    )  # green
    task("done-late", d(2025, 6, 30), status="done", completed_on=d(2025, 7, 10))  # yellow: done late
    task("done-after", d(2025, 6, 30), status="done", completed_on=d(2026, 1, 5))  # red at the month end
    task("town", d(2025, 3, 31), owner=town)  # red, below the county
    task("soon", d(2026, 1, 10))  # not red
    task("other", d(2025, 3, 31), owner=other)  # another county's
    for n, (status, deadline, lead) in enumerate(
        [
            ("assigned", d(2025, 11, 1), county),
            ("in_progress", d(2025, 12, 1), town),
            ("returned", d(2025, 5, 1), county),
            ("closure_requested", d(2025, 5, 1), county),  # finished: not overdue
            ("signed", d(2026, 2, 1), county),  # not yet due
            ("signed", None, county),  # no deadline
            ("signed", d(2025, 5, 1), other),  # another county's
        ]
    ):
        SupervisionItem.objects.create(
            number=f"DB-{n}", title=f"督办{n}", status=status, deadline=deadline, lead_unit=lead
        )


def _pk(url: str) -> int:
    match = re.search(r"/(\d+)/", url)
    assert match, url
    return int(match.group(1))


def _indicator_key(url: str) -> tuple[str, str]:
    match = re.search(r"/([^/]+)/\?(?:.*&)?unit=([^&]+)", url)
    assert match, url
    return match.group(1), match.group(2)


def _app_overview(context: dict[str, Any]) -> dict[str, Any]:
    """The overview's figures, from the view's context."""
    ov = context["overview"]
    behind: dict[str, list[Any]] = {"target": [], "project": [], "task": [], "item": []}
    for b in ov.behind:
        if b.kind == "target":
            behind["target"].append(_indicator_key(b.url))
        elif b.kind == "project":
            behind["project"].append(_pk(b.url))
        else:
            behind[b.kind].append(b.title)
    return {
        "period": (ov.period.year, ov.period.month),
        "cards": [
            (
                c.row.target.pk,
                None if c.forecast is None else _round(c.forecast.projected),
                None if c.forecast is None else c.forecast.warning,
                c.growth_text if c.row.target.indicator.measure != "growth" else "",
            )
            for c in ov.cards
        ],
        "warnings": ov.warnings,
        "funnel": ov.funnel["counts"],
        "investment": (ov.investment["plan"], ov.investment["actual"]),
        "projects": [(p["pk"], p["plan"], p["done"], p["behind"]) for p in ov.projects],
        "projects_total": ov.projects_total,
        "behind": behind,
        "behind_total": ov.behind_total,
        "columns": [(c.unit.pk, c.counts, c.key_projects, c.completion_text, c.behind) for c in ov.columns],
    }


def _floor_overview(floor: cockpit.Floor) -> dict[str, Any]:
    """The same figures from the floor's statements (formatted as the page formats them)."""
    assert floor.year is not None and floor.month is not None
    month, parts = floor.month, floor.parts
    wan_per_yi = Decimal(10000)
    months = {r[0]: r for r in parts["project_months"]}
    now = months.get(month)
    n_reached = len(cockpit_floor.REACHED_STAGES)
    plan_total = _dec(now[2 + n_reached]) if now else Decimal(0)
    key_count, key_behind = (now[4 + n_reached], now[5 + n_reached]) if now else (0, 0)

    def ytd(m: int) -> Decimal:
        return _dec(months[m][3 + n_reached]) if m in months else Decimal(0)

    keyp = parts["key_projects"]
    largest = sorted((r for r in keyp if r[6] <= cockpit_floor.MAX_LISTED), key=lambda r: r[6])
    late = sorted((r for r in keyp if r[5] and r[7] <= cockpit_floor.MAX_LISTED), key=lambda r: r[7])
    red = parts["red_targets"]
    red_total = red[0][5] if red else 0
    tasks, items = parts["red_tasks"], parts["overdue_items"]

    def pct(done: Decimal, plan: Decimal) -> str:
        return "" if plan <= 0 else f"{domain.round1(done * 100 / plan)}%"

    columns = []
    for unit_id, green, yellow, red_n, grey, key_projects, done, plan in parts["columns"]:
        to_date = _dec(plan) * month / 12
        counts = {"green": green, "yellow": yellow, "red": red_n, "grey": grey}
        columns.append(
            (unit_id, counts, key_projects, pct(_dec(done), to_date), red_n > 0 or _dec(done) < to_date)
        )
    return {
        "period": (floor.year, floor.month),
        "cards": [
            (
                pk,
                _round(projected),
                None if warning is None else bool(warning),
                "" if growth is None or measure == "growth" else f"{domain.round1(_dec(growth))}%",
            )
            for pk, _m, measure, projected, growth, warning in parts["cards"]
        ],
        "warnings": sum(1 for r in parts["cards"] if r[5]),
        "funnel": [now[1], *now[2 : 2 + n_reached]] if now else [0] * (1 + n_reached),
        "investment": (
            [fmt_number(plan_total * m / 12 / wan_per_yi) for m in range(1, 13)],
            [fmt_number(ytd(m) / wan_per_yi) if m <= month else None for m in range(1, 13)],
        ),
        "projects": [
            (r[0], fmt_number(_dec(r[3]) / wan_per_yi), fmt_number(_dec(r[4]) / wan_per_yi), bool(r[5]))
            for r in largest
        ],
        "projects_total": key_count,
        "behind": {
            "target": [(r[1], r[2]) for r in red],
            "project": [r[0] for r in late],
            "task": [r[1] for r in tasks],
            "item": [f"{r[1]} {r[2]}" for r in items],
        },
        "behind_total": red_total + key_behind + len(tasks) + len(items),
        "columns": columns,
    }


@pytest.fixture(params=["latest", "earlier"])
def overview_data(request, tiny):  # type: ignore[no-untyped-def]
    """``earlier``: December's data withdrawn everywhere (the cockpit shows November, a month last year's profile
    covers: the forecast's profile share) and the first county's November of last year too (its forecasts fall
    back to 上年同期 base values and to 时序进度)."""
    counties = cockpit.subjects("county", "TST")
    first = counties[0].unit
    _supervision(first, counties[1].unit)
    # the synthetic lights of November and December are green or red: some yellow and grey ones too
    lights = TargetLight.objects.filter(month__in=[11, 12], target__org_unit__path__startswith=first.path)
    for n, pk in enumerate(lights.order_by("pk").values_list("pk", flat=True)):
        if n % 3 == 1:
            TargetLight.objects.filter(pk=pk).update(status=["yellow", "grey"][n % 2])
    if request.param == "earlier":
        Actual.objects.filter(year=2025, month=12).delete()
        Actual.objects.filter(year=2024, month=11, org_unit=first).delete()
        # 上年同期 then comes from this year's base value (synthetic last years hold two months: lowered, so
        # that the share of last year's full year stays below 1 and the profile method applies)
        Actual.objects.filter(year=2025, month=11, org_unit=first, base_value__isnull=False).update(
            base_value=Decimal(1)
        )
    return request.param


@pytest.mark.parametrize("scale", ["county", "city", "province"])
def test_the_floor_computes_the_overview_figures(overview_data, scale) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, int] = {}
    for subject in cockpit.subjects(scale, "TST"):
        app = _app_overview(cockpit.app_cockpit(subject))
        floor = _floor_overview(cockpit.floor_cockpit(subject))
        for key in app:
            assert floor[key] == app[key], key
        for key in ("funnel", "projects", "columns", "cards"):
            seen[key] = seen.get(key, 0) + len(app[key])
        for kind, listed in app["behind"].items():
            seen[kind] = seen.get(kind, 0) + len(listed)
        seen["forecasts"] = seen.get("forecasts", 0) + sum(1 for c in app["cards"] if c[1] is not None)
        seen["warnings"] = seen.get("warnings", 0) + app["warnings"]
    # the comparison bites: every part has figures to compare
    expected = {"funnel", "projects", "cards", "target", "project", "forecasts", "warnings"}
    if scale == "county":
        expected |= {"columns", "task", "item"}
    assert {k for k, n in seen.items() if n} >= expected, seen


def test_the_period_statement_finds_the_month_of_the_table_statement(tiny) -> None:  # type: ignore[no-untyped-def]
    for scale in ("county", "city", "province"):
        for subject in cockpit.subjects(scale, "TST"):
            with connection.cursor() as cursor:
                cursor.execute(cockpit_floor.PERIOD_SQL, {"scope_path": subject.unit.path + "%"})
                ym = cursor.fetchone()[0]
            floor = cockpit.floor_cockpit(subject)
            assert (int(ym) // 100, int(ym) % 100) == (floor.year, floor.month)


def test_the_floor_reads_every_project_metric() -> None:
    assert set(cockpit_floor.ROLLUP_METRIC) == set(METRICS)


def test_the_command_prints_the_figures(tiny) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "bench",
        "cockpit",
        "--scale",
        "county,province",
        "--runs",
        "2",
        "--prefix",
        "TST",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    for r in result["results"]:
        for key in (
            "p50_ms",
            "p95_ms",
            "floor_p50_ms",
            "floor_p95_ms",
            "ratio",
            "floor_table_p50_ms",
            "floor_table_p95_ms",
            "table_p50_ms",
            "table_p95_ms",
            "table_ratio",
            "queries",
            "rows",
        ):
            assert key in r
        assert r["queries"]["min"] == r["queries"]["max"]  # the same number of queries for every county
