"""The years the project rollups keep (rollups.py) are built for every unit, whichever writer brings a year in:
a project's plan for next year entered before next year's plan file, a new unit's first project, an empty plan
created in the policy compiler or the admin. ``rollups.check()`` (a fresh computation) stays empty throughout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from diaodu.plans.models import Plan
from diaodu.plans.planfile import parse_plan
from diaodu.plans.services import load_plan
from diaodu.projects import domain, rollups, services
from diaodu.projects.models import ProjectRollup

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 31)
PLAN_2026 = """\
plan: {code: y-2026, title: 2026年测试计划, year: 2026, org_unit: "320723"}
indicators:
  - {code: signed, name: 签约过亿元项目数, unit: 个, measure: absolute, computed_from: signed_ge_1yi_count}
targets:
  - {key: signed, indicator: signed, org_unit: "320723", value: 20, comparator: ">=", level: committed, quote: 签约}
"""


def county_row(orgunits: dict[str, Any], year: int, month: int) -> dict[str, Any]:
    row = ProjectRollup.objects.filter(org_unit=orgunits["320723"], year=year, month=month, subtree=True)
    return dict(row.values().first() or {})


@pytest.fixture
def plan_2025(orgunits: dict[str, Any]) -> Plan:
    plan = Plan.objects.create(code="y-2025", title="2025年测试计划", year=2025, org_unit=orgunits["320723"])
    rollups.ensure_year(2025)
    return plan


def test_next_years_project_plans_before_next_years_plan_file(  # type: ignore[no-untyped-def]
    plan_2025, make_project, personas, orgunits
) -> None:
    yishan = make_project()
    yangji = make_project(unit="320723-T03", officer="yangji", name="杨集项目（测试）")
    services.record_signing(
        yangji, actor=personas["yangji"], on=dt.date(2026, 2, 3), amount_wan=D(60_000), today=TODAY
    )
    assert rollups.check() == []
    # December: next year's key projects are decided before next year's plan file is loaded.
    services.set_project_year(
        yishan, actor=personas["fgw"], year=2026, is_key=True, key_level=domain.Level.COUNTY,
        planned_investment_wan=D(12_000),
    )  # fmt: skip
    assert rollups.check() == []
    # a unit without projects so far
    make_project(unit="320723-T04", officer="county", name="燕尾港项目（测试）")
    assert rollups.check() == []
    load_plan(parse_plan(PLAN_2026, source_text="签约"))
    assert rollups.check() == []
    row = county_row(orgunits, 2026, 2)
    assert (row["projects"], row["key_count"], row["signed_ge_1yi"]) == (3, 1, 1)


def test_a_plan_created_in_the_compiler_builds_its_year(plan_2025, make_project, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.compiler import services as compiler

    make_project()
    compiler.create_plan(
        actor=personas["fgw"], code="c-2026", title="2026年（草案）", year=2026, org_unit=orgunits["320723"]
    )
    assert rollups.check() == []
    assert county_row(orgunits, 2026, 1)["projects"] == 1


def test_a_plan_added_in_the_admin_builds_its_year(plan_2025, make_project, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from django.contrib import admin
    from django.test import RequestFactory

    make_project()
    request = RequestFactory().post("/admin/")
    request.user = personas["sysadmin"]
    plan = Plan(code="a-2026", title="2026年", year=2026, org_unit=orgunits["320723"])
    admin.site._registry[Plan].save_model(request, plan, None, False)
    assert rollups.check() == []
    assert county_row(orgunits, 2026, 1)["projects"] == 1
