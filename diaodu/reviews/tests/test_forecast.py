"""Year-end forecast and 预警 of cumulative targets from approved actuals."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from diaodu.plans.models import Actual, ActualStatus, Comparator, Indicator, Measure, Plan, Target
from diaodu.reviews.domain import ForecastMethod
from diaodu.reviews.forecast import forecast_targets, warnings

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(orgunits) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    county = orgunits["320723"]
    plan = Plan.objects.create(code="f-2025", title="预测测试", year=2025, org_unit=county)
    fdi = Indicator.objects.create(code="fdi", name="实际利用外资", unit="万美元", measure=Measure.ABSOLUTE)
    out = Indicator.objects.create(
        code="out", name="规上工业总产值", unit="%", value_unit="亿元", measure=Measure.GROWTH
    )

    def target(ind: Indicator, value: str, key: str) -> Target:
        return Target.objects.create(
            plan=plan,
            key=key,
            indicator=ind,
            org_unit=county,
            year=2025,
            value=D(value),
            comparator=Comparator.GE,
            quote="q",
        )

    return {
        "county": county,
        "fdi": fdi,
        "out": out,
        "t_fdi": target(fdi, "5000", "fdi"),
        "t_out": target(out, "20", "out"),
    }


def actual(
    ind: Indicator,
    unit: Any,
    year: int,
    month: int,
    ytd: str,
    base: str | None = None,
    status: str = ActualStatus.APPROVED,
) -> None:
    Actual.objects.create(
        indicator=ind,
        org_unit=unit,
        year=year,
        month=month,
        ytd_value=D(ytd),
        base_value=D(base) if base else None,
        status=status,
    )


def test_profile_forecast_and_warning_since(plan) -> None:  # type: ignore[no-untyped-def]
    c = plan["county"]
    # Last year: 1200 by July, 1500 by August, 1800 by September of 4800 for the year.
    for m, v in ((7, "1200"), (8, "1500"), (9, "1800"), (12, "4800")):
        actual(plan["fdi"], c, 2024, m, v)
    actual(plan["fdi"], c, 2025, 7, "1300")  # 1300 ÷ 0.25 = 5200: on track
    actual(plan["fdi"], c, 2025, 8, "1500")  # 1500 ÷ 0.3125 = 4800: warning
    actual(plan["fdi"], c, 2025, 9, "1650")  # 1650 ÷ 0.375 = 4400: warning
    [f] = forecast_targets(Target.objects.filter(key="fdi"), year=2025, month=9)
    assert f.forecast.method is ForecastMethod.PROFILE and f.month == 9
    assert f.projected == D(4400) and f.warning is True and f.warning_since == 8
    assert warnings([f]) == [f]
    [f8] = forecast_targets(Target.objects.filter(key="fdi"), year=2025, month=7)
    assert f8.warning is False and f8.warning_since is None


def test_schedule_fallback_without_last_year(plan) -> None:  # type: ignore[no-untyped-def]
    actual(plan["fdi"], plan["county"], 2025, 9, "3900")  # 3900 ÷ 0.75 = 5200
    actual(plan["fdi"], plan["county"], 2025, 8, "9999", status=ActualStatus.SUBMITTED)  # not approved
    [f] = forecast_targets(Target.objects.filter(key="fdi"), year=2025, month=9)
    assert f.forecast.method is ForecastMethod.SCHEDULE and f.projected == D(5200) and f.warning is False
    assert "时序进度" in f.note


def test_growth_target_projects_full_year_growth(plan) -> None:  # type: ignore[no-untyped-def]
    c = plan["county"]
    actual(plan["out"], c, 2024, 12, "400")
    actual(plan["out"], c, 2025, 6, "210", base="180")  # share 180/400 = 45% → 466.67亿 → +16.7%
    [f] = forecast_targets(Target.objects.filter(key="out"), year=2025, month=6)
    assert f.basis == "growth" and f.forecast.method is ForecastMethod.PROFILE
    assert f.projected is not None and round(f.projected, 2) == D("16.67") and f.warning is True


def test_growth_target_without_full_year_carries_the_current_growth(plan) -> None:  # type: ignore[no-untyped-def]
    actual(plan["out"], plan["county"], 2025, 6, "222", base="180")  # +23.3% now, no 2024 full year
    [f] = forecast_targets(Target.objects.filter(key="out"), year=2025, month=6)
    assert f.forecast.method is ForecastMethod.SCHEDULE
    assert round(f.projected, 1) == D("23.3") and f.warning is False  # type: ignore[arg-type]
    assert "当前累计增速" in f.note
    assert forecast_targets(Target.objects.filter(key="out"), year=2025, month=5) == []  # no data yet
