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


CLUSTER = "320723-T02-IZ"  # 伊山镇工业集中区


def build_projects(
    n: int, orgunits: dict[str, Any], officer: Any, reviewer: Any, *, unit: str = CLUSTER, through: int = 8
) -> list[Project]:
    """``n`` key projects of 2025 in ``unit`` (started in January, approved reports January … ``through``),
    each with an approval whose 容缺 document is overdue: enough for every column of the pages."""
    from diaodu.projects.models import ApprovalItem, MissingDocument, ProjectYear, Signing

    start = Project.objects.filter(org_unit=orgunits[unit]).count()
    rows = []
    for i in range(start, start + n):
        p = Project(
            name=f"伊山健康食品项目{i:03d}（测试）",
            org_unit=orgunits[unit],
            total_investment_wan=Decimal(20_000 + 1000 * i),
            chain=domain.Chain.FOOD,
            category=domain.Category.INDUSTRY,
        )
        year = ProjectYear(
            year=2025,
            is_new=bool(i % 2),
            is_key=True,
            key_level=domain.Level.COUNTY,
            planned_investment_wan=Decimal(12_000),
            planned_start_quarter=1,
        )
        events = [
            (domain.Stage.SIGNED, dt.date(2024, 11, 5), ""),
            (domain.Stage.STARTED, dt.date(2025, 1, 5), ""),
        ]
        rows.append(
            services.ProjectImport(
                p, [year], events, [Signing(on=dt.date(2024, 11, 5), amount_wan=p.total_investment_wan)]
            )
        )
    projects = services.import_projects(rows, actor=officer)
    services.import_approved_reports(
        [services.ReportImport(p, m, Decimal(800 * m)) for p in projects for m in range(1, through + 1)],
        year=2025,
        officer=officer,
        reviewer=reviewer,
    )
    for p in projects:
        item = ApprovalItem.objects.create(
            project=p, stage="parallel", name="环境影响评价", status="accepted_pending"
        )
        MissingDocument.objects.create(approval=item, name="排污许可申请材料", due_on=dt.date(2025, 6, 30))
    return projects


@pytest.fixture
def cluster_projects(personas, orgunits):  # type: ignore[no-untyped-def]
    return build_projects(3, orgunits, personas["yishan"], personas["fgw"])
