"""Read side of the project pages: the library (filters, sorting, pages), units to pick, the as-of month.

A constant number of queries whatever the number of projects: the page's projects in one query, their year figures
from :func:`diaodu.projects.metrics.load` (five queries) and their overdue approvals in one more. Every figure and
flag comes from :mod:`diaodu.projects.domain` / :mod:`diaodu.projects.metrics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode

from diaodu.accounts.scope import READ_PERMS, has_perm
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans.periods import Period, parse_period
from diaodu.projects import domain, metrics
from diaodu.projects.forms import LibraryFilterForm
from diaodu.projects.models import ApprovalItem, ApprovalStatus, MissingDocument, MonthlyReport, Project

PER_PAGE = 30
FINISHED_APPROVALS = (ApprovalStatus.DONE, ApprovalStatus.NOT_NEEDED, ApprovalStatus.TERMINATED)


def require_data_reader(user: Any) -> None:
    """Only people holding a data permission see projects (the three administrators get 403)."""
    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied


def visible_unit(user: Any, code: str | None) -> OrgUnit | None:
    """The unit asked for, or None when none is asked for; 404 when it is outside the user's scope."""
    if not code:
        return None
    unit = OrgUnit.objects.visible_to(user).internal().filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def default_unit(user: Any) -> OrgUnit:
    """The top visible unit above the user's own (the county for county-wide roles)."""
    visible = OrgUnit.objects.visible_to(user).internal()
    own = getattr(user, "org_unit", None)
    if own is not None:
        ids = [int(p) for p in own.path.strip("/").split("/") if p]
        unit = visible.filter(pk__in=ids).order_by("path").first()
        if unit is not None:
            return unit
    unit = visible.order_by("path").first()
    if unit is None:
        raise Http404
    return unit


def unit_choices(user: Any, kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(code, indented name) of the visible internal units, optionally of some kinds only."""
    qs = OrgUnit.objects.visible_to(user).internal().exclude(kind=OrgUnitKind.DEPARTMENT)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    units = list(qs.order_by("sort_order", "path"))
    top = min((u.depth for u in units), default=0)
    return [(u.code, "　" * (u.depth - top) + u.name) for u in units]


def as_of(user: Any, month: str | None, *, today: dt.date | None = None) -> Period:
    """The month asked for, else the latest month with an approved report the user can see, else this month."""
    period = parse_period(month)
    if period is not None:
        return period
    latest = (
        MonthlyReport.objects.visible_to(user)
        .filter(status__in=list(domain.COUNTED_REPORT_STATES))
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if latest:
        return Period(*latest)
    today = today or timezone.localdate()
    return Period(today.year, today.month)


def overdue_project_ids(projects: QuerySet[Project], today: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Projects with an overdue approval (:func:`domain.approval_overdue`) or an overdue 容缺 document
    (:func:`domain.missing_doc_state`), as a subquery of project ids (the rules as SQL)."""
    docs = MissingDocument.objects.filter(supplied_on__isnull=True, due_on__lt=today).values("approval_id")
    return (
        ApprovalItem.objects.filter(project__in=projects)
        .filter(
            Q(pk__in=docs, status=ApprovalStatus.ACCEPTED_PENDING_DOCS)
            | Q(planned_on__lt=today) & ~Q(status__in=FINISHED_APPROVALS)
        )
        .values("project_id")
    )


@dataclass
class LibraryRow:
    project: Project
    plan: Mapping[str, Any]  # the ProjectYear fields of the year ({} when the project has no plan)
    ytd_wan: Decimal
    behind: bool
    overdue: bool

    @property
    def is_key(self) -> bool:
        return bool(self.plan.get("is_key"))

    @property
    def key_level_label(self) -> str:
        return domain.LEVEL_LABELS.get(self.plan.get("key_level", ""), "") if self.is_key else ""

    @property
    def annual_plan_wan(self) -> Decimal | None:
        return self.plan.get("planned_investment_wan")

    @property
    def tier_label(self) -> str:
        tier = domain.tier_of(self.project.total_investment_wan)
        return domain.TIER_LABELS[tier] if tier else ""


@dataclass
class Library:
    form: LibraryFilterForm
    period: Period
    page: Page[Any]
    rows: list[LibraryRow]
    total: int
    zones: list[tuple[str, str]]
    towns: list[tuple[str, str]]
    query: str  # the filter query string without the page number (for page links)


def build_library(user: Any, params: Mapping[str, str], *, today: dt.date | None = None) -> Library:
    require_data_reader(user)
    today = today or timezone.localdate()
    form = LibraryFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    period = as_of(user, data.get("month"), today=today)
    qs = Project.objects.visible_to(user).select_related("org_unit")
    for name in ("zone", "town"):
        unit = visible_unit(user, data.get(name))
        if unit is not None:
            qs = qs.filter(org_unit__path__startswith=unit.path)
    if data.get("q"):
        qs = qs.filter(name__icontains=data["q"])
    if data.get("stage"):
        qs = qs.filter(stage=data["stage"])
    if data.get("chain"):
        qs = qs.filter(chain=data["chain"])
    if data.get("level"):
        level = data["level"]
        keyed = Q(years__year=period.year, years__is_key=True, years__key_level=level)
        if level == domain.Level.NONE:
            qs = qs.exclude(pk__in=Project.objects.filter(years__year=period.year, years__is_key=True))
        else:
            qs = qs.filter(pk__in=Project.objects.filter(keyed).values("pk"))
    if data.get("tier"):
        floor = dict(domain.TIERS)[data["tier"]]
        qs = qs.filter(total_investment_wan__gte=floor)
    if data.get("overdue"):
        qs = qs.filter(pk__in=overdue_project_ids(qs, today))
    if data.get("behind"):
        year_data = metrics.load(period.year, period.month, qs)
        behind = [
            pid
            for pid, y in year_data.years.items()
            if domain.behind_schedule(
                year_data.ytd_at(pid, period.month), y["planned_investment_wan"], period.month
            )
        ]
        qs = qs.filter(pk__in=behind)
    paginator = Paginator(qs.order_by(*form.order_by()), PER_PAGE)
    page = paginator.get_page(params.get("page"))
    projects: list[Project] = list(page.object_list)
    ids = [p.pk for p in projects]
    page_data = metrics.load(period.year, period.month, Project.objects.filter(pk__in=ids))
    overdue = set(
        overdue_project_ids(Project.objects.filter(pk__in=ids), today).values_list("project_id", flat=True)
    )
    rows = []
    for p in projects:
        plan = page_data.years.get(p.pk, {})
        ytd = page_data.ytd_at(p.pk, period.month)
        behind_flag = domain.behind_schedule(
            ytd, plan.get("planned_investment_wan", Decimal(0)), period.month
        )
        rows.append(LibraryRow(p, plan, ytd, behind_flag, p.pk in overdue))
    query = urlencode({k: v for k, v in params.items() if k != "page" and v})
    return Library(
        form=form,
        period=period,
        page=page,
        rows=rows,
        total=paginator.count,
        zones=unit_choices(user, (OrgUnitKind.ZONE, OrgUnitKind.PARK)),
        towns=unit_choices(user, (OrgUnitKind.TOWN, OrgUnitKind.SUBDISTRICT, OrgUnitKind.CLUSTER)),
        query=query,
    )
