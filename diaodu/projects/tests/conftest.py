"""Fixtures: a small project world on the Guanyun units and demo personas, and the demo data set (module-wide)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from diaodu.projects import domain, services
from diaodu.projects.models import Project

YISHAN, YANGJI, P01 = "320723-T02", "320723-T03", "320723-Z01-P01"


@pytest.fixture
def make_project(personas: dict[str, Any], orgunits: dict[str, Any]):  # type: ignore[no-untyped-def]
    def make(
        unit: str = YISHAN,
        officer: str = "yishan",
        name: str = "伊山智能装备项目（测试）",
        total: str = "50000",
        **fields: Any,
    ) -> Project:
        return services.create_project(
            actor=personas[officer],
            org_unit=orgunits[unit],
            name=name,
            total_investment_wan=Decimal(total),
            **fields,
        )

    return make


@pytest.fixture
def started_project(make_project, personas):  # type: ignore[no-untyped-def]
    p = make_project()
    services.record_signing(p, actor=personas["yishan"], on=dt.date(2024, 11, 1), amount_wan=Decimal(50_000))
    services.record_stage(p, actor=personas["yishan"], stage=domain.Stage.STARTED, on=dt.date(2025, 1, 10))
    services.set_project_year(
        p,
        actor=personas["fgw"],
        year=2025,
        is_new=True,
        is_key=True,
        key_level=domain.Level.COUNTY,
        planned_investment_wan=Decimal(12_000),
    )
    return p
