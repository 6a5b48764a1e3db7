"""Two reviewers approve two months of one series at the same moment (PostgreSQL, own connections): each approval
re-evaluates the target's twelve lights (lights.py), and the later write must not put back lights evaluated
without the other month. The evaluation and the write run under the audit chain's lock, one writer after the
other, so the second sees the first's approval."""

from __future__ import annotations

import threading
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections

from diaodu.plans import lights, services
from diaodu.plans.models import Indicator, Measure, Plan, Target, TargetLight

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_months_approved_at_once_both_reach_the_lights(orgunits, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent writers need PostgreSQL (the SQLite test database is one in-memory connection)"
        )
    town = orgunits["320723-T02"]
    plan = Plan.objects.create(code="k-2025", title="灯并发测试", year=2025, org_unit=orgunits["320723"])
    ind = Indicator.objects.create(code="rev", name="营业收入", unit="亿元", measure=Measure.ABSOLUTE)
    target = Target.objects.create(
        plan=plan, key="rev", indicator=ind, org_unit=town, year=2025, value=D(120), quote="q"
    )
    lights.refresh_targets(plan.targets.all())
    submitted = {}
    for month, ytd in ((3, "20"), (4, "45")):  # 20 of 120 by March: behind; 45 by April: ahead of 时序进度
        actual = services.save_actual(
            actor=personas["yishan"], indicator=ind, org_unit=town, year=2025, month=month, ytd_value=D(ytd)
        )
        submitted[month] = services.submit_actual(actual, actor=personas["yishan"])

    # March's reviewer evaluates, then waits (at most 3 s) for April's reviewer to be done before writing.
    evaluated, april_done = threading.Event(), threading.Event()
    real = lights.monthly_statuses

    def monthly_statuses(targets: Any) -> Any:
        out = real(targets)
        if threading.current_thread().name == "march":
            evaluated.set()
            april_done.wait(3)
        return out

    monkeypatch.setattr(lights, "monthly_statuses", monthly_statuses)
    errors: list[BaseException] = []

    def approve(month: int, reviewer: str) -> None:
        try:
            if month == 4:
                assert evaluated.wait(10)
            services.approve_actual(submitted[month], actor=personas[reviewer])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            if month == 4:
                april_done.set()
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(3, "fgw"), name="march"),
               threading.Thread(target=approve, args=(4, "tjj"), name="april")]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert lights.check() == []
    stored = dict(TargetLight.objects.filter(target=target, month__in=(3, 4)).values_list("month", "status"))
    assert stored == {3: "red", 4: "green"}
