"""Exports and templates of the project library and the monthly dispatch sheet (scoped like every list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from diaodu.accounts.scope import READ_PERMS, Perm, has_perm
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.periods import Period, default_entry_period, parse_period
from diaodu.projects import domain
from diaodu.projects.models import MonthlyReport, Project, ProjectYear
from diaodu.workbooks.exports import Export, Params
from diaodu.workbooks.xlsx import Col, Table


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _projects(user: Any, params: Params, *, perm: Perm | None = None) -> Any:
    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied
    qs = Project.objects.editable_by(user, perm) if perm else Project.objects.visible_to(user)
    if params.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=params["unit"]).first()
        if unit is None:
            raise Http404
        qs = qs.filter(org_unit__path__startswith=unit.path)
    return qs.select_related("org_unit").order_by("org_unit__sort_order", "name", "pk")


def _year(params: Params) -> int:
    text = str(params.get("year", ""))
    period = parse_period(params.get("month"))
    return int(text) if text.isdigit() else (period.year if period else timezone.localdate().year)


def project_columns() -> list[Col]:
    return [
        Col("项目名称", lambda r: r.p.name, width=30, group="项目", locked=False),
        Col("项目代码", lambda r: r.p.code, width=26, group="项目"),
        Col("所在单位", lambda r: r.p.org_unit.name, width=16, group="项目"),
        Col("总投资（万元）", lambda r: r.p.total_investment_wan, "wan", 14, group="投资（万元）"),
        Col(
            "年度计划投资（万元）",
            lambda r: r.y.planned_investment_wan if r.y else None,
            "wan",
            14,
            group="投资（万元）",
        ),
        Col("年度", lambda r: r.year, "int", 7, group="投资（万元）"),
        Col("投资方", lambda r: r.p.investor_name, width=24, group="投资方"),
        Col("统一社会信用代码", lambda r: r.p.investor_credit_code, width=22, group="投资方"),
        Col(
            "项目层级",
            lambda r: domain.LEVEL_LABELS.get(r.p.level, ""),
            width=10,
            group="分类",
            choices=list(domain.LEVEL_LABELS.values()),
        ),
        Col(
            "项目类别",
            lambda r: domain.CATEGORY_LABELS.get(r.p.category, ""),
            width=10,
            group="分类",
            choices=list(domain.CATEGORY_LABELS.values()),
        ),
        Col(
            "产业链",
            lambda r: domain.CHAIN_LABELS.get(r.p.chain, ""),
            width=12,
            group="分类",
            choices=list(domain.CHAIN_LABELS.values()),
        ),
        Col("建设内容", lambda r: r.p.content, width=40),
        Col("计划开工", lambda r: r.p.planned_start, "date", 11, group="计划"),
        Col("计划竣工", lambda r: r.p.planned_completion, "date", 11, group="计划"),
    ]


@dataclass
class ProjectLine:
    p: Any
    y: Any
    year: int


def export_projects(user: Any, params: Params) -> Export:
    year = _year(params)
    projects = list(_projects(user, params))
    plans = {y.project_id: y for y in ProjectYear.objects.filter(project__in=projects, year=year)}
    lines = [ProjectLine(p, plans.get(p.pk), year) for p in projects]
    table = Table("项目库", project_columns(), lines, title=f"重点项目库（{year}年）", note="金额单位：万元")
    return Export(
        "projects", "项目库", f"项目库-{_stamp()}.xlsx", [table], {k: str(v) for k, v in params.items()}
    )


def projects_template(user: Any, params: Params) -> Export:
    if not has_perm(user, Perm.ENTER_DATA):
        raise PermissionDenied
    year = _year(params)
    cols = project_columns()
    table = Table(
        "项目库",
        cols,
        [],
        title=f"项目库导入模板（{year}年）",
        note="金额单位：万元；项目层级、类别、产业链请从下拉列表选择；所在单位写全称或简称",
        protect=True,
        blank_rows=100,
    )
    return Export("template-projects", "项目库导入模板", f"项目库导入模板-{_stamp()}.xlsx", [table])


@dataclass
class DispatchLine:
    p: Any
    y: Any
    period: Period
    r: Any  # the month's report, if any
    blockers: str = ""


def dispatch_columns(period: Period) -> list[Col]:
    group = f"{period.label}调度"
    return [
        Col("项目代码", lambda x: x.p.code, width=26, group="项目基本情况", locked=True),
        Col("项目名称", lambda x: x.p.name, width=30, group="项目基本情况", locked=True),
        Col("所在单位", lambda x: x.p.org_unit.name, width=14, group="项目基本情况", locked=True),
        Col(
            "总投资（万元）", lambda x: x.p.total_investment_wan, "wan", 13, group="项目基本情况", locked=True
        ),
        Col(
            "年度计划投资（万元）",
            lambda x: x.y.planned_investment_wan if x.y else None,
            "wan",
            13,
            group="项目基本情况",
            locked=True,
        ),
        Col("月份", lambda x: str(x.period), width=9, group=group, locked=True),
        Col(
            "本月完成投资（万元）",
            lambda x: x.r.month_wan if x.r else None,
            "wan",
            13,
            group=group,
            comment="可不填：按累计完成投资减上月累计自动计算",
        ),
        Col(
            "累计完成投资（万元）",
            lambda x: x.r.ytd_wan if x.r else None,
            "wan",
            13,
            group=group,
            comment="本年1月至本月累计，单位万元；也可写“1.2亿元”",
        ),
        Col("形象进度", lambda x: x.r.progress if x.r else "", width=36, group=group),
        Col("存在问题", lambda x: x.blockers, width=30, group=group, comment="多个问题用“；”分隔"),
        Col(
            "确认说明",
            lambda x: x.r.confirm_note if x.r else "",
            width=20,
            group=group,
            comment="本月投资是上月10倍以上时必填",
        ),
    ]


def dispatch_lines(
    user: Any, params: Params, *, perm: Perm | None = None, reports_only: bool = False
) -> tuple[Period, list[DispatchLine]]:
    period = parse_period(params.get("month")) or default_entry_period()
    projects = list(_projects(user, params, perm=perm))
    plans = {y.project_id: y for y in ProjectYear.objects.filter(project__in=projects, year=period.year)}
    reports = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(
            project__in=projects, year=period.year, month=period.month
        ).prefetch_related("blockers")
    }
    lines = []
    for p in projects:
        r = reports.get(p.pk)
        if reports_only and r is None:
            continue
        if not reports_only and p.pk not in plans and r is None:
            continue  # no plan for the year: not on this year's dispatch list
        texts = "；".join(b.description for b in r.blockers.all() if b.status == "open") if r else ""
        lines.append(DispatchLine(p, plans.get(p.pk), period, r, texts))
    return period, lines


def progress_template(user: Any, params: Params) -> Export:
    """One row per project in the user's scope with a plan for the year, pre-filled; the month's columns open."""
    if not has_perm(user, Perm.ENTER_DATA):
        raise PermissionDenied
    period, lines = dispatch_lines(user, params, perm=Perm.ENTER_DATA)
    table = Table(
        "月度调度",
        dispatch_columns(period),
        lines,
        title=f"重点项目{period.label}调度表",
        note="单位：万元；黄色单元格填写，其余列已锁定",
        protect=True,
    )
    return Export(
        "template-progress",
        "月度调度模板",
        f"月度调度表-{period}-{_stamp()}.xlsx",
        [table],
        {"month": str(period)},
    )


def export_progress(user: Any, params: Params) -> Export:
    period, lines = dispatch_lines(user, params, reports_only=True)
    cols = [
        *dispatch_columns(period),
        Col("状态", lambda x: x.r.get_status_display() if x.r else "", width=8),
    ]
    table = Table("月度调度", cols, lines, title=f"重点项目{period.label}调度情况", note="单位：万元")
    return Export(
        "progress", "月度调度", f"月度调度-{period}-{_stamp()}.xlsx", [table], {"month": str(period)}
    )


PROJECT_EXPORTS: dict[str, Callable[[Any, Params], Export]] = {
    "projects": export_projects,
    "progress": export_progress,
}
PROJECT_TEMPLATES: dict[str, Callable[[Any, Params], Export]] = {
    "projects": projects_template,
    "progress": progress_template,
}
