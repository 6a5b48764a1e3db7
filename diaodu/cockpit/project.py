"""Read side of the cockpit's project page (drill-down): figures from :mod:`diaodu.projects.metrics` only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from diaodu.cockpit.board import fmt_number
from diaodu.plans.periods import Period
from diaodu.projects import domain, metrics
from diaodu.projects.models import Project


@dataclass
class ProjectPage:
    project: Project
    stage_label: str
    level_label: str
    chain_label: str
    is_key: bool
    plan_wan: Decimal
    done_wan: Decimal
    schedule_wan: Decimal
    behind: bool
    months: list[dict[str, str]]
    chart: dict[str, Any]

    @property
    def chart_json(self) -> str:
        return json.dumps(self.chart, ensure_ascii=False)

    @property
    def completion_text(self) -> str:
        return "" if self.plan_wan <= 0 else f"{fmt_number(self.done_wan * 100 / self.plan_wan, 1)}%"


def build_project_page(project: Project, period: Period) -> ProjectPage:
    data = metrics.load(period.year, period.month, Project.objects.filter(pk=project.pk))
    row = data.rows(period.month)[project.pk]
    months = range(1, 13)
    schedule = row.annual_plan_wan * period.month / 12
    ytd = [data.ytd_at(project.pk, m) if m <= period.month else None for m in months]
    table = [
        {"month": f"{m}月", "ytd": fmt_number(v, 0), "plan": fmt_number(row.annual_plan_wan * m / 12, 0)}
        for m, v in zip(months, ytd, strict=True)
        if v is not None
    ]
    chart = {
        "months": [f"{m}月" for m in months],
        "planName": "序时计划（万元）",
        "actualName": "累计完成（万元）",
        "plan": [fmt_number(row.annual_plan_wan * m / 12, 0) for m in months],
        "actual": [None if v is None else fmt_number(v, 0) for v in ytd],
    }
    return ProjectPage(
        project=project,
        stage_label=domain.STAGE_LABELS.get(project.stage, project.stage),
        level_label=domain.LEVEL_LABELS.get(row.level, ""),
        chain_label=domain.CHAIN_LABELS.get(project.chain, ""),
        is_key=row.is_key,
        plan_wan=row.annual_plan_wan,
        done_wan=row.ytd_wan,
        schedule_wan=schedule,
        behind=row.annual_plan_wan > 0 and row.ytd_wan < schedule,
        months=table,
        chart=chart,
    )
