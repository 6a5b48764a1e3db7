"""Read side of one project's page: stage timeline, approvals (容缺, overdue, 拿地即开工), the latest pre-review
with its per-rule explanations, the monthly investment against the plan, and the blockers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from diaodu.accounts.scope import Perm, get_for_user, unit_scope
from diaodu.projects import domain
from diaodu.projects.browse import FINISHED_APPROVALS, as_of, require_data_reader
from diaodu.projects.models import (
    ApprovalItem,
    Blocker,
    MonthlyReport,
    PreReview,
    Project,
    ProjectYear,
    StageEvent,
)
from diaodu.supervision.models import SupervisionItem


def get_project(user: Any, pk: int, perm: Perm | None = None) -> Project:
    """404 outside the user's scope, 403 visible but without ``perm``."""
    require_data_reader(user)
    qs = Project.objects.select_related("org_unit", "department", "leader")
    return get_for_user(qs, user, pk, perm=perm)  # type: ignore[no-any-return]


@dataclass
class DocRow:
    name: str
    due_on: dt.date
    supplied_on: dt.date | None
    state: str  # domain.DocState


@dataclass
class ApprovalRow:
    item: ApprovalItem
    overdue: bool
    docs: list[DocRow] = field(default_factory=list)

    @property
    def docs_overdue(self) -> bool:
        return any(d.state == domain.DocState.OVERDUE for d in self.docs)


@dataclass
class ApprovalGroup:
    label: str
    rows: list[ApprovalRow]


@dataclass
class RuleRow:
    label: str
    outcome: str
    outcome_label: str
    value: str | None
    threshold: str | None
    explanation: str


@dataclass
class ProjectDetail:
    project: Project
    year: int
    month: int
    plan: ProjectYear | None
    events: list[StageEvent]
    approvals: list[ApprovalGroup]
    land_to_permit_workdays: int | None
    prereview: PreReview | None
    rules: list[RuleRow]
    can_override: bool
    reports: list[MonthlyReport]
    blockers: list[Blocker]
    ytd_wan: Decimal
    behind: bool
    chart: dict[str, Any]

    @property
    def tier_label(self) -> str:
        tier = domain.tier_of(self.project.total_investment_wan)
        return domain.TIER_LABELS[tier] if tier else ""


def _approvals(project: Project, today: dt.date) -> tuple[list[ApprovalGroup], int | None]:
    items = list(
        ApprovalItem.objects.filter(project=project)
        .select_related("lead_department")
        .prefetch_related("missing_documents")
    )
    groups: dict[str, ApprovalGroup] = {
        str(s): ApprovalGroup(label, []) for s, label in domain.APPROVAL_STAGE_LABELS.items()
    }
    done_on: dict[str, dt.date | None] = {}
    for item in items:
        finished = item.status in FINISHED_APPROVALS
        docs = [
            DocRow(d.name, d.due_on, d.supplied_on, domain.missing_doc_state(d.due_on, d.supplied_on, today))
            for d in item.missing_documents.all()
        ]
        groups[item.stage].rows.append(
            ApprovalRow(item, domain.approval_overdue(item.planned_on, finished, today), docs)
        )
        if item.key:
            done_on[item.key] = item.done_on
    workdays = domain.land_to_permit_workdays(
        done_on.get("land_contract"), done_on.get("construction_permit")
    )
    return [g for g in groups.values() if g.rows], workdays


def _rules(review: PreReview | None) -> list[RuleRow]:
    if review is None:
        return []
    labels = domain.RULE_KIND_LABELS
    return [
        RuleRow(
            labels.get(r["kind"], r["kind"]),  # type: ignore[call-overload]
            r["outcome"],
            domain.OUTCOME_LABELS.get(r["outcome"], r["outcome"]),  # type: ignore[call-overload]
            r.get("value"),
            r.get("threshold"),
            r["explanation"],
        )
        for r in review.results
    ]


def _can_override(user: Any, project: Project, review: PreReview | None) -> bool:
    """Mirrors :func:`services.override_prereview`: a reviewer above the project's unit, a failed review."""
    if review is None or review.overridden or review.outcome == domain.Outcome.PASS:
        return False
    if getattr(user, "org_unit_id", None) == project.org_unit_id:
        return False
    return unit_scope(user, Perm.REVIEW_DATA).covers_unit(project.org_unit_id)


def _chart(year: int, plan: ProjectYear | None, reports: list[MonthlyReport]) -> dict[str, Any]:
    counted = {r.month: r for r in reports if r.status in domain.COUNTED_REPORT_STATES}
    annual = plan.planned_investment_wan if plan else Decimal(0)

    def num(value: Decimal | None) -> str | None:
        return None if value is None else format(value.quantize(Decimal("0.01")).normalize(), "f")

    return {
        "months": [f"{m}月" for m in range(1, 13)],
        "monthName": "本月完成投资（万元）",
        "month": [num(counted[m].month_wan) if m in counted else None for m in range(1, 13)],
        "ytdName": "累计完成投资（万元）",
        "ytd": [num(counted[m].ytd_wan) if m in counted else None for m in range(1, 13)],
        "planName": f"时序计划（年度计划{num(annual)}万元）",
        "plan": [num(domain.scheduled_ytd(annual, m)) for m in range(1, 13)] if annual else [],
    }


def build_detail(
    user: Any, project: Project, *, month: str | None = None, today: dt.date | None = None
) -> ProjectDetail:
    today = today or timezone.localdate()
    period = as_of(user, month, today=today)
    plan = ProjectYear.objects.filter(project=project, year=period.year).first()
    events = list(StageEvent.objects.filter(project=project).select_related("actor").order_by("on", "pk"))
    approvals, workdays = _approvals(project, today)
    review = (
        PreReview.objects.filter(project=project)
        .select_related("ruleset", "reviewed_by", "overridden_by")
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    reports = list(
        MonthlyReport.objects.filter(project=project, year=period.year)
        .select_related("reviewed_by")
        .order_by("month")
    )
    ytd = Decimal(0)
    for r in reports:
        if r.status in domain.COUNTED_REPORT_STATES and r.month <= period.month:
            ytd = r.ytd_wan
    annual = plan.planned_investment_wan if plan else Decimal(0)
    blockers = list(
        Blocker.objects.filter(project=project)
        .select_related("report", "department")
        # the supervision items on each row, only those the user may open
        .prefetch_related(Prefetch("supervision_items", queryset=SupervisionItem.objects.visible_to(user)))
        .order_by("-pk")
    )
    return ProjectDetail(
        project=project,
        year=period.year,
        month=period.month,
        plan=plan,
        events=events,
        approvals=approvals,
        land_to_permit_workdays=workdays,
        prereview=review,
        rules=_rules(review),
        can_override=_can_override(user, project, review),
        reports=reports,
        blockers=blockers,
        ytd_wan=ytd,
        behind=domain.behind_schedule(ytd, annual, period.month),
        chart=_chart(period.year, plan, reports),
    )
