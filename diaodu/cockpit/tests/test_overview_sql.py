"""The overview's lists computed in SQL give the rows the earlier Python computation gave: the key projects
(largest first, those behind their 序时计划) and the overdue 督办 items, on the demo data with ties added."""

from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.orgunits.models import OrgUnit
from diaodu.projects import demo, metrics
from diaodu.projects import domain as project_domain
from diaodu.projects.models import Project, ProjectYear

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
