"""The overview's lists computed in SQL give the rows the earlier computation gave: the key projects (largest
first, those behind their 序时计划; demo data with ties added), the red targets (synthetic world) and the
overdue 督办 items (demo items, one without a deadline)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from diaodu.cockpit import overview
from diaodu.cockpit.tests.scopes import scoped_user
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.evaluation import targets_for_unit
from diaodu.plans.models import Target, TargetLight
from diaodu.plans.periods import Period
from diaodu.projects import demo, metrics
from diaodu.projects import domain as project_domain
from diaodu.projects.models import Project, ProjectYear
from diaodu.scale.synth import synthesize
from diaodu.scale.tests.conftest import TINY
from diaodu.supervision.demo import load_demo_supervision
from diaodu.supervision.models import SupervisionItem
from diaodu.supervision.reports import is_overdue, overdue_q

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"
COUNTY = "320723"


@pytest.fixture
def demo_projects(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    demo.load_demo_projects(users=personas, through_month=9)
    # ties on the annual plan (ordered by project id), a zero plan and a negative-free edge: plan == ytd × 12 / m
    years = list(ProjectYear.objects.filter(year=2025, is_key=True).order_by("project_id"))
    for y in years[:12]:
        y.planned_investment_wan = D(20000)
    years[12].planned_investment_wan = D(0)
    ProjectYear.objects.bulk_update(years[:13], ["planned_investment_wan"])
    return personas


def old_lists(user: Any, unit: OrgUnit, month: int, limit: int) -> tuple[list[Any], list[Any]]:
    """What the overview listed before: every key plan loaded, the first ``limit`` of all and of those behind."""
    projects = Project.objects.visible_to(user).filter(org_unit__path__startswith=unit.path)
    key_years = list(metrics.key_years_with_ytd(projects, 2025, month))
    behind = [y for y in key_years if project_domain.behind_schedule(y.ytd, y.planned_investment_wan, month)]  # type: ignore[attr-defined]

    def row(y: Any) -> tuple[Any, ...]:
        plan, ytd = y.planned_investment_wan, y.ytd
        return (y.project_id, y.project.name, y.project.org_unit.short_name, plan, ytd)

    return [row(y) for y in key_years[:limit]], [row(y) for y in behind[:limit]]


@pytest.mark.parametrize("limit", [5, 30, 1000])
def test_largest_and_behind_are_the_rows_listed_before(demo_projects, limit) -> None:  # type: ignore[no-untyped-def]
    leader = demo_projects["leader"]
    units = [
        OrgUnit.objects.get(code=COUNTY),
        *OrgUnit.objects.filter(parent__code=COUNTY).order_by("code")[:4],
    ]
    seen_behind = 0
    for unit in units:
        for month in (1, 3, 6, 9, 12):
            largest, late = metrics.largest_and_behind(
                Project.objects.visible_to(leader).filter(org_unit__path__startswith=unit.path),
                2025,
                month,
                limit,
            )
            want_largest, want_late = old_lists(leader, unit, month, limit)
            got = [
                (r.project_id, r.name, r.unit_short_name, r.planned_investment_wan, r.ytd) for r in largest
            ]
            assert got == want_largest, (unit.code, month)
            assert [
                (r.project_id, r.name, r.unit_short_name, r.planned_investment_wan, r.ytd) for r in late
            ] == (want_late), (unit.code, month)
            assert all(r.behind for r in late)
            behind_ids = {r[0] for r in old_lists(leader, unit, month, 10_000)[1]}
            assert [r.behind for r in largest] == [r.project_id in behind_ids for r in largest]
            seen_behind += len(late)
    assert seen_behind  # the data has projects behind their plan


def test_the_listing_is_one_query(demo_projects, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    leader = demo_projects["leader"]
    projects = Project.objects.visible_to(leader).filter(org_unit__path__startswith="/")
    with django_assert_num_queries(1):
        largest, late = metrics.largest_and_behind(projects, 2025, 9, 30)
    assert len(largest) == 30 and late
    assert largest[0].planned_investment_wan >= largest[-1].planned_investment_wan


def test_the_listing_of_nothing_visible_is_empty(demo_projects, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # a queryset the ORM knows to be empty (a scope without units compiles to one): no statement, no row
    for nothing in (Project.objects.none(), Project.objects.filter(pk__in=[])):
        with django_assert_num_queries(0):
            assert metrics.largest_and_behind(nothing, 2025, 9, 30) == ([], [])


# ----------------------------------------------------------------------------- the behind list: targets and items


def old_red(user: Any, unit: OrgUnit, period: Period, limit: int) -> tuple[list[tuple[Any, ...]], int]:
    """The red targets as the overview read them before: lights filtered by a target semi-join, then counted."""
    targets = targets_for_unit(
        Target.objects.visible_to(user).filter(year=period.year), unit.path, include_below=True
    )
    red = (
        TargetLight.objects.filter(month=period.month, status="red", target__in=targets.values("pk"))
        .select_related("target__indicator", "target__org_unit", "target__relative_to")
        .order_by("target__plan__code", "target__sort_order", "target_id")
    )
    listed = list(red[:limit])
    rows = [
        (x.target_id, x.target.indicator.name, x.target.org_unit.code, x.actual, x.points) for x in listed
    ]
    return rows, red.count()


def test_red_targets_are_the_lights_listed_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.models import User

    synthesize(TINY)  # two counties and their city, with the lights kept at write time
    leaders = User.objects.filter(username__endswith="-leader", username__startswith="tst-")
    assert leaders.count() >= 3  # counties and their city
    checked = 0
    for limit in (3, 30):
        monkeypatch.setattr(overview, "MAX_LISTED", limit)
        for leader in leaders:
            unit = leader.org_unit
            assert unit is not None
            for month in (1, 6, 12):
                period = Period(2025, month)
                rows, total = old_red(leader, unit, period, limit)
                items, red_total = overview.build_behind(leader, unit, period)
                got = [b for b in items if b.kind == "target"]
                assert red_total == total
                assert [b.title for b in got] == [r[1] for r in rows]
                assert [f"unit={r[2]}" in b.url for b, r in zip(got, rows, strict=True)] == [True] * len(rows)
                checked += len(rows)
    assert checked


def old_items(user: Any, unit: OrgUnit, on: dt.date) -> list[tuple[str, str]]:
    items = (
        SupervisionItem.objects.visible_to(user)
        .open()
        .filter(lead_unit__path__startswith=unit.path)
        .select_related("lead_unit")
        .order_by("deadline", "pk")
    )
    return [(f"{i.number} {i.title}", i.lead_unit.code) for i in items if is_overdue(i, on) and i.lead_unit]


def test_overdue_items_are_those_listed_before(personas) -> None:  # type: ignore[no-untyped-def]
    load_demo_supervision(users=personas, log=lambda _msg: None)
    today = timezone.localdate()
    first, second = SupervisionItem.objects.open().exclude(lead_unit=None).order_by("pk")[:2]
    SupervisionItem.objects.filter(pk=first.pk).update(deadline=None)  # no deadline: never overdue
    later = today + dt.timedelta(days=45)
    due = project_domain.month_end(later.year, later.month)  # due on the day asked for: not overdue yet
    SupervisionItem.objects.filter(pk=second.pk).update(deadline=due)
    county = OrgUnit.objects.get(code=COUNTY)
    seen = 0
    for user in (personas["leader"], personas["dcs"]):
        for on in [today + dt.timedelta(days=d) for d in (-40, 0, 20, 45, 80, 400)] + [
            due,
            due + dt.timedelta(1),
        ]:
            assert SupervisionItem.objects.filter(overdue_q(on)).count() == sum(
                is_overdue(i, on) for i in SupervisionItem.objects.all()
            )
            period = Period(on.year, on.month)
            items, _n = overview.build_behind(user, county, period)
            got = [(b.title, b.url) for b in items if b.kind == "item"]
            want = old_items(user, county, project_domain.month_end(on.year, on.month))
            assert [t for t, _u in got] == [t for t, _c in want]
            assert all(f"unit={c}" in u for (_t, u), (_t2, c) in zip(got, want, strict=True))
            seen += len(got)
    assert seen


# ----------------------------------------------------------------------------- the side-by-side columns


def old_columns(unit: OrgUnit, period: Period) -> list[tuple[Any, ...]]:
    """The columns as the overview computed them before: the children, then ``unit_facts`` of each."""
    from diaodu.plans.domain import round1
    from diaodu.reviews.scoring import unit_facts

    children = list(
        OrgUnit.objects.filter(parent=unit, kind__in=overview.SIDE_BY_SIDE_KINDS).order_by("sort_order", "pk")
    )
    facts = unit_facts(children, year=period.year, month=period.month, supervision=False)
    out = []
    for u in children:
        f = facts[u.pk]
        counts = {s: f.lights.count(s) for s in ("green", "yellow", "red", "grey")}
        pct = "" if f.plan_to_date_wan <= 0 else f"{round1(f.done_wan * 100 / f.plan_to_date_wan)}%"
        behind = counts["red"] > 0 or f.done_wan < f.plan_to_date_wan
        out.append((u.pk, u.code, u.name, counts, f.key_projects, pct, behind))
    return out


def test_columns_are_the_unit_facts_of_each_zone_and_town() -> None:
    synthesize(TINY)
    counties = list(OrgUnit.objects.filter(code__startswith="TST", kind="county"))
    assert counties
    seen = {"red": 0, "projects": 0, "behind": 0}
    for county in counties:
        for month in (1, 4, 9, 12):
            period = Period(2025, month)
            got = [
                (c.unit.pk, c.unit.code, c.unit.name, c.counts, c.key_projects, c.completion_text, c.behind)
                for c in overview.build_columns(county, period)
            ]
            assert got == old_columns(county, period), (county.code, month)
            seen["red"] += sum(g[3]["red"] for g in got)
            seen["projects"] += sum(g[4] for g in got)
            seen["behind"] += sum(g[6] for g in got)
    assert all(seen.values()), seen  # the data exercises every part of a column


# ----------------------------------------------------------------------------- the behind list of a whole subtree


@pytest.fixture
def behind_world(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The Guanyun plan (targets and key tasks across the county's units, with co-owners), a red light on every
    other target each month, key tasks late or done on various days, and the demo 督办 items (lead units and
    co-units across the county) with deadlines in the plan's year, some active and overdue."""
    import itertools

    from diaodu.supervision.models import KeyTask, Milestone, TaskStatus

    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    load_demo_supervision(users=personas, log=lambda _msg: None)
    targets = list(Target.objects.filter(year=2025).order_by("pk"))
    statuses = itertools.cycle(["red", "green", "red", "yellow", "grey"])
    TargetLight.objects.filter(target__in=targets).delete()  # those the plan's load kept (no data: grey)
    TargetLight.objects.bulk_create(
        TargetLight(
            target=t, month=m, status=next(statuses), actual=D(m) / 3, points=None if m % 2 else D("-1.5")
        )
        for t in targets
        for m in (3, 6, 9)
    )
    deadlines = itertools.cycle(
        [dt.date(2025, 2, 28), dt.date(2025, 5, 31), dt.date(2025, 8, 31), dt.date(2025, 12, 31)]
    )
    done = itertools.cycle([None, dt.date(2025, 4, 1), None, dt.date(2025, 7, 1), dt.date(2025, 9, 30)])
    for i, task in enumerate(KeyTask.objects.order_by("pk")):
        task.deadline, task.completed_on = next(deadlines), next(done)
        task.status = TaskStatus.DONE if task.completed_on else TaskStatus.IN_PROGRESS
        task.save(update_fields=["deadline", "completed_on", "status"])
        if i % 3 == 0:  # a milestone late from spring on (done in September on every sixth task)
            Milestone.objects.create(
                task=task,
                title="节点",
                due=dt.date(2025, 4, 30),
                done_on=dt.date(2025, 9, 15) if i % 6 else None,
            )
    items = list(SupervisionItem.objects.order_by("pk"))
    item_deadlines = itertools.cycle([dt.date(2025, 1, 31), dt.date(2025, 5, 15), None, dt.date(2025, 8, 10)])
    for item in items:
        item.deadline = next(item_deadlines)
    SupervisionItem.objects.bulk_update(items, ["deadline"])
    return personas


