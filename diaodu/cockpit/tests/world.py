"""A small plan for the page tests: county targets, a town cluster target, and helpers to report months."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from diaodu.plans import services
from diaodu.plans.models import Actual, Indicator, Level, Measure, Plan, Target

YEAR = 2025
COUNTY = "320723"
YISHAN = "320723-T02"
YISHAN_IZ = "320723-T02-IZ"
YANGJI_IZ = "320723-T03-IZ"


def make_plan(units: dict[str, Any], *, extra: int = 0) -> dict[str, Any]:
    """Targets: county GDP growth ≥7% (确保), county 新增四上企业 ≥150家, 伊山/杨集 clusters ≥5 projects;
    plus ``extra`` more county count targets (to check that query counts do not grow)."""
    plan = Plan.objects.create(
        code="test-2025", title="灌云县2025年测试计划", year=YEAR, org_unit=units[COUNTY]
    )
    gdp = Indicator.objects.create(
        code="gdp", name="地区生产总值", unit="%", value_unit="亿元", measure=Measure.GROWTH
    )
    four = Indicator.objects.create(code="four", name="新增“四上”企业数", unit="家", measure=Measure.COUNT)
    iz = Indicator.objects.create(
        code="iz", name="新开工投资过亿元工业项目", unit="个", measure=Measure.COUNT
    )
    order = iter(range(1, 1000))

    def target(
        key: str,
        ind: Indicator,
        unit: str,
        value: str,
        section: str,
        level: str = Level.PLAIN,
        quote: str = "",
    ) -> Target:
        return Target.objects.create(
            plan=plan,
            key=key,
            section=section,
            indicator=ind,
            org_unit=units[unit],
            year=YEAR,
            value=Decimal(value),
            level=level,
            quote=quote or f"{ind.name}{value}{ind.unit}以上",
            sort_order=next(order),
        )

    out = {
        "plan": plan,
        "gdp": gdp,
        "four": four,
        "iz": iz,
        "t_gdp": target("gdp", gdp, COUNTY, "7", "主要预期目标", Level.COMMITTED, "地区生产总值增长7%以上"),
        "t_four": target("four", four, COUNTY, "150", "主要预期目标"),
        "t_iz": target(
            "iz-t02",
            iz,
            YISHAN_IZ,
            "5",
            "三大板块·镇级工业集中区",
            quote="伊山、下车、杨集、四队、图河等重点镇级工业集中区每家新开工投资过亿元工业项目5个以上",
        ),
        "t_iz_yangji": target("iz-t03", iz, YANGJI_IZ, "5", "三大板块·镇级工业集中区"),
    }
    for i in range(extra):
        ind = Indicator.objects.create(
            code=f"extra-{i}", name=f"测试指标{i}", unit="个", measure=Measure.COUNT
        )
        target(f"extra-{i}", ind, COUNTY if i % 2 else YISHAN_IZ, "12", "其他")
    return out


def approved(
    personas: dict[str, Any],
    indicator: Indicator,
    unit: Any,
    month: int,
    *,
    ytd: str | None = None,
    growth: str | None = None,
    base: str | None = None,
    officer: str = "county",
    reviewer: str = "fgw",
) -> Actual:
    """Report a month through the services (save, submit, approve)."""
    actual = services.save_actual(
        actor=personas[officer],
        indicator=indicator,
        org_unit=unit,
        year=YEAR,
        month=month,
        ytd_value=Decimal(ytd) if ytd is not None else None,
        growth_pct=Decimal(growth) if growth else None,
        base_value=Decimal(base) if base else None,
        note="统计局月报",
    )
    actual = services.submit_actual(actual, actor=personas[officer])
    return services.approve_actual(actual, actor=personas[reviewer])


def submitted(
    personas: dict[str, Any], indicator: Indicator, unit: Any, month: int, ytd: str, officer: str = "county"
) -> Actual:
    actual = services.save_actual(
        actor=personas[officer],
        indicator=indicator,
        org_unit=unit,
        year=YEAR,
        month=month,
        ytd_value=Decimal(ytd),
    )
    return services.submit_actual(actual, actor=personas[officer])
