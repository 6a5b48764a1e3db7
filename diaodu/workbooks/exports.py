"""Exports of the list pages: each takes the same query (and the same access checks) as its page, so the
workbook holds exactly the scoped, filtered rows the page shows. Every export writes an audit row.

``EXPORTS[kind](user, params)`` -> :class:`Export`; ``params`` are the page's query parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from diaodu.accounts.scope import READ_PERMS, has_perm
from diaodu.plans.models import Actual, ActualStatus
from diaodu.plans.periods import Period, default_entry_period, parse_period
from diaodu.workbooks.xlsx import Col, Table, workbook_bytes

EXPORT_AUDIT_ACTION = "export"  # not (yet) an AuditAction choice; stored as text like the others
EXPORT_AUDIT_TYPE = "workbooks.export"

Params = Mapping[str, str]


@dataclass
class Export:
    kind: str
    title: str
    filename: str
    tables: list[Table]
    filters: dict[str, str] = field(default_factory=dict)
    org_unit_id: int | None = None

    def render(self) -> tuple[bytes, int]:
        return workbook_bytes(self.tables)


def audited_bytes(export: Export, *, actor: Any) -> bytes:
    """The workbook, after writing who exported what and how many rows."""
    from diaodu.audit.services import record

    data, rows = export.render()
    record(
        actor=actor,
        action=EXPORT_AUDIT_ACTION,
        object_type=EXPORT_AUDIT_TYPE,
        object_id=export.kind,
        object_repr=f"导出{export.title}"[:200],
        org_unit_id=export.org_unit_id,
        after={"kind": export.kind, "rows": rows, "filters": export.filters, "file": export.filename},
        actor_name="" if getattr(actor, "is_authenticated", False) else "cli",
    )
    return data


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _month(a: Any) -> str:
    return f"{a.year:04d}-{a.month:02d}"


# ----------------------------------------------------------------------------- actual columns (importable)


def actual_columns(*, with_state: bool = True) -> list[Col]:
    """The columns of an actuals sheet, in the order and with the names the actuals importer reads."""
    cols = [
        Col("填报单位", lambda r: r.org_unit.name, width=18, group="指标", locked=True),
        Col("月份", lambda r: r.period, width=9, group="指标", locked=True),
        Col("指标编码", lambda r: r.indicator.code, width=22, group="指标", locked=True),
        Col("指标名称", lambda r: r.indicator.name, width=26, group="指标", locked=True),
        Col("计量单位", lambda r: r.indicator.entry_unit, width=8, group="指标", locked=True),
        Col(
            "累计值",
            lambda r: r.actual.ytd_value if r.actual else None,
            "amount",
            14,
            group="本月数据",
            comment="按“计量单位”列的单位填写；也可写“5800万元”“2.1亿元”",
        ),
        Col(
            "公布增速(%)",
            lambda r: r.actual.growth_pct if r.actual else None,
            "number",
            12,
            group="本月数据",
            comment="百分数的数值，如增长5.2%填 5.2",
        ),
        Col("上年同期", lambda r: r.actual.base_value if r.actual else None, "amount", 14, group="本月数据"),
        Col("数据来源", lambda r: r.actual.note if r.actual else "", width=24, group="本月数据"),
    ]
    if with_state:
        cols += [
            Col(
                "状态",
                lambda r: r.actual.get_status_display() if r.actual else "未填报",
                width=8,
                locked=True,
            ),
            Col("审核意见", lambda r: r.actual.review_comment if r.actual else "", width=24, locked=True),
        ]
    return cols


@dataclass
class ActualLine:
    """One row of an actuals sheet: an indicator for a unit and month, with the month's actual if any."""

    indicator: Any
    org_unit: Any
    year: int
    month: int
    actual: Actual | None = None
    previous: Actual | None = None  # the month before (review queue)

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _line(a: Actual) -> ActualLine:
    return ActualLine(a.indicator, a.org_unit, a.year, a.month, a)


# ----------------------------------------------------------------------------- the exports


def export_targets(user: Any, params: Params) -> Export:
    """The target list page (plans:targets)."""
    from diaodu.plans.worklists import visible_targets

    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied
    targets = list(visible_targets(user))
    cols = [
        Col("计划", lambda t: t.plan.title, width=22),
        Col("板块", lambda t: t.section, width=14),
        Col("指标编码", lambda t: t.indicator.code, width=22),
        Col("指标", lambda t: t.indicator.name, width=26),
        Col("单位", lambda t: t.org_unit.name, width=18),
        Col("比较", lambda t: t.get_comparator_display(), width=8),
        Col("目标值", lambda t: t.value, "amount", 12),
        Col("计量单位", lambda t: t.indicator.unit, width=8),
        Col("参照指标", lambda t: t.relative_to.name if t.relative_to else "", width=16),
        Col("层级", lambda t: t.get_level_display(), width=8),
        Col("期限", lambda t: t.deadline, "date", 11),
        Col("原文依据", lambda t: t.quote, width=60),
    ]
    table = Table(
        "目标清单", cols, targets, title="目标清单", note=f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"
    )
    return Export("targets", "目标清单", f"目标清单-{_stamp()}.xlsx", [table])


