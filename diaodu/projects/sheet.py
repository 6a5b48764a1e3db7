"""Read side of the monthly dispatch (月度调度): a unit's sheet, one row per project, and the reviewer's queue.

Both load in a constant number of queries whatever the number of projects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from diaodu.accounts.scope import Perm, has_perm, require_unit
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans.periods import Period, default_entry_period
from diaodu.projects import domain
from diaodu.projects.models import Blocker, BlockerStatus, MonthlyReport, Project, ProjectYear


def dispatch_unit(user: Any, code: str | None) -> OrgUnit:
    """The unit whose sheet is asked for: 404 if invisible, 403 if visible but the user cannot enter its data."""
    if not has_perm(user, Perm.ENTER_DATA):
        raise PermissionDenied
    if code:
        unit = OrgUnit.objects.visible_to(user).internal().filter(code=code).first()
        if unit is None:
            raise Http404
        require_unit(user, unit.pk, Perm.ENTER_DATA)
        return unit
    enterable = OrgUnit.objects.editable_by(user, Perm.ENTER_DATA).internal()
    unit = (
        enterable.filter(pk=getattr(user, "org_unit_id", None)).first() or enterable.order_by("path").first()
    )
    if unit is None:
        raise PermissionDenied
    return unit


def dispatch_units(user: Any) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.editable_by(user, Perm.ENTER_DATA)
        .internal()
        .exclude(kind=OrgUnitKind.DEPARTMENT)
        .order_by("sort_order", "path")
    )


def reporting_projects(unit: OrgUnit, year: int) -> QuerySet[Project]:
    """The projects of ``unit``'s subtree that report in ``year`` (see :data:`domain.REPORTING_STAGES`)."""
    planned = ProjectYear.objects.filter(year=year).values("project_id")
    return Project.objects.filter(org_unit__path__startswith=unit.path).filter(
        Q(pk__in=planned) | Q(stage__in=[str(s) for s in domain.REPORTING_STAGES])
    )


def default_month(unit: OrgUnit) -> Period:
    """The month to fill in: the latest month reported in the unit, or the next one once all of it is approved;
    without any report, the usual reporting month."""
    reports = MonthlyReport.objects.filter(project__org_unit__path__startswith=unit.path)
    latest = reports.order_by("-year", "-month").values_list("year", "month").first()
    if latest is None:
        return default_entry_period()
    year, month = latest
    pending = reports.filter(year=year, month=month).exclude(status__in=list(domain.COUNTED_REPORT_STATES))
    if month < 12 and not pending.exists():
        return Period(year, month + 1)
    return Period(year, month)


@dataclass
class SheetRow:
    project: Project
    plan: ProjectYear | None
    report: MonthlyReport | None  # this month's
    previous: MonthlyReport | None  # the latest earlier month of the year

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.is_editable_state

    @property
    def previous_ytd_wan(self) -> Decimal:
        return self.previous.ytd_wan if self.previous else Decimal(0)

    @property
    def blockers_text(self) -> str:
        if self.report is None:
            return ""
        return "\n".join(b.description for b in self.report.blockers.all() if b.status == BlockerStatus.OPEN)


def _open_blockers() -> Prefetch:
    return Prefetch("blockers", queryset=Blocker.objects.order_by("pk"))


def dispatch_sheet(unit: OrgUnit, *, year: int, month: int) -> list[SheetRow]:
    """One row per reporting project with this month's report and the previous one (four queries)."""
    projects = list(
        reporting_projects(unit, year).select_related("org_unit").order_by("org_unit__path", "name")
    )
    ids = [p.pk for p in projects]
    plans = {y.project_id: y for y in ProjectYear.objects.filter(project_id__in=ids, year=year)}
    current: dict[int, MonthlyReport] = {}
    previous: dict[int, MonthlyReport] = {}
    reports = (
        MonthlyReport.objects.filter(project_id__in=ids, year=year, month__lte=month)
        .select_related("reviewed_by")
        .prefetch_related(_open_blockers())
        .order_by("month")
    )
    for r in reports:
        if r.month == month:
            current[r.project_id] = r
        else:
            previous[r.project_id] = r  # months ascend: the last one wins
    return [SheetRow(p, plans.get(p.pk), current.get(p.pk), previous.get(p.pk)) for p in projects]


@dataclass
class ReviewItem:
    report: MonthlyReport
    previous: MonthlyReport | None = None
    plan: ProjectYear | None = None
    error: str = ""

    @property
    def jump_confirmed(self) -> bool:
        return bool(self.report.confirm_note)


REVIEW_RELATED = ("project__org_unit", "submitted_by", "reviewed_by")


def review_items(reports: Iterable[MonthlyReport]) -> list[ReviewItem]:
    """Attach the previous month and the annual plan to each report (two queries, whether or not any report has
    a previous month)."""
    items = [ReviewItem(r) for r in reports]
    if items:
        ids = {i.report.project_id for i in items}
        years = {i.report.year for i in items}
        plans = {
            (y.project_id, y.year): y for y in ProjectYear.objects.filter(project_id__in=ids, year__in=years)
        }
        latest_earlier = (
            MonthlyReport.objects.filter(
                project_id=OuterRef("project_id"), year=OuterRef("year"), month__lt=OuterRef("month")
            )
            .order_by("-month")
            .values("pk")[:1]
        )
        previous_pks = (
            MonthlyReport.objects.filter(pk__in=[i.report.pk for i in items])
            .annotate(previous_pk=Subquery(latest_earlier))
            .values("previous_pk")
        )
        earlier: dict[tuple[int, int], list[MonthlyReport]] = {}
        for r in MonthlyReport.objects.filter(pk__in=previous_pks).order_by("month"):
            earlier.setdefault((r.project_id, r.year), []).append(r)
        for item in items:
            r = item.report
            # Of the previous months loaded for this project and year, the latest before this report's month.
            before = [e for e in earlier.get((r.project_id, r.year), []) if e.month < r.month]
            item.previous = before[-1] if before else None
            item.plan = plans.get((r.project_id, r.year))
    return items


def review_queue(user: Any) -> list[ReviewItem]:
    """Submitted reports the user may review, oldest submission first."""
    if not has_perm(user, Perm.REVIEW_DATA):
        raise PermissionDenied
    qs = (
        MonthlyReport.objects.editable_by(user, Perm.REVIEW_DATA)
        .filter(status=domain.ReportStatus.SUBMITTED)
        .select_related(*REVIEW_RELATED)
        .prefetch_related(_open_blockers())
        .order_by("submitted_at", "pk")
    )
    return review_items(qs)


def review_item(report_pk: int) -> ReviewItem:
    qs = MonthlyReport.objects.select_related(*REVIEW_RELATED).prefetch_related(_open_blockers())
    return review_items([qs.get(pk=report_pk)])[0]
