"""The monthly dispatch report (月度调度): save, submit, return, approve, lock, reopen — each audited.

Checks are the domain's (:func:`diaodu.projects.domain.report_problems`); the state machine is
:data:`diaodu.projects.domain.REPORT_TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.core.versioning import check_version
from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain, rollups
from diaodu.projects.models import Blocker, MonthlyReport, Project, ProjectYear
from diaodu.projects.services._common import WorkflowError, today_for
from diaodu.projects.services.projects import record_stage, transition_facts

REPORT_FIELDS = (
    "month_wan",
    "ytd_wan",
    "progress",
    "stage_note",
    "new_stage",
    "new_stage_on",
    "confirm_note",
    "status",
    "review_comment",
)


class BlockerInput(NamedTuple):
    description: str
    category: str = "other"
    department: OrgUnit | None = None


def report_context(
    project: Project, year: int, month: int, *, today: dt.date | None = None, exclude_pk: int | None = None
) -> domain.ReportContext:
    """The neighbouring months and the project's totals, for the domain check."""
    others = list(
        MonthlyReport.objects.filter(project=project, year=year)
        .exclude(pk=exclude_pk or 0)
        .order_by("month")
        .values_list("month", "ytd_wan", "month_wan")
    )
    earlier = [o for o in others if o[0] < month]
    later = [o for o in others if o[0] > month]
    plan = (
        ProjectYear.objects.filter(project=project, year=year)
        .values_list("completed_before_wan", flat=True)
        .first()
    )
    return domain.ReportContext(
        today=today_for(today),
        total_investment_wan=project.total_investment_wan,
        completed_before_wan=plan if plan is not None else Decimal(0),
        previous_ytd_wan=earlier[-1][1] if earlier else None,
        previous_month_wan=earlier[-1][2] if earlier else None,
        next_ytd_wan=later[0][1] if later else None,
    )


@transaction.atomic
def save_report(
    *,
    actor: Any,
    project: Project,
    year: int,
    month: int,
    ytd_wan: Decimal,
    progress: str = "",
    stage_note: str = "",
    confirm_note: str = "",
    new_stage: str = "",
    new_stage_on: dt.date | None = None,
    blockers: Sequence[BlockerInput] | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> MonthlyReport:
    """Create or update a draft (or returned) report; the month's figure is derived from the YTD so the two
    always agree. ``blockers`` (if given) replaces the report's open blockers. ``new_stage`` (with its date) is a
    stage change reached this month: checked now, recorded on the project when the report is approved."""
    require_unit(actor, project.org_unit_id, Perm.ENTER_DATA)
    report = MonthlyReport.objects.select_for_update().filter(project=project, year=year, month=month).first()
    if report is not None and not report.is_editable_state:
        raise WorkflowError(f"{report} 当前状态为“{report.get_status_display()}”，不能修改。")
    if report is not None:
        check_version(report, expected_version, str(report))  # names the other user's change; 409 on the API
    ctx = report_context(project, year, month, today=today, exclude_pk=report.pk if report else None)
    figures = domain.ReportFigures(year, month, ytd_wan, confirm_note)
    problems = domain.report_problems(figures, ctx)
    if new_stage and new_stage != project.stage:
        stage_problems = domain.stage_change_problems(
            project.stage,
            new_stage,
            new_stage_on,
            transition_facts(project, new_stage),
            year=year,
            month=month,
            today=ctx.today,
        )
        if stage_problems:
            problems["new_stage"] = "；".join(stage_problems)
    if problems:
        raise ValidationError(problems)
    changes_stage = bool(new_stage) and new_stage != project.stage
    values = {
        "ytd_wan": ytd_wan,
        "month_wan": figures.month_wan(ctx),
        "progress": progress.strip(),
        "stage_note": stage_note.strip(),
        "new_stage": new_stage if changes_stage else "",
        "new_stage_on": new_stage_on if changes_stage else None,
        "confirm_note": confirm_note.strip(),
    }
    if report is None:
        report = MonthlyReport.objects.create(
            project=project, year=year, month=month, created_by=actor, **values
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=report,
            org_unit_id=project.org_unit_id,
            after=snapshot(report, REPORT_FIELDS),
        )
    else:
        before = snapshot(report, REPORT_FIELDS)
        for key, value in values.items():
            setattr(report, key, value)
        b, a = changed(before, snapshot(report, REPORT_FIELDS))
        if a:
            report.version += 1
            report.save(update_fields=[*values, "version", "updated_at"])
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=report,
                org_unit_id=project.org_unit_id,
                before=b,
                after=a,
            )
    _rederive_next_month(report, actor)
    if blockers is not None:
        _replace_blockers(report, blockers, actor)
    return report