def behind_users(personas: dict[str, Any], orgunits: dict[str, OrgUnit]) -> list[tuple[str, Any, OrgUnit]]:
    """(scope, user, unit): users who see the whole subtree of the unit, part of it, or none of it."""
    from diaodu.accounts.scope import DataScope

    def user(name: str, unit: str, scope: str, custom: tuple[str, ...] = ()) -> Any:
        return scoped_user(orgunits, name, unit, scope, custom=custom)

    county, zone = orgunits[COUNTY], orgunits["320723-Z01"]
    custom = user("custom", "320723-D01", DataScope.CUSTOM, ("320723-Z01", "320723-T02", "320723-D06"))
    return [
        ("full", personas["leader"], county),  # all units
        ("full", personas["dcs"], county),  # all units, supervision too
        ("full", personas["lingang"], zone),  # the zone and below
        ("full", user("zone-below", "320723-Z01", DataScope.UNIT_AND_BELOW), zone),
        ("partial", personas["lingang"], county),  # the zone and below only
        (
            "partial",
            custom,
            county,
        ),  # a zone (not its parks), a town and a department: co-owned tasks and items
        ("partial", custom, zone),
        ("partial", user("zone-own", "320723-Z01", DataScope.UNIT), zone),
        ("none", personas["sysadmin"], county),  # no data permission
        ("partial", user("co-unit", "320723-D06", DataScope.UNIT), zone),  # co-owns some of the zone's
        ("none", user("no-units", "320723-D01", DataScope.CUSTOM), county),  # a scope without units
    ]