def export_cockpit(user: Any, params: Params) -> Export:
    """The cockpit board (cockpit:home) for the same unit, month and "含下属单位" choice."""
    from diaodu.cockpit import board

    board.require_data_reader(user)
    unit = board.resolve_unit(user, params.get("unit"))
    period = parse_period(params.get("month")) or board.default_period(user)
    below = params.get("below") == "1"
    b = board.build_board(user, unit, period, include_below=below)
    rows = [(section.name, row) for section in b.sections for row in section.rows]
    cols = [
        Col("状态", lambda x: x[1].status_label, width=10),
        Col("板块", lambda x: x[0], width=16),
        Col("指标", lambda x: x[1].target.indicator.name, width=26),
        Col("单位", lambda x: x[1].target.org_unit.name, width=18),
        Col("目标", lambda x: x[1].target_text, width=16),
        Col("层级", lambda x: x[1].level_badge, width=6),
        Col("实绩", lambda x: x[1].ev.actual, "number", 12),
        Col("实绩（含单位）", lambda x: x[1].actual_text, width=14),
        Col("数据月份", lambda x: x[1].ev.data_month, "int", 8),
        Col("完成进度(%)", lambda x: x[1].ev.completion_pct, "pct", 11),
        Col("时序进度(%)", lambda x: x[1].ev.schedule_pct, "pct", 11),
        Col("超/欠进度（百分点）", lambda x: x[1].ev.points_ahead, "number", 12),
    ]
    suffix = "（含下属单位）" if below else ""
    title = f"{unit.name}{suffix} {period.label} 目标进度"
    table = Table("驾驶舱", cols, rows, title=title, note=f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    filters = {"unit": unit.code, "month": str(period), "below": "1" if below else "0"}
    return Export(
        "cockpit", "驾驶舱目标进度", f"驾驶舱-{unit.code}-{period}-{_stamp()}.xlsx", [table], filters, unit.pk
    )


def entry_lines(unit: Any, period: Period) -> list[ActualLine]:
    from diaodu.plans import worklists

    return [
        ActualLine(r.indicator, unit, period.year, period.month, r.actual)
        for r in worklists.entry_sheet(unit, year=period.year, month=period.month)
    ]


def export_entry(user: Any, params: Params) -> Export:
    """The data-entry sheet (plans:entry) of a unit and month, in the layout the actuals importer reads."""
    from diaodu.plans import worklists

    unit = worklists.entry_unit(user, params.get("unit"))
    period = parse_period(params.get("month")) or default_entry_period()
    lines = entry_lines(unit, period)
    title = f"{unit.name} {period.label} 主要指标月度实绩"
    note = "单位：按各指标计量单位；黄色单元格可填写，其余列已锁定"
    table = Table("月度实绩", actual_columns(), lines, title=title, note=note, protect=True)
    return Export(
        "entry",
        "数据填报表",
        f"实绩-{unit.code}-{period}-{_stamp()}.xlsx",
        [table],
        {"unit": unit.code, "month": str(period)},
        unit.pk,
    )


def export_review(user: Any, params: Params) -> Export:
    """The review queue (plans:review)."""
    from diaodu.plans import worklists

    lines = [
        ActualLine(i.actual.indicator, i.actual.org_unit, i.actual.year, i.actual.month, i.actual, i.previous)
        for i in worklists.review_queue(user)
    ]
    cols = [
        *actual_columns(with_state=False),
        Col("上月累计", lambda r: r.previous.ytd_value if r.previous else None, "amount", 12),
        Col(
            "提交人", lambda r: r.actual.submitted_by.display_name if r.actual.submitted_by else "", width=12
        ),
        Col(
            "提交时间",
            lambda r: timezone.localtime(r.actual.submitted_at) if r.actual.submitted_at else None,
            "datetime",
            17,
        ),
    ]
    table = Table(
        "待审核", cols, lines, title="待审核数据", note=f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"
    )
    return Export("review", "待审核数据", f"待审核-{_stamp()}.xlsx", [table])


def actuals_queryset(user: Any, params: Params) -> Any:
    """Actuals the user may see, narrowed by unit (code, with "below=1" its subtree), year, month and status."""
    from diaodu.orgunits.models import OrgUnit

    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied
    qs = Actual.objects.visible_to(user).select_related("indicator", "org_unit")
    if params.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=params["unit"]).first()
        if unit is None:
            from django.http import Http404

            raise Http404
        qs = (
            qs.filter(org_unit__path__startswith=unit.path)
            if params.get("below") == "1"
            else qs.filter(org_unit=unit)
        )
    period = parse_period(params.get("month"))
    if period:
        qs = qs.filter(year=period.year, month=period.month)
    elif str(params.get("year", "")).isdigit():
        qs = qs.filter(year=int(params["year"]))
    if params.get("status") in ActualStatus.values:
        qs = qs.filter(status=params["status"])
    return qs.order_by("org_unit__sort_order", "year", "month", "indicator__code")


def export_actuals(user: Any, params: Params) -> Export:
    rows = [_line(a) for a in actuals_queryset(user, params)]
    filters = {
        k: str(v) for k, v in params.items() if k in ("unit", "below", "year", "month", "status") and v
    }
    table = Table("月度实绩", actual_columns(), rows, title="月度实绩", note="单位：按各指标计量单位")
    return Export("actuals", "月度实绩", f"月度实绩-{_stamp()}.xlsx", [table], filters)


def export_kinds() -> dict[str, Callable[[Any, Params], Export]]:
    """Every export by kind; the projects kinds join when the projects app is installed."""
    found = dict(EXPORTS)
    if apps.is_installed("diaodu.projects"):
        try:
            from diaodu.workbooks.project_exports import PROJECT_EXPORTS
        except ImportError:
            pass
        else:
            found.update(PROJECT_EXPORTS)
    return found


EXPORTS: dict[str, Callable[[Any, Params], Export]] = {
    "targets": export_targets,
    "cockpit": export_cockpit,
    "entry": export_entry,
    "review": export_review,
    "actuals": export_actuals,
}