def _rederive_next_month(report: MonthlyReport, actor: Any) -> None:
    """Keep the next month's own figure equal to its YTD minus this YTD."""
    nxt = (
        MonthlyReport.objects.select_for_update()
        .filter(project_id=report.project_id, year=report.year, month__gt=report.month)
        .order_by("month")
        .first()
    )
    if nxt is None:
        return
    month_wan = nxt.ytd_wan - report.ytd_wan
    if month_wan != nxt.month_wan:
        before = {"month_wan": nxt.month_wan}
        nxt.month_wan = month_wan
        nxt.save(update_fields=["month_wan", "updated_at"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=nxt,
            org_unit_id=report.project.org_unit_id,
            before=before,
            after={"month_wan": month_wan},
            reason=f"{report.month}月累计变更，重算本月完成投资",
        )


def _replace_blockers(report: MonthlyReport, blockers: Sequence[BlockerInput], actor: Any) -> None:
    old = list(report.blockers.filter(status="open").values_list("description", flat=True))
    report.blockers.filter(status="open").delete()
    rows = [
        Blocker(
            report=report,
            project_id=report.project_id,
            description=b.description.strip(),
            category=b.category,
            department=b.department,
        )
        for b in blockers
        if b.description.strip()
    ]
    Blocker.objects.bulk_create(rows)
    new = [b.description for b in rows]
    if old != new:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=report,
            org_unit_id=report.project.org_unit_id,
            object_type="projects.blocker",
            before={"blockers": old},
            after={"blockers": new},
        )


def _lock(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)


def _transition(
    report: MonthlyReport,
    *,
    actor: Any,
    action: domain.ReportAction,
    audit: AuditAction,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> MonthlyReport:
    to = domain.next_report_status(report.status, action)
    if to is None:
        raise WorkflowError(f"{report} 当前状态为“{report.get_status_display()}”，不能执行此操作。")
    before = snapshot(report, REPORT_FIELDS)
    was_counted = report.status in domain.COUNTED_REPORT_STATES
    report.status = to
    for key, value in (extra or {}).items():
        setattr(report, key, value)
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at", *(extra or {})])
    if was_counted != (to in domain.COUNTED_REPORT_STATES):
        rollups.refresh([report.project.org_unit_id], [report.year])
    b, a = changed(before, snapshot(report, REPORT_FIELDS))
    record(
        actor=actor,
        action=audit,
        obj=report,
        org_unit_id=report.project.org_unit_id,
        before=b,
        after=a,
        reason=reason,
    )
    return report


@transaction.atomic
def submit_report(report: MonthlyReport, *, actor: Any) -> MonthlyReport:
    report = _lock(report)
    require_unit(actor, report.project.org_unit_id, Perm.ENTER_DATA)
    return _transition(
        report,
        actor=actor,
        action=domain.ReportAction.SUBMIT,
        audit=AuditAction.SUBMIT,
        extra={"submitted_by": actor, "submitted_at": timezone.now()},
    )


def _require_reviewer(actor: Any, report: MonthlyReport) -> None:
    require_unit(actor, report.project.org_unit_id, Perm.REVIEW_DATA)
    if report.submitted_by_id is not None and report.submitted_by_id == getattr(actor, "pk", None):
        raise PermissionDenied("不能审核本人提交的数据。")


@transaction.atomic
def return_report(report: MonthlyReport, *, actor: Any, comment: str) -> MonthlyReport:
    report = _lock(report)
    _require_reviewer(actor, report)
    if not comment.strip():
        raise ValidationError({"comment": "退回时请填写退回意见。"})
    return _transition(
        report,
        actor=actor,
        action=domain.ReportAction.RETURN,
        audit=AuditAction.RETURN,
        reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def approve_report(report: MonthlyReport, *, actor: Any, comment: str = "") -> MonthlyReport:
    """Approve a submitted report; a stage change it reports is then recorded on the project (by the reviewer)."""
    report = _lock(report)
    if report.new_stage:
        # The stage is recorded below, after this transaction's first audit row (the audit chain's lock): lock the
        # project row now, before that lock, as the project's other writers do (else they deadlock with us).
        report.project = Project.objects.select_for_update(no_key=True).get(pk=report.project_id)
    _require_reviewer(actor, report)
    report = _transition(
        report,
        actor=actor,
        action=domain.ReportAction.APPROVE,
        audit=AuditAction.APPROVE,
        reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )
    if report.new_stage and report.new_stage != report.project.stage:
        note = f"{report.year}年{report.month}月调度报告：{report.progress or report.stage_note}".strip("：")
        record_stage(report.project, actor=actor, stage=report.new_stage, on=report.new_stage_on, note=note)
    return report


@transaction.atomic
def lock_period(*, actor: Any, year: int, month: int) -> int:
    """Period close: lock every approved report of the month that the actor reviews. Returns the count."""
    reports = (
        MonthlyReport.objects.editable_by(actor, Perm.REVIEW_DATA)
        .select_for_update(of=("self",))  # the reports only: never the joined project or unit rows
        .filter(year=year, month=month, status=domain.ReportStatus.APPROVED)
        .select_related("project")
    )
    count = 0
    for report in reports:
        _transition(
            report,
            actor=actor,
            action=domain.ReportAction.LOCK,
            audit=AuditAction.UPDATE,
            reason=f"{year}年{month}月调度关账",
        )
        count += 1
    return count


@transaction.atomic
def reopen_report(report: MonthlyReport, *, actor: Any, reason: str) -> MonthlyReport:
    """Reopen an approved or locked report: a reviewer above the project's unit, with a reason."""
    report = _lock(report)
    require_unit(actor, report.project.org_unit_id, Perm.REVIEW_DATA)
    if getattr(actor, "org_unit_id", None) == report.project.org_unit_id:
        raise PermissionDenied("只有上级审核单位可以重新打开已审核的月报。")
    if not reason.strip():
        raise ValidationError({"reason": "重新打开须填写原因。"})
    return _transition(
        report,
        actor=actor,
        action=domain.ReportAction.REOPEN,
        audit=AuditAction.REOPEN,
        reason=reason.strip(),
        extra={"review_comment": reason.strip()},
    )
