"""Saving many monthly dispatch reports at once (an imported 调度表): the rules of :func:`save_report`, written
in bulk.

For each row, exactly what ``save_report`` does — scope (enter data on the project's unit), only draft or
returned reports change, the domain check :func:`domain.report_problems` against the neighbouring months
(stored or earlier in the same batch), the month's own figure derived from the YTD, the next stored month
re-derived, blockers replaced, one audit row per created or changed report (and per blocker change, per
re-derivation) — but with a constant number of queries: one lock-and-read of the affected projects' reports, one
``bulk_create``, one ``bulk_update`` and one audit ``bulk_create``. All rows or none (ValidationError naming
each bad row); rows equal to what is stored write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu.accounts.scope import Perm
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import changed, snapshot
from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain
from diaodu.projects.models import Blocker, MonthlyReport, Project, ProjectYear
from diaodu.projects.services._common import audit_row, today_for
from diaodu.projects.services.reports import REPORT_FIELDS


@dataclass(frozen=True)
class ReportInput:
    project: Project
    year: int
    month: int
    ytd_wan: Decimal
    progress: str = ""
    stage_note: str = ""
    confirm_note: str = ""
    blockers: tuple[str, ...] | None = None  # None: leave the report's open blockers alone
    expected_version: int | None = None


@dataclass
class SavedReports:
    created: list[MonthlyReport] = field(default_factory=list)
    updated: list[MonthlyReport] = field(default_factory=list)
    unchanged: list[MonthlyReport] = field(default_factory=list)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def save_reports(rows: Sequence[ReportInput], *, actor: Any, today: dt.date | None = None) -> SavedReports:
    """Create or update the draft reports of ``rows`` (see the module docstring). Raises ValidationError with
    ``{"<index>": [messages]}`` (0-based row index) if any row is refused; PermissionDenied for scope."""
    day = today_for(today)
    unit_ids = {r.project.org_unit_id for r in rows}
    allowed = set(
        OrgUnit.objects.editable_by(actor, Perm.ENTER_DATA)
        .filter(pk__in=unit_ids)
        .values_list("pk", flat=True)
    )
    if unit_ids - allowed:
        raise PermissionDenied("无权填报不在数据范围内的项目。")
    project_ids = {r.project.pk for r in rows}
    years = {r.year for r in rows}
    stored: dict[tuple[int, int], dict[int, MonthlyReport]] = defaultdict(dict)
    for report in (
        MonthlyReport.objects.select_for_update()
        .filter(project_id__in=project_ids, year__in=years)
        .order_by("project_id", "year", "month")
    ):
        stored[(report.project_id, report.year)][report.month] = report
    before_year = dict(
        ((p, y), v)
        for p, y, v in ProjectYear.objects.filter(project_id__in=project_ids, year__in=years).values_list(
            "project_id", "year", "completed_before_wan"
        )
    )

    errors: dict[str, list[str]] = {}
    result = SavedReports()
    to_create: list[MonthlyReport] = []
    to_update: list[MonthlyReport] = []
    audit: list[AuditEvent] = []
    blocker_rows: list[tuple[MonthlyReport, tuple[str, ...]]] = []
    order = sorted(range(len(rows)), key=lambda i: (rows[i].project.pk, rows[i].year, rows[i].month))
    for i in order:
        row = rows[i]
        months = stored[(row.project.pk, row.year)]
        report = months.get(row.month)
        if report is not None and report.pk and not report.is_editable_state:
            errors[str(i)] = [f"{report} 当前状态为“{report.get_status_display()}”，不能修改。"]
            continue
        if report is not None and row.expected_version is not None and row.expected_version != report.version:
            errors[str(i)] = [f"数据已被他人修改（版本 {report.version}），请刷新后重试。"]
            continue
        earlier = [m for m in months if m < row.month]
        later = [m for m in months if m > row.month]
        prev = months[max(earlier)] if earlier else None
        nxt = months[min(later)] if later else None
        ctx = domain.ReportContext(
            today=day,
            total_investment_wan=row.project.total_investment_wan,
            completed_before_wan=before_year.get((row.project.pk, row.year), Decimal(0)),
            previous_ytd_wan=prev.ytd_wan if prev else None,
            previous_month_wan=prev.month_wan if prev else None,
            next_ytd_wan=nxt.ytd_wan if nxt else None,
        )
        figures = domain.ReportFigures(row.year, row.month, row.ytd_wan, row.confirm_note)
        problems = domain.report_problems(figures, ctx)
        if problems:
            errors[str(i)] = list(problems.values())
            continue
        values = {
            "ytd_wan": _money(row.ytd_wan),
            "month_wan": _money(figures.month_wan(ctx)),
            "progress": row.progress.strip(),
            "stage_note": row.stage_note.strip(),
            "confirm_note": row.confirm_note.strip(),
        }
        unit_id = row.project.org_unit_id
        if report is None:
            report = MonthlyReport(
                project=row.project, year=row.year, month=row.month, created_by=actor, **values
            )
            to_create.append(report)
            months[row.month] = report
            result.created.append(report)
        else:
            before = snapshot(report, REPORT_FIELDS)
            for key, value in values.items():
                setattr(report, key, value)
            b, a = changed(before, snapshot(report, REPORT_FIELDS))
            if a:
                report.version += 1
                if report.pk:
                    to_update.append(report)
                    audit.append(
                        audit_row(
                            actor=actor,
                            action=AuditAction.UPDATE,
                            obj=report,
                            org_unit_id=unit_id,
                            before=b,
                            after=a,
                        )
                    )
                result.updated.append(report)
            else:
                result.unchanged.append(report)
        if nxt is not None and nxt.pk and nxt.month_wan != nxt.ytd_wan - report.ytd_wan:
            old = nxt.month_wan
            nxt.month_wan = nxt.ytd_wan - report.ytd_wan
            if nxt not in to_update:
                to_update.append(nxt)
            audit.append(
                audit_row(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=nxt,
                    org_unit_id=unit_id,
                    before={"month_wan": old},
                    after={"month_wan": nxt.month_wan},
                    reason=f"{report.month}月累计变更，重算本月完成投资",
                )
            )
        if row.blockers is not None:
            blocker_rows.append((report, row.blockers))
    if errors:
        raise ValidationError(errors)

    created = MonthlyReport.objects.bulk_create(to_create)
    if any(r.pk is None for r in created):  # a backend that cannot return ids from a bulk insert
        ids = {
            (p, y, m): pk
            for p, y, m, pk in MonthlyReport.objects.filter(
                project_id__in=project_ids, year__in=years
            ).values_list("project_id", "year", "month", "pk")
        }
        for r in created:
            r.pk = ids[(r.project_id, r.year, r.month)]
    audit += [
        audit_row(
            actor=actor,
            action=AuditAction.CREATE,
            obj=r,
            org_unit_id=r.project.org_unit_id,
            after=snapshot(r, REPORT_FIELDS),
        )
        for r in created
    ]
    MonthlyReport.objects.bulk_update(
        to_update,
        ["ytd_wan", "month_wan", "progress", "stage_note", "confirm_note", "version", "updated_at"],
        batch_size=1000,
    )
    audit += _replace_blockers(blocker_rows, actor)
    AuditEvent.objects.bulk_create(audit, batch_size=1000)
    return result


def _replace_blockers(rows: list[tuple[MonthlyReport, tuple[str, ...]]], actor: Any) -> list[AuditEvent]:
    if not rows:
        return []
    open_by_report: dict[int, list[str]] = defaultdict(list)
    for report_id, description in (
        Blocker.objects.filter(report__in=[r for r, _b in rows], status="open")
        .order_by("pk")
        .values_list("report_id", "description")
    ):
        open_by_report[report_id].append(description)
    Blocker.objects.filter(report__in=[r for r, _b in rows], status="open").delete()
    new: list[Blocker] = []
    audit: list[AuditEvent] = []
    for report, descriptions in rows:
        texts = [d.strip() for d in descriptions if d.strip()]
        new += [Blocker(report=report, project_id=report.project_id, description=d) for d in texts]
        old = open_by_report.get(report.pk, [])
        if old != texts:
            audit.append(
                audit_row(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=report,
                    org_unit_id=report.project.org_unit_id,
                    before={"blockers": old},
                    after={"blockers": texts},
                )
            )
            audit[-1].object_type = "projects.blocker"
    Blocker.objects.bulk_create(new)
    return audit
