"""Read side of the key-project overview of a unit and of its pipeline funnel.

Every figure comes from :mod:`diaodu.projects.metrics` (which applies :mod:`diaodu.projects.domain`); the plan
targets computed from projects are evaluated by :func:`diaodu.plans.evaluation.evaluate_targets`, as on the
cockpit. Nothing is computed here beyond picking and labelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from diaodu.cockpit.board import BoardRow
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.evaluation import evaluate_targets
from diaodu.plans.models import Target
from diaodu.plans.periods import Period
from diaodu.projects import domain, metrics
from diaodu.projects.models import Project

DIMENSIONS = (
    ("tier", "按规模"),
    ("level", "按层级"),
    ("zone", "按板块"),
    ("chain", "按产业链"),
    ("stage", "按阶段"),
)


def unit_projects(user: Any, unit: OrgUnit) -> QuerySet[Project]:
    return Project.objects.visible_to(user).filter(org_unit__path__startswith=unit.path)


@dataclass
class StartCheck:
    label: str
    month: int
    planned: int
    started: int
    rate: Decimal | None
    target: Decimal

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


@dataclass
class Overview:
    unit: OrgUnit
    period: Period
    summary: dict[str, Any]
    start_checks: list[StartCheck]
    breakdowns: list[tuple[str, dict[str, domain.GroupTotals]]]
    targets: list[BoardRow]
    chart: dict[str, Any]


def _zone_names(unit: OrgUnit, data: metrics.ProjectData) -> dict[int, str]:
    ids = {z for b in data.base.values() if (z := metrics.zone_id(b["path"])) is not None}
    return dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name"))


def build_overview(user: Any, unit: OrgUnit, period: Period) -> Overview:
    """The metrics of ``unit``'s subtree for ``period`` (a constant number of queries)."""
    data = metrics.load(period.year, period.month, unit_projects(user, unit))
    summary = metrics.summary(data)
    checks = []
    for label, month, target in (
        ("一季度末", 3, domain.START_RATE_Q1_TARGET),
        ("二季度末", 6, domain.START_RATE_Q2_TARGET),
    ):
        if period.month >= month:
            s = metrics.summary(data, month=month)["start_rate"]
            checks.append(StartCheck(label, month, s["new_planned"], s["new_started"], s["rate"], target))
    s = summary["start_rate"]
    checks.append(
        StartCheck(
            f"截至{period.month}月",
            period.month,
            s["new_planned"],
            s["new_started"],
            s["rate"],
            domain.START_RATE_Q1_TARGET if period.month < 6 else domain.START_RATE_Q2_TARGET,
        )
    )
    groups = metrics.breakdowns(data, period.month, _zone_names(unit, data))
    targets = (
        Target.objects.visible_to(user)
        .filter(year=period.year, org_unit__path__startswith=unit.path)
        .exclude(indicator__computed_from="")
        .order_by("org_unit__path", "sort_order", "pk")
    )
    results = evaluate_targets(targets, year=period.year, as_of_month=period.month)
    zone = groups["zone"]

    def wan(v: Decimal) -> str:
        return format(v.quantize(Decimal(1)), "f")

    chart = {
        "zones": list(zone),
        "planName": "年度计划投资（万元）",
        "plan": [wan(g.annual_plan_wan) for g in zone.values()],
        "ytdName": "累计完成投资（万元）",
        "ytd": [wan(g.ytd_wan) for g in zone.values()],
    }
    return Overview(
        unit=unit,
        period=period,
        summary=summary,
        start_checks=checks,
        breakdowns=[(label, groups[key]) for key, label in DIMENSIONS],
        targets=[BoardRow(r) for r in results],
        chart=chart,
    )


@dataclass
class Funnel:
    unit: OrgUnit
    steps: list[domain.FunnelStep]
    suspended: int
    terminated: int
    chart: dict[str, Any]


def build_funnel(user: Any, unit: OrgUnit) -> Funnel:
    steps, apart = metrics.pipeline_funnel(unit_projects(user, unit))
    chart = {
        "name": f"{unit.name}项目漏斗",
        "data": [{"name": f"{s.label} {s.count}个", "value": s.count} for s in steps],
    }
    return Funnel(
        unit, steps, apart[domain.Stage.SUSPENDED.value], apart[domain.Stage.TERMINATED.value], chart
    )
