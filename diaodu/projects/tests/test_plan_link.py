"""Plan indicators computed from the project library are not entered by hand: no row on the data-entry sheet,
and ``save_actual`` refuses them with a Chinese message (their actuals come from the project metrics)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from diaodu.plans import services as plan_services
from diaodu.plans import worklists
from diaodu.plans.models import Indicator, Plan, Target

pytestmark = pytest.mark.django_db
CLUSTER = "320723-T02-IZ"


@pytest.fixture
def plan(orgunits):  # type: ignore[no-untyped-def]
    p = Plan.objects.create(code="link-2025", title="测试计划", year=2025, org_unit=orgunits["320723"])
    computed = Indicator.objects.create(
        code="iz-started",
        name="新开工投资过亿元工业项目数",
        unit="个",
        measure="count",
        computed_from="new_started_ge_1yi_count",
    )
    manual = Indicator.objects.create(code="iz-land", name="盘活低效用地", unit="亩", measure="area")
    for i, ind in enumerate((computed, manual)):
        Target.objects.create(
            plan=p,
            key=f"k{i}",
            indicator=ind,
            org_unit=orgunits[CLUSTER],
            year=2025,
            value=Decimal(5),
            quote="测试",
        )
    return {"computed": computed, "manual": manual}


def test_the_entry_sheet_has_no_row_for_computed_indicators(plan, orgunits, personas) -> None:  # type: ignore[no-untyped-def]
    rows = worklists.entry_sheet(orgunits[CLUSTER], year=2025, month=9)
    assert [r.code for r in rows] == ["iz-land"]
    client = Client()
    client.force_login(personas["yishan"])
    html = client.get(f"/plans/entry/?unit={CLUSTER}&month=2025-09").content.decode()
    assert 'data-indicator="iz-started"' not in html and 'data-indicator="iz-land"' in html
    assert 'data-testid="computed-note"' in html and "新开工投资过亿元工业项目数" in html
    assert "/projects/dispatch/?unit=320723-T02-IZ" in html


def test_save_actual_refuses_computed_indicators(plan, orgunits, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="由项目库数据按月计算"):
        plan_services.save_actual(
            actor=personas["yishan"],
            indicator=plan["computed"],
            org_unit=orgunits[CLUSTER],
            year=2025,
            month=9,
            ytd_value=Decimal(3),
        )
    client = Client()
    client.force_login(personas["yishan"])
    response = client.post(
        "/api/actuals",
        {"indicator": "iz-started", "unit": CLUSTER, "year": 2025, "month": 9, "ytd_value": "3"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "不需要也不能人工填报" in response.json()["detail"][0]["msg"]
