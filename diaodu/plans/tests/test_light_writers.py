"""Writers of targets and indicators outside data entry keep the stored lights (lights.py) as a fresh evaluation
gives them: a plan file that changes an indicator shared with another plan's targets, and a target accepted in the
policy compiler. ``lights.check()`` stays empty."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from diaodu.plans import lights, services
from diaodu.plans.models import Target, TargetLight
from diaodu.plans.planfile import parse_plan

pytestmark = pytest.mark.django_db

PLAN = """\
plan: {{code: {code}, title: 测试计划, year: {year}, org_unit: "320723"}}
indicators:
  - {{code: signed, name: 签约过亿元项目数, unit: 个, measure: absolute{extra}}}
targets:
  - {{key: signed, indicator: signed, org_unit: "320723", value: 20, comparator: ">=", level: committed, quote: 签约}}
"""


def load(code: str, year: int, extra: str = "") -> Any:
    return services.load_plan(parse_plan(PLAN.format(code=code, year=year, extra=extra), source_text="签约"))


def test_a_plan_file_that_changes_a_shared_indicator_moves_the_other_plans_lights(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    load("a-2025", 2025)
    target = Target.objects.get(plan__code="a-2025")
    actual = services.save_actual(
        actor=personas["county"], indicator=target.indicator, org_unit=target.org_unit, year=2025, month=3,
        ytd_value=D(20),
    )  # fmt: skip
    services.approve_actual(services.submit_actual(actual, actor=personas["county"]), actor=personas["fgw"])
    assert TargetLight.objects.get(target=target, month=3).status == "green"  # 20 of 20 by March
    # The 2026 plan file computes the indicator from the project library: the entered 2025 figures no longer count.
    load("b-2026", 2026, ", computed_from: signed_ge_1yi_count")
    assert lights.check() == []
    assert TargetLight.objects.get(target=target, month=3).status == "grey"  # no project below the county


def test_a_target_accepted_in_the_compiler_has_its_lights(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.compiler import services as compiler
    from diaodu.compiler.tests.conftest import SAMPLE

    new = compiler.NewPlan("c-2025", "2025年（草案）", 2025, orgunits["320723"])
    document = compiler.upload_document(actor=personas["fgw"], plan=new, raw_text=SAMPLE, filename="a.txt")
    item = compiler.accept_item(document.items.get(indicator_name="一般公共预算收入"), actor=personas["fgw"])
    assert lights.check() == []
    assert TargetLight.objects.filter(target=item.target).count() == 12
