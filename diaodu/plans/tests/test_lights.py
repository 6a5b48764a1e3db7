"""The stored lights (lights.py): after the whole demo (plan, actuals through the services, projects, reviews)
every target's light of every month equals a fresh evaluation; each approval, reopening and peer figure moves
them in the same transaction; relative targets follow their reference; drift is reported and rebuilt."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diaodu.plans import lights, services
from diaodu.plans.evaluation import evaluate_targets
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure, Plan, Target, TargetLight

pytestmark = pytest.mark.django_db


def stored(target: Target, month: int) -> str | None:
    return TargetLight.objects.filter(target=target, month=month).values_list("status", flat=True).first()


def test_the_demo_lights_equal_a_fresh_evaluation() -> None:
    call_command("demo", "--through", "2025-09", stdout=io.StringIO(), stderr=io.StringIO())
    assert lights.check() == []
    targets = Target.objects.filter(year=2025)
    assert TargetLight.objects.count() == targets.count() * 12
    for month in (3, 9):
        results = evaluate_targets(targets, year=2025, as_of_month=month)
        have = dict(TargetLight.objects.filter(month=month).values_list("target_id", "status"))
        assert {r.target.pk: r.status for r in results} == have
    assert set(have.values()) >= {"green", "red", "grey"}  # the comparison covers every kind of light


@pytest.fixture
def world(orgunits: dict[str, Any], personas: dict[str, Any]) -> dict[str, Any]:
    town = orgunits["320723-T02"]
    plan = Plan.objects.create(code="l-2025", title="灯测试", year=2025, org_unit=orgunits["320723"])
    ind = Indicator.objects.create(code="rev", name="营业收入", unit="亿元", measure=Measure.ABSOLUTE)
    ref = Indicator.objects.create(code="gdp", name="地区生产总值", unit="亿元", measure=Measure.ABSOLUTE)
    tax = Indicator.objects.create(code="tax", name="税收收入", unit="亿元", measure=Measure.GROWTH)
    target = Target.objects.create(
        plan=plan, key="rev", indicator=ind, org_unit=town, year=2025, value=D(120), quote="q"
    )
    relative = Target.objects.create(
        plan=plan, key="rel", indicator=tax, org_unit=town, year=2025, value=None, relative_to=ref, quote="q"
    )
    lights.refresh_targets(plan.targets.all())
    return {"town": town, "ind": ind, "ref": ref, "tax": tax, "target": target, "relative": relative}


def enter(
    world: dict[str, Any],
    personas: dict[str, Any],
    ind: Indicator,
    month: int,
    ytd: str,
    base: str | None = None,
) -> Actual:
    actual = services.save_actual(
        actor=personas["yishan"],
        indicator=ind,
        org_unit=world["town"],
        year=2025,
        month=month,
        ytd_value=D(ytd),
        base_value=D(base) if base else None,
    )
    return services.submit_actual(actual, actor=personas["yishan"])


def test_each_approval_and_reopening_moves_the_lights(world, personas) -> None:  # type: ignore[no-untyped-def]
    target = world["target"]
    assert [stored(target, m) for m in (1, 12)] == ["grey", "grey"]
    march = enter(world, personas, world["ind"], 3, "20")  # 20 of 120 by March: behind 时序进度 (25%)
    assert stored(target, 3) == "grey"  # submitted is not counted
    services.approve_actual(march, actor=personas["fgw"])
    assert [stored(target, m) for m in (2, 3, 4, 12)] == ["grey", "red", "red", "red"]
    april = enter(world, personas, world["ind"], 4, "45")  # 45 of 120 by April: ahead (37.5%)
    services.approve_actual(april, actor=personas["fgw"])
    assert [stored(target, m) for m in (3, 4, 12)] == ["red", "green", "green"]  # back on schedule
    services.reopen_actual(april, actor=personas["tjj"], reason="核实")
    assert [stored(target, m) for m in (3, 4)] == ["red", "red"]
    assert lights.check() == []


def test_a_relative_target_follows_its_reference(world, personas) -> None:  # type: ignore[no-untyped-def]
    relative = world["relative"]
    services.approve_actual(enter(world, personas, world["tax"], 3, "110", base="100"), actor=personas["fgw"])
    assert stored(relative, 3) == "grey"  # no reference growth yet
    services.approve_actual(enter(world, personas, world["ref"], 3, "105", base="100"), actor=personas["fgw"])
    assert stored(relative, 3) == "green"  # 10% against 5%
    assert lights.check() == []


def test_drift_is_reported_and_rebuilt(world) -> None:  # type: ignore[no-untyped-def]
    TargetLight.objects.filter(target=world["target"], month=5).update(status=ActualStatus.APPROVED)
    problems = lights.check()
    assert len(problems) == 1 and "5月" in problems[0]
    err = io.StringIO()
    with pytest.raises(CommandError, match="不一致：1 处"):
        call_command("plan", "lights", "--check", stdout=io.StringIO(), stderr=err)
    out = io.StringIO()
    call_command("plan", "lights", "--rebuild", stdout=out)
    call_command("plan", "lights", "--check", stdout=out)
    assert "已重新评价" in out.getvalue() and "结果一致" in out.getvalue()


def test_an_edit_in_the_admin_moves_the_lights(world, personas) -> None:  # type: ignore[no-untyped-def]
    from django.contrib import admin
    from django.test import RequestFactory

    target = world["target"]
    services.approve_actual(enter(world, personas, world["ind"], 3, "20"), actor=personas["fgw"])
    assert stored(target, 3) == "red"  # 20 of 120 by March
    request = RequestFactory().post("/admin/")
    request.user = personas["sysadmin"]
    target.value = D(60)  # 20 of 60 by March: ahead of 时序进度
    admin.site._registry[Target].save_model(request, target, None, True)
    assert stored(target, 3) == "green"
    world["ind"].measure = Measure.GROWTH  # now judged on growth: no base value, no figure
    admin.site._registry[Indicator].save_model(request, world["ind"], None, True)
    assert stored(target, 3) == "grey"
    assert lights.check() == []
