"""Bulk import of projects and approved monthly reports (demo data, a county's existing 调度表).

Same rules as the one-at-a-time services — identifiers validated by the model validators, every stage
transition by :func:`domain.transition_problems`, every report by :func:`domain.report_problems` — but written
with ``bulk_create``, audit rows included (one per object and step, as the services would write them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import snapshot
from diaodu.projects import domain, rollups
from diaodu.projects.models import MonthlyReport, Project, ProjectYear, Signing, StageEvent
from diaodu.projects.services._common import audit_row, today_for
from diaodu.projects.services.projects import PROJECT_FIELDS, YEAR_FIELDS
from diaodu.projects.services.reports import REPORT_FIELDS


@dataclass
class ProjectImport:
    project: Project  # unsaved, stage left at 在谈
    years: list[ProjectYear] = field(default_factory=list)  # unsaved, project unset
    events: Sequence[tuple[str, dt.date, str]] = field(default_factory=list)  # (stage, date, evidence note)
    signings: list[Signing] = field(default_factory=list)  # unsaved, project unset


@transaction.atomic
def import_projects(
    rows: Sequence[ProjectImport], *, actor: Any, today: dt.date | None = None
) -> list[Project]:
    """Validate every row (all or nothing), then write projects, plans, events and signings with their audit."""
    day = today_for(today)
    errors: dict[str, Any] = {}
    for unit_id in {row.project.org_unit_id for row in rows}:
        require_unit(actor, unit_id, Perm.ENTER_DATA)
    for row in rows:
        p = row.project
        try:
            # Foreign keys come from the database already (and the unit was checked above).
            p.full_clean(exclude=["created_by", "leader", "department", "org_unit"], validate_unique=False)
            stage = domain.Stage.NEGOTIATING
            resume = ""
            for target, on, _note in row.events:
                facts = domain.TransitionFacts(p.total_investment_wan, resume_stage=resume or None)
                problems = domain.transition_problems(stage, target, on, facts, today=day)
                if problems:
                    raise ValidationError({"stage": problems})
                resume = stage if target == domain.Stage.SUSPENDED else ""
                stage = domain.Stage(target)
        except ValidationError as exc:
            errors[p.name] = exc
    if errors:
        raise ValidationError(errors)
    codes = [r.project.code for r in rows if r.project.code]
    if len(set(codes)) != len(codes) or Project.objects.filter(code__in=codes).exists():
        raise ValidationError({"code": "项目代码重复。"})

    user = actor if getattr(actor, "is_authenticated", False) else None
    for row in rows:
        p = row.project
        p.created_by = user
        if row.events:
            p.stage, p.stage_on = row.events[-1][0], row.events[-1][1]
            if p.stage == domain.Stage.SUSPENDED and len(row.events) > 1:
                p.resume_stage = row.events[-2][0]
    projects = Project.objects.bulk_create([r.project for r in rows])
    audit: list[AuditEvent] = []
    years: list[ProjectYear] = []
    events: list[StageEvent] = []
    signings: list[Signing] = []
    for row, p in zip(rows, projects, strict=True):
        audit.append(
            audit_row(
                actor=actor,
                action=AuditAction.CREATE,
                obj=p,
                org_unit_id=p.org_unit_id,
                after=snapshot(p, PROJECT_FIELDS),
            )
        )
        for y in row.years:
            y.project = p
            years.append(y)
        previous: str = domain.Stage.NEGOTIATING
        for to, on, note in row.events:
            events.append(StageEvent(project=p, from_stage=previous, stage=to, on=on, note=note, actor=user))
            previous = to
        for s in row.signings:
            s.project = p
            s.actor = user
            signings.append(s)
    ProjectYear.objects.bulk_create(years)
    StageEvent.objects.bulk_create(events)
    Signing.objects.bulk_create(signings)
    units = {p.pk: p.org_unit_id for p in projects}
    audit += [
        audit_row(
            actor=actor,
            action=AuditAction.CREATE,
            obj=y,
            org_unit_id=units[y.project_id],
            after=snapshot(y, YEAR_FIELDS) | {"year": y.year},
        )
        for y in years
    ]
    audit += [
        audit_row(
            actor=actor,
            action=AuditAction.CREATE,
            obj=e,
            org_unit_id=units[e.project_id],
            after=snapshot(e, ("from_stage", "stage", "on", "note")),
        )
        for e in events
    ]
    audit += [
        audit_row(
            actor=actor,
            action=AuditAction.CREATE,
            obj=s,
            org_unit_id=units[s.project_id],
            after=snapshot(s, ("on", "kind", "amount_wan", "investor_name")),
        )
        for s in signings
    ]
    AuditEvent.objects.bulk_create(audit)
    rollups.refresh(set(units.values()))
    return projects


@dataclass(frozen=True)
class ReportImport:
    project: Project
    month: int
    ytd_wan: Decimal
    progress: str = ""
    confirm_note: str = ""


@transaction.atomic
def import_approved_reports(
    rows: Sequence[ReportImport], *, year: int, officer: Any, reviewer: Any, today: dt.date | None = None
) -> list[MonthlyReport]:
    """Reports entered and submitted by ``officer`` and approved by ``reviewer``, as the workflow would; rows
    of one project must come in month order and the project must have no report for the year yet."""
    day = today_for(today)
    plans = dict(
        ProjectYear.objects.filter(project__in={r.project.pk for r in rows}, year=year).values_list(
            "project_id", "completed_before_wan"
        )
    )
    if MonthlyReport.objects.filter(project__in={r.project.pk for r in rows}, year=year).exists():
        raise ValidationError("这些项目在该年度已有月报，不能批量导入。")
    last: dict[int, tuple[Decimal, Decimal]] = {}
    reports: list[MonthlyReport] = []
    errors: dict[str, Any] = {}
    now = timezone.now()
    for unit_id in {row.project.org_unit_id for row in rows}:
        require_unit(officer, unit_id, Perm.ENTER_DATA)
        require_unit(reviewer, unit_id, Perm.REVIEW_DATA)
    for row in rows:
        p = row.project
        prev = last.get(p.pk)
        ctx = domain.ReportContext(
            today=day,
            total_investment_wan=p.total_investment_wan,
            completed_before_wan=plans.get(p.pk, Decimal(0)),
            previous_ytd_wan=prev[0] if prev else None,
            previous_month_wan=prev[1] if prev else None,
        )
        fig = domain.ReportFigures(year, row.month, row.ytd_wan, row.confirm_note)
        problems = domain.report_problems(fig, ctx)
        if problems:
            errors[f"{p.name} {row.month}月"] = problems
            continue
        month_wan = fig.month_wan(ctx)
        last[p.pk] = (row.ytd_wan, month_wan)
        reports.append(
            MonthlyReport(
                project=p,
                year=year,
                month=row.month,
                ytd_wan=row.ytd_wan,
                month_wan=month_wan,
                progress=row.progress,
                confirm_note=row.confirm_note,
                status=domain.ReportStatus.APPROVED,
                created_by=officer,
                submitted_by=officer,
                submitted_at=now,
                reviewed_by=reviewer,
                reviewed_at=now,
                version=3,
            )
        )
    if errors:
        raise ValidationError(errors)
    created = MonthlyReport.objects.bulk_create(reports)
    audit: list[AuditEvent] = []
    for r in created:
        unit = r.project.org_unit_id
        draft = snapshot(r, REPORT_FIELDS) | {"status": domain.ReportStatus.DRAFT}
        audit.append(
            audit_row(actor=officer, action=AuditAction.CREATE, obj=r, org_unit_id=unit, after=draft)
        )
        audit.append(
            audit_row(
                actor=officer,
                action=AuditAction.SUBMIT,
                obj=r,
                org_unit_id=unit,
                before={"status": "draft"},
                after={"status": "submitted"},
            )
        )
        audit.append(
            audit_row(
                actor=reviewer,
                action=AuditAction.APPROVE,
                obj=r,
                org_unit_id=unit,
                before={"status": "submitted"},
                after={"status": "approved"},
            )
        )
    AuditEvent.objects.bulk_create(audit)
    rollups.refresh(
        set(
            Project.objects.filter(pk__in={r.project_id for r in created}).values_list(
                "org_unit_id", flat=True
            )
        ),
        {r.year for r in created},
    )
    return created