def test_the_behind_list_of_a_whole_subtree_is_the_scoped_one(behind_world, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.scope import READ_PERMS, sees_whole_subtree
    from diaodu.supervision.querysets import SUPERVISION_READ_PERMS

    # whoever sees every unit of a subtree with the data permissions sees them with supervision's (a superset)
    assert set(READ_PERMS) <= set(SUPERVISION_READ_PERMS)
    seen: dict[str, list[int]] = {"full": [0, 0, 0], "partial": [0, 0, 0]}
    differs = {"partial": 0, "none": 0}
    for scope, user, unit in behind_users(behind_world, orgunits):
        assert sees_whole_subtree(user, unit) == (scope == "full"), (scope, user, unit)
        for limit in (4, 30):
            for month in (3, 6, 9):
                period = Period(2025, month)
                scoped = overview.behind_rows_in_scope(user, unit, period, limit)
                subtree = overview.behind_rows_of_subtree(unit, period, limit)
                if scope == "full":
                    assert subtree == scoped, (user.username, unit.code, month, limit)
                else:  # the shortcut would show more than the scope allows: the data tells them apart
                    differs[scope] += subtree != scoped
                if scope == "none":
                    assert scoped == ([], [], [])
                for i, n in enumerate(len(rows) for rows in scoped):
                    seen.get(scope, [0, 0, 0])[i] += n
                with mock.patch.object(overview, "MAX_LISTED", limit):
                    got = overview.build_behind(user, unit, period)
                    want = overview.build_behind(user, unit, period, whole_subtree=False)  # the scoped path
                assert got == want
    assert all(all(n) for n in seen.values()), seen  # red targets, red tasks and overdue items in each case
    assert all(differs.values()), differs


def test_the_behind_list_of_a_whole_subtree_is_one_statement(
    behind_world, orgunits, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    leader, county = behind_world["leader"], orgunits[COUNTY]
    overview.build_behind(leader, county, Period(2025, 6))  # reads the user's scope (once per request)
    with django_assert_num_queries(1):
        items, total = overview.build_behind(leader, county, Period(2025, 6))
    assert {b.kind for b in items} == {"target", "task", "item"} and total


def test_the_key_projects_of_a_whole_subtree_are_the_scoped_ones(demo_projects, orgunits) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diaodu.accounts.scope import DataScope, sees_whole_subtree

    county, zone = orgunits[COUNTY], orgunits["320723-Z02"]
    custom = scoped_user(
        orgunits, "custom", "320723-D01", DataScope.CUSTOM, custom=("320723-Z02", "320723-T02")
    )
    cases = [
        ("full", demo_projects["leader"], county),
        ("full", demo_projects["kaifaqu"], zone),  # the zone and below
        ("partial", demo_projects["kaifaqu"], county),
        ("partial", custom, county),  # a zone (not its parks) and a town
        ("partial", custom, zone),
        ("none", scoped_user(orgunits, "no-units", "320723-D01", DataScope.CUSTOM), county),
    ]
    seen = {"full": 0, "partial": 0}
    for scope, user, unit in cases:
        assert sees_whole_subtree(user, unit) == (scope == "full")
        for month in (3, 9):
            period = Period(2025, month)
            scoped = metrics.largest_and_behind(
                Project.objects.visible_to(user).filter(org_unit__path__startswith=unit.path), 2025, month, 30
            )
            subtree = metrics.largest_and_behind_in_subtree(unit, 2025, month, 30)
            if scope == "full":
                assert subtree == scoped
            else:  # the statement would list projects the scope hides: the cases tell the two apart
                assert subtree != scoped
            if scope == "none":
                assert scoped == ([], [])
            if scope in seen:
                seen[scope] += len(scoped[0])
            with CaptureQueriesContext(connection) as ctx:
                got = overview.build_projects(user, unit, period)
            fixed = [q for q in ctx.captured_queries if "FROM projects_project sp" in q["sql"]]
            assert len(fixed) == (1 if scope == "full" else 0)
            assert got == overview.build_projects(user, unit, period, whole_subtree=False)  # the scoped path
    assert all(seen.values()), seen


def test_the_overview_reuses_the_boards_project_rollups(demo_projects, orgunits) -> None:  # type: ignore[no-untyped-def]
    """The board's computed indicators read the unit's subtree rollup rows of the year through the month: the
    funnel and investment chart take them from there (one statement less) for whoever sees the whole subtree,
    with the figures of their own read; anyone else gets the sums of what they may see, as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diaodu.accounts.scope import DataScope
    from diaodu.cockpit import board

    county = orgunits[COUNTY]
    partial = scoped_user(orgunits, "partial", "320723-D01", DataScope.CUSTOM, custom=(COUNTY, "320723-Z02"))
    funnels = set()
    for user in (demo_projects["leader"], partial):
        for month in (3, 9, 12):
            period = Period(2025, month)
            table = board.build_board(user, county, period, include_below=False, with_last_year=True)
            assert table.project_months is not None  # the county's computed indicators read them
            assert max(table.project_months) <= month
            with CaptureQueriesContext(connection) as ctx:
                got = overview.build_overview(
                    user, county, period, table.own_results(), table.last_year, table.project_months
                )
            rollup_reads = [q for q in ctx.captured_queries if "projects_projectrollup" in q["sql"]]
            # the leader's from the board; the columns' statement joins the rollups of the towns and zones
            assert len(rollup_reads) == (1 if user == partial else 0) + 1
            want = overview.build_overview(user, county, period, table.own_results(), table.last_year)
            assert got == want
            funnels.add((user.pk, str(got.funnel), str(got.investment)))
    assert (
        len({f[1:] for f in funnels}) > 3
    )  # figures differ by month and scope: the comparison means something
