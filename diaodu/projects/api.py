"""API: the project library, stage events, approvals, monthly dispatch reports and the project metrics.

Same rules as the pages: objects come through the data scope (outside → 404, visible but not allowed → 403), every
write goes through :mod:`diaodu.projects.services` (scope checked again, audit written there), the three
administrators get 403. Stored amounts are JSON strings ("12500.5", 万元); computed metrics are JSON numbers
(amounts in 万元, rates as fractions). List endpoints are paginated (limit/offset) in a constant number of queries.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from diaodu.accounts.scope import Perm, get_for_user
from diaodu.plans.api import data_user, visible_unit
from diaodu.plans.periods import parse_period
from diaodu.projects import domain, metrics, services
from diaodu.projects.browse import FINISHED_APPROVALS
from diaodu.projects.models import (
    ApprovalItem,
    ApprovalStatus,
    BlockerCategory,
    MonthlyReport,
    Project,
    StageEvent,
)
from diaodu.projects.querysets import MonthlyReportQuerySet, ProjectQuerySet

router = Router(tags=["重点项目"])


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# ----------------------------------------------------------------------------- projects


class ProjectOut(Schema):
    id: int
    name: str
    code: str
    org_unit: str
    org_unit_code: str
    stage: str = Field(..., description="negotiating / signed / ... / full_capacity / suspended / terminated")
    stage_label: str
    stage_on: dt.date | None
    level: str
    category: str
    chain: str
    industry_code: str
    investor_name: str
    total_investment_wan: str = Field(..., description="计划总投资（万元，精确小数字符串）")
    land_area_mu: str | None
    planned_start: dt.date | None
    planned_completion: dt.date | None
    recognised_on: dt.date | None
    version: int

    @staticmethod
    def resolve_org_unit(obj: Project) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_org_unit_code(obj: Project) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_stage_label(obj: Project) -> str:
        return domain.STAGE_LABELS.get(obj.stage, obj.stage)

    @staticmethod
    def resolve_total_investment_wan(obj: Project) -> str | None:
        return _dec(obj.total_investment_wan)

    @staticmethod
    def resolve_land_area_mu(obj: Project) -> str | None:
        return _dec(obj.land_area_mu)


class ProjectFilter(Schema):
    unit: str | None = Field(None, description="单位编码（含下级单位）")
    stage: domain.Stage | None = None
    chain: domain.Chain | None = None
    level: domain.Level | None = Field(None, description="该年度重点项目层级（none：非重点）")
    year: int | None = Field(None, description="层级所属年度，默认今年")
    tier: str | None = Field(None, description="规模：ge_1yi / ge_10yi / ge_50yi / ge_100yi（计划总投资）")
    q: str | None = Field(None, max_length=60, description="名称包含")


def _projects() -> ProjectQuerySet:
    return Project.objects.select_related("org_unit")  # type: ignore[return-value]


@router.get(
    "/projects",
    response=list[ProjectOut],
    url_name="projects",
    summary="项目列表",
    description="数据范围内的项目，可按单位、阶段、产业链、层级、规模、名称筛选；分页 limit/offset。",
)
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> QuerySet[Project]:
    user = data_user(request)
    qs = _projects().visible_to(user)
    if filters.unit:
        qs = qs.filter(org_unit__path__startswith=visible_unit(user, filters.unit).path)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.chain:
        qs = qs.filter(chain=filters.chain)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.tier:
        floors = dict(domain.TIERS)
        if filters.tier not in floors:
            raise ValidationError({"tier": f"规模应为 {'、'.join(floors)} 之一。"})
        qs = qs.filter(total_investment_wan__gte=floors[filters.tier])
    if filters.level:
        year = filters.year or timezone.localdate().year
        key = Project.objects.filter(years__year=year, years__is_key=True)
        if filters.level == domain.Level.NONE:
            qs = qs.exclude(pk__in=key.values("pk"))
        else:
            qs = qs.filter(pk__in=key.filter(years__key_level=filters.level).values("pk"))
    return qs.order_by("org_unit__path", "name", "pk")


class YearOut(Schema):
    year: int
    is_new: bool
    is_key: bool
    key_level: str
    planned_investment_wan: str
    completed_before_wan: str
    planned_start_quarter: int | None

    @staticmethod
    def resolve_planned_investment_wan(obj: Any) -> str | None:
        return _dec(obj.planned_investment_wan)

    @staticmethod
    def resolve_completed_before_wan(obj: Any) -> str | None:
        return _dec(obj.completed_before_wan)


class StageEventOut(Schema):
    id: int
    from_stage: str
    stage: str
    stage_label: str
    on: dt.date
    note: str

    @staticmethod
    def resolve_stage_label(obj: StageEvent) -> str:
        return domain.STAGE_LABELS.get(obj.stage, obj.stage)


class ProjectDetailOut(ProjectOut):
    content: str
    investor_credit_code: str
    expected_tax_wan: str | None
    investment_intensity: float | None = Field(..., description="投资强度（万元/亩）")
    tax_per_mu: float | None = Field(..., description="亩均税收（万元/亩）")
    years: list[YearOut]
    events: list[StageEventOut]

    @staticmethod
    def resolve_expected_tax_wan(obj: Project) -> str | None:
        return _dec(obj.expected_tax_wan)

    @staticmethod
    def resolve_investment_intensity(obj: Project) -> float | None:
        v = obj.investment_intensity
        return None if v is None else float(round(v, 2))

    @staticmethod
    def resolve_tax_per_mu(obj: Project) -> float | None:
        v = obj.tax_per_mu
        return None if v is None else float(round(v, 2))

    @staticmethod
    def resolve_years(obj: Project) -> list[Any]:
        return list(obj.years.all())

    @staticmethod
    def resolve_events(obj: Project) -> list[Any]:
        return list(obj.events.all())


def _project_for(request: HttpRequest, project_id: int, perm: Perm | None = None) -> Project:
    return get_for_user(_projects(), data_user(request), project_id, perm=perm)  # type: ignore[no-any-return]


@router.get(
    "/projects/{int:project_id}", response=ProjectDetailOut, url_name="project_detail", summary="项目详情"
)
def get_project(request: HttpRequest, project_id: int) -> Project:
    project = _project_for(request, project_id)
    return _projects().prefetch_related("years", "events").get(pk=project.pk)


class StageEventIn(Schema):
    stage: domain.Stage
    on: dt.date = Field(..., description="实际日期（不晚于今天）")
    note: str = Field("", max_length=1000, description="佐证说明")


@router.post(
    "/projects/{int:project_id}/events",
    response=StageEventOut,
    url_name="project_event_create",
    summary="登记阶段事件",
    description="按生命周期规则变更项目阶段（如签约→开工），写入审计日志；不允许的变更返回 422 及中文原因。",
)
def create_event(request: HttpRequest, project_id: int, payload: StageEventIn) -> StageEvent:
    project = _project_for(request, project_id)
    return services.record_stage(
        project,
        actor=request.auth,  # type: ignore[attr-defined]
        stage=payload.stage,
        on=payload.on,
        note=payload.note,
    )


# ----------------------------------------------------------------------------- approvals


class MissingDocumentOut(Schema):
    name: str
    due_on: dt.date
    supplied_on: dt.date | None
    state: str = Field(..., description="pending / supplied / overdue")


class ApprovalOut(Schema):
    id: int
    stage: str
    name: str
    key: str
    lead_department: str | None
    planned_on: dt.date | None
    status: str
    done_on: dt.date | None
    overdue: bool = Field(..., description="逾期未办结")
    missing_documents: list[MissingDocumentOut] = Field(..., description="容缺后补材料")


def _approval_out(item: ApprovalItem, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "stage": item.stage,
        "name": item.name,
        "key": item.key,
        "lead_department": item.lead_department.name if item.lead_department else None,
        "planned_on": item.planned_on,
        "status": item.status,
        "done_on": item.done_on,
        "overdue": domain.approval_overdue(item.planned_on, item.status in FINISHED_APPROVALS, today),
        "missing_documents": [
            {
                "name": d.name,
                "due_on": d.due_on,
                "supplied_on": d.supplied_on,
                "state": str(domain.missing_doc_state(d.due_on, d.supplied_on, today)),
            }
            for d in item.missing_documents.all()
        ],
    }


def _approvals() -> QuerySet[ApprovalItem]:
    return ApprovalItem.objects.select_related("lead_department").prefetch_related("missing_documents")


@router.get(
    "/projects/{int:project_id}/approvals",
    response=list[ApprovalOut],
    url_name="project_approvals",
    summary="项目审批事项",
    description="云易办审批清单：四个阶段与并联事项，容缺材料及逾期标记。",
)
def list_approvals(request: HttpRequest, project_id: int) -> list[dict[str, Any]]:
    project = _project_for(request, project_id)
    today = timezone.localdate()
    return [
        _approval_out(i, today) for i in _approvals().filter(project=project).order_by("sort_order", "pk")
    ]


class ApprovalIn(Schema):
    status: ApprovalStatus | None = None
    planned_on: dt.date | None = None
    done_on: dt.date | None = None


@router.patch(
    "/approvals/{int:approval_id}",
    response=ApprovalOut,
    url_name="approval_update",
    summary="更新审批事项",
    description="更新状态、计划办结日期或实际办结日期（只改传入的字段）。",
)
def update_approval(request: HttpRequest, approval_id: int, payload: ApprovalIn) -> dict[str, Any]:
    item = get_for_user(_approvals(), data_user(request), approval_id)
    changes = payload.dict(exclude_unset=True)
    services.update_approval(item, actor=request.auth, **changes)  # type: ignore[attr-defined]
    return _approval_out(_approvals().get(pk=item.pk), timezone.localdate())


# ----------------------------------------------------------------------------- monthly reports


class BlockerOut(Schema):
    id: int
    description: str
    category: str
    status: str


class ReportOut(Schema):
    id: int
    project_id: int
    project: str
    org_unit_code: str
    year: int
    month: int
    month_wan: str = Field(..., description="本月完成投资（万元）= 累计 − 上月累计")
    ytd_wan: str = Field(..., description="年度累计完成投资（万元）")
    progress: str
    stage_note: str
    new_stage: str = Field(..., description="本月阶段变更（审核通过时记入项目）；空为无变更")
    new_stage_on: dt.date | None
    confirm_note: str
    status: str = Field(..., description="draft / submitted / returned / approved / locked")
    review_comment: str
    version: int
    blockers: list[BlockerOut]
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None

    @staticmethod
    def resolve_project(obj: MonthlyReport) -> str:
        return obj.project.name

    @staticmethod
    def resolve_org_unit_code(obj: MonthlyReport) -> str:
        return obj.project.org_unit.code

    @staticmethod
    def resolve_month_wan(obj: MonthlyReport) -> str | None:
        return _dec(obj.month_wan)

    @staticmethod
    def resolve_ytd_wan(obj: MonthlyReport) -> str | None:
        return _dec(obj.ytd_wan)

    @staticmethod
    def resolve_blockers(obj: MonthlyReport) -> list[Any]:
        return list(obj.blockers.all())


class ReportFilter(Schema):
    year: int | None = None
    month: int | None = Field(None, ge=1, le=12)
    unit: str | None = Field(None, description="单位编码（含下级单位）")
    status: domain.ReportStatus | None = None
    project: int | None = Field(None, description="项目 id")


def _reports() -> MonthlyReportQuerySet:
    return MonthlyReport.objects.select_related("project__org_unit").prefetch_related("blockers")  # type: ignore[return-value]


def _report_for(request: HttpRequest, report_id: int, perm: Perm | None = None) -> MonthlyReport:
    return get_for_user(_reports(), data_user(request), report_id, perm=perm)  # type: ignore[no-any-return]


@router.get(
    "/project-reports",
    response=list[ReportOut],
    url_name="project_reports",
    summary="月度调度报告列表",
    description="数据范围内的月度调度报告，可按年、月、单位、状态、项目筛选；分页 limit/offset。",
)
@paginate(LimitOffsetPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> QuerySet[MonthlyReport]:
    user = data_user(request)
    qs = _reports().visible_to(user)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.project is not None:
        qs = qs.filter(project_id=filters.project)
    if filters.unit:
        qs = qs.filter(project__org_unit__path__startswith=visible_unit(user, filters.unit).path)
    return qs.order_by("year", "month", "project__org_unit__path", "project__name", "pk")


@router.get(
    "/project-reports/{int:report_id}",
    response=ReportOut,
    url_name="project_report_detail",
    summary="月度调度报告",
)
def get_report(request: HttpRequest, report_id: int) -> MonthlyReport:
    return _report_for(request, report_id)


class BlockerIn(Schema):
    description: str = Field(..., min_length=1, max_length=1000)
    category: BlockerCategory = BlockerCategory.OTHER


class ReportIn(Schema):
    project: int = Field(..., description="项目 id")
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    ytd_wan: Decimal | None = Field(None, description="年度累计完成投资（万元）；与 month_wan 至少填一项")
    month_wan: Decimal | None = Field(None, description="本月完成投资（万元）；两项都填时须一致")
    progress: str = Field("", max_length=1000, description="形象进度")
    stage_note: str = Field("", max_length=1000)
    new_stage: domain.Stage | None = Field(None, description="本月达到的新阶段（审核通过时记入）")
    new_stage_on: dt.date | None = None
    confirm_note: str = Field("", max_length=200, description="本月投资为上月10倍以上时的确认说明")
    blockers: list[BlockerIn] | None = Field(None, description="需协调问题（传入则替换未交办的问题）")
    expected_version: int | None = Field(None, description="修改已有报告时传回读取到的 version")


@router.post(
    "/project-reports",
    response=ReportOut,
    url_name="project_report_save",
    summary="填报月度调度（草稿）",
    description="新建或修改某项目某月的草稿或被退回的报告。校验：累计不减少、不超过总投资、不填未来月份，"
    "本月投资异常增长须填确认说明。",
)
def save_report(request: HttpRequest, payload: ReportIn) -> MonthlyReport:
    user = data_user(request)
    project = get_for_user(_projects(), user, payload.project)
    row = services.DispatchRow(
        project=project,
        month_wan=payload.month_wan,
        ytd_wan=payload.ytd_wan,
        progress=payload.progress,
        stage_note=payload.stage_note,
        new_stage=payload.new_stage or "",
        new_stage_on=payload.new_stage_on,
        confirm_note=payload.confirm_note,
        expected_version=payload.expected_version,
    )
    blockers = (
        None
        if payload.blockers is None
        else [services.BlockerInput(b.description, b.category) for b in payload.blockers]
    )
    report = services.save_report_row(
        row, actor=user, year=payload.year, month=payload.month, blockers=blockers
    )
    return _reports().get(pk=report.pk)


class ReturnIn(Schema):
    comment: str = Field(..., max_length=1000, description="退回意见（必填）")


class ApproveIn(Schema):
    comment: str = Field("", max_length=1000)


class ReopenIn(Schema):
    reason: str = Field(..., max_length=1000, description="重新打开的原因（必填）")


@router.post(
    "/project-reports/{int:report_id}/submit",
    response=ReportOut,
    url_name="project_report_submit",
    summary="提交审核",
)
def submit_report(request: HttpRequest, report_id: int) -> MonthlyReport:
    report = _report_for(request, report_id, Perm.ENTER_DATA)
    services.submit_report(report, actor=request.auth)  # type: ignore[attr-defined]
    return _reports().get(pk=report.pk)


@router.post(
    "/project-reports/{int:report_id}/return",
    response=ReportOut,
    url_name="project_report_return",
    summary="退回",
    description="审核部门退回已提交的报告，须填写退回意见。",
)
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn) -> MonthlyReport:
    report = _report_for(request, report_id, Perm.REVIEW_DATA)
    services.return_report(report, actor=request.auth, comment=payload.comment)  # type: ignore[attr-defined]
    return _reports().get(pk=report.pk)


@router.post(
    "/project-reports/{int:report_id}/approve",
    response=ReportOut,
    url_name="project_report_approve",
    summary="审核通过",
    description="审核通过后计入完成投资；报告中的阶段变更同时记入项目。不能审核本人提交的报告。",
)
def approve_report(request: HttpRequest, report_id: int, payload: ApproveIn | None = None) -> MonthlyReport:
    report = _report_for(request, report_id, Perm.REVIEW_DATA)
    services.approve_report(report, actor=request.auth, comment=payload.comment if payload else "")  # type: ignore[attr-defined]
    return _reports().get(pk=report.pk)


@router.post(
    "/project-reports/{int:report_id}/reopen",
    response=ReportOut,
    url_name="project_report_reopen",
    summary="重新打开",
    description="上级审核单位重新打开已审核或已锁定的报告（退回状态），须填写原因。",
)
def reopen_report(request: HttpRequest, report_id: int, payload: ReopenIn) -> MonthlyReport:
    report = _report_for(request, report_id, Perm.REVIEW_DATA)
    services.reopen_report(report, actor=request.auth, reason=payload.reason)  # type: ignore[attr-defined]
    return _reports().get(pk=report.pk)


# ----------------------------------------------------------------------------- metrics


class MetricsFilter(Schema):
    as_of: str | None = Field(None, description="截至月份 YYYY-MM，默认本月")
    unit: str | None = Field(None, description="单位编码（含下级单位）；默认全部可见项目")


@router.get(
    "/project-metrics",
    response=dict[str, Any],
    url_name="project_metrics",
    summary="项目指标",
    description="与 `diaodu projects metrics --json` 相同的对象：重点项目数与金额（万元）、开工率、续建达序率、签约分档、"
    "转化开工率、认定率、入库率、产业集中度（比率为小数；无可计算对象时为 null）。只计数据范围内的项目。",
)
def project_metrics(request: HttpRequest, filters: Query[MetricsFilter]) -> dict[str, Any]:
    user = data_user(request)
    today = timezone.localdate()
    year, month = today.year, today.month
    if filters.as_of:
        period = parse_period(filters.as_of)
        if period is None:
            raise ValidationError({"as_of": "截至月份格式应为 YYYY-MM，例如 2025-09。"})
        year, month = period.year, period.month
    qs = Project.objects.visible_to(user)
    if filters.unit:
        qs = qs.filter(org_unit__path__startswith=visible_unit(user, filters.unit).path)
    result: dict[str, Any] = metrics.jsonable(metrics.summary(metrics.load(year, month, qs)))
    return {"year": year, "month": month, **result}
