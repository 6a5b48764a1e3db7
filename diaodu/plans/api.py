"""API: indicators, targets with their evaluation, and the monthly actuals workflow.

Every object comes through the data scope (:mod:`diaodu.accounts.scope`): outside the caller's scope → 404,
visible but not allowed → 403; every write goes through :mod:`diaodu.plans.services` (which checks scope again
and writes the audit trail). Roles without any data permission (the three administrators) get 403, not an empty
list. Stored decimals are JSON strings ("12.5"); evaluation figures are JSON numbers.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel

from diaodu.accounts.models import User
from diaodu.accounts.scope import READ_PERMS, Perm, get_for_user, unit_scope
from diaodu.core import pagecache
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import services
from diaodu.plans.evaluation import TargetResult, evaluate_targets, targets_for_unit, unit_targets
from diaodu.plans.models import Actual, ActualStatus, Indicator, Target
from diaodu.plans.querysets import ActualQuerySet

router = Router(tags=["目标与数据"])


def _dec(value: Decimal | None) -> str | None:
    """An exact decimal as a plain string without trailing zeros ("12.5", "100")."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def data_user(request: HttpRequest, perms: tuple[Perm, ...] = READ_PERMS) -> Any:
    """The caller, who must hold some data permission (administrators do not: 三员分立)."""
    user = request.auth  # type: ignore[attr-defined]
    if unit_scope(user, perms).empty:
        raise PermissionDenied(_("您的角色无权查看业务数据。"))
    return user


def visible_unit(user: Any, code: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def _unit_in_scope(user: Any, code: str) -> OrgUnit:
    """:func:`visible_unit`: the user's own unit, read with the user in this request, when it is the one asked for
    and in scope (what the query would find, without it); otherwise the query."""
    own = user.org_unit if User._meta.get_field("org_unit").is_cached(user) else None
    if own is not None and own.code == code and OrgUnit.objects.holds(own, user, READ_PERMS):
        return own
    return visible_unit(user, code)


# ----------------------------------------------------------------------------- indicators


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    value_unit: str
    measure: str
    direction: str
    accumulation: str
    rollup: str


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    url_name="indicators",
    summary="指标列表",
    description="全部指标及其口径（单位、增速/总量、方向、累计方式）。",
)
def list_indicators(request: HttpRequest) -> QuerySet[Indicator]:
    data_user(request, (*READ_PERMS, Perm.MANAGE_CONFIG))  # reference data: also the system administrator
    return Indicator.objects.all()


# ----------------------------------------------------------------------------- targets


# A target with its evaluation as the list shows it, validated from the plain dicts of _target_rows by pydantic
# alone (ninja's Schema would read each field of each dict through its attribute getter). No docstring: it would
# become the schema's description in the OpenAPI document.
class TargetOut(BaseModel):
    id: int
    plan: str = Field(..., description="计划编码")
    key: str
    section: str
    indicator: str
    indicator_code: str
    org_unit: str
    org_unit_code: str
    year: int
    value: str | None = Field(..., description="目标值（精确小数，字符串）；相对目标为 null")
    unit: str
    comparator: str
    level: str
    quote: str = Field(..., description="计划原文依据")
    deadline: dt.date | None
    status: str = Field(..., description="green / yellow / red / grey")
    actual: float | None = Field(..., description="比较用的实绩：增速类为累计增速%，其余为累计值")
    target: float | None = Field(..., description="生效的目标值（相对目标为参照指标增速）")
    met: bool | None
    data_month: int | None = Field(..., description="所用数据的月份")
    completion_pct: float | None
    schedule_pct: float | None = Field(..., description="时序进度%")
    points_ahead: float | None = Field(..., description="超（+）/欠（−）进度百分点")


class TargetFilter(Schema):
    year: int | None = Field(None, description="年度，默认取 as_of 的年份或今年")
    as_of: str | None = Field(None, description="评价截至月份 YYYY-MM；默认往年取12月、今年取本月")
    unit: str | None = Field(None, description="单位编码")
    include_below: bool = Field(False, description="包含下级单位")


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def _as_of(filters: TargetFilter) -> tuple[int, int]:
    today = timezone.localdate()
    if filters.as_of:
        m = _MONTH_RE.match(filters.as_of.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationError({"as_of": _("截至月份格式应为 YYYY-MM，例如 2025-09。")})
        year, month = int(m.group(1)), int(m.group(2))
        if filters.year is not None and filters.year != year:
            raise ValidationError({"as_of": _("截至月份须在所查询的年度内。")})
        return year, month
    year = filters.year or today.year
    return year, (today.month if year == today.year else 12)


@router.get(
    "/targets",
    response=list[TargetOut],
    url_name="targets",
    summary="目标及完成情况",
    description="数据范围内的目标，附截至某月的评价（只计已审核数据）：红黄绿灯、实绩、时序进度、超欠进度。",
)
def list_targets(request: HttpRequest, filters: Query[TargetFilter]) -> list[dict[str, Any]]:
    user = data_user(request)
    # approved data only: cached per data version (see diaodu.core.pagecache), computed on the first request
    # after any change to a figure
    return pagecache.get_or_compute(request, user, "api-targets", (), lambda: _target_rows(user, filters))


def _target_rows(user: Any, filters: TargetFilter) -> list[dict[str, Any]]:
    year, month = _as_of(filters)
    unit = _unit_in_scope(user, filters.unit) if filters.unit else None
    targets: QuerySet[Target] | list[Target]
    if unit is not None and not filters.include_below and unit_scope(user, READ_PERMS).covers_unit(unit.pk):
        # the scope keeps every target of a unit it covers (visible_to: the target's unit in scope), so the unit's
        # targets are all of them: read by a fixed statement, no queryset to build
        targets = unit_targets(unit, year)
    else:
        targets = scoped_targets(user, year, unit, include_below=filters.include_below)
    return _rows(evaluate_targets(targets, year=year, as_of_month=month))


def scoped_targets(user: Any, year: int, unit: OrgUnit | None, *, include_below: bool) -> QuerySet[Target]:
    """The targets of ``year`` the list shows ``user`` (of ``unit``, and below it with ``include_below``)."""
    qs: QuerySet[Target] = Target.objects.visible_to(user).filter(year=year)
    if unit is not None:
        qs = targets_for_unit(qs, unit.path, include_below=include_below)
    return qs.order_by("plan", "sort_order", "pk")  # the plan's own ordering: newest first, then by code


def _rows(results: list[TargetResult]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        t, ev = r.target, r.evaluation
        out.append(
            {
                "id": t.pk,
                "plan": t.plan.code,
                "key": t.key,
                "section": t.section,
                "indicator": t.indicator.name,
                "indicator_code": t.indicator.code,
                "org_unit": t.org_unit.name,
                "org_unit_code": t.org_unit.code,
                "year": t.year,
                "value": _dec(t.value),
                "unit": t.indicator.unit,
                "comparator": t.comparator,
                "level": t.level,
                "quote": t.quote,
                "deadline": t.deadline,
                "status": r.status,
                "actual": _num(ev.actual),
                "target": _num(ev.target),
                "met": ev.met,
                "data_month": ev.data_month,
                "completion_pct": _num(ev.completion_pct),
                "schedule_pct": _num(ev.schedule_pct),
                "points_ahead": _num(ev.points_ahead),
            }
        )
    return out


# ----------------------------------------------------------------------------- actuals


class ActualRow(BaseModel):
    """A monthly actual as the API shows it. The list validates plain dicts (:func:`_actual_row`) with pydantic
    alone; :class:`ActualOut` adds ninja's reading of the same fields from an instance."""

    id: int
    indicator: str
    indicator_code: str
    org_unit: str
    org_unit_code: str
    year: int
    month: int
    ytd_value: str | None = Field(..., description="累计值（精确小数，字符串）")
    growth_pct: str | None = Field(..., description="公布的累计增速%（字符串）")
    base_value: str | None = Field(..., description="上年同期累计值（字符串）")
    unit: str = Field(..., description="数值单位")
    note: str
    status: str = Field(..., description="draft / submitted / returned / approved")
    review_comment: str
    version: int = Field(..., description="版本号；修改时作为 expected_version 传回，防止覆盖他人修改")
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    updated_at: dt.datetime


class ActualOut(Schema, ActualRow):
    """The same fields, read from an :class:`Actual` instance (the detail and the write endpoints)."""

    @staticmethod
    def resolve_indicator(obj: Actual) -> str:
        return obj.indicator.name

    @staticmethod
    def resolve_indicator_code(obj: Actual) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_org_unit(obj: Actual) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_org_unit_code(obj: Actual) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_ytd_value(obj: Actual) -> str | None:
        return _dec(obj.ytd_value)

    @staticmethod
    def resolve_growth_pct(obj: Actual) -> str | None:
        return _dec(obj.growth_pct)

    @staticmethod
    def resolve_base_value(obj: Actual) -> str | None:
        return _dec(obj.base_value)

    @staticmethod
    def resolve_unit(obj: Actual) -> str:
        return obj.indicator.entry_unit


class ActualFilter(Schema):
    year: int | None = None
    month: int | None = Field(None, ge=1, le=12)
    unit: str | None = Field(None, description="单位编码")
    include_below: bool = Field(False, description="包含下级单位")
    status: ActualStatus | None = None
    indicator: str | None = Field(None, description="指标编码")


# The list reads plain rows (no model instances, only the columns shown): it is what units poll during the rush.
_ROW_COLUMNS = {
    "indicator_name": F("indicator__name"), "indicator_code": F("indicator__code"),
    "org_unit_name": F("org_unit__name"), "org_unit_code": F("org_unit__code"),
    "value_unit": F("indicator__value_unit"), "measure": F("indicator__measure"), "indicator_unit": F("indicator__unit"),
}  # fmt: skip
_ROW_FIELDS = ("id", "year", "month", "ytd_value", "growth_pct", "base_value", "note", "status", "review_comment",
               "version", "submitted_at", "reviewed_at", "updated_at")  # fmt: skip


def _actual_row(r: dict[str, Any]) -> dict[str, Any]:
    """An :class:`ActualRow` from a row of :data:`_ROW_FIELDS` and :data:`_ROW_COLUMNS`; the same values as
    :class:`ActualOut`'s resolvers give for the instance (checked in the tests)."""
    return {
        **{k: r[k] for k in _ROW_FIELDS},
        "indicator": r["indicator_name"],
        "indicator_code": r["indicator_code"],
        "org_unit": r["org_unit_name"],
        "org_unit_code": r["org_unit_code"],
        "ytd_value": _dec(r["ytd_value"]),
        "growth_pct": _dec(r["growth_pct"]),
        "base_value": _dec(r["base_value"]),
        "unit": Indicator.entry_unit_of(r["value_unit"], r["measure"], r["indicator_unit"]),
    }


class _RowPagination(LimitOffsetPagination):
    """limit/offset over a queryset of rows, each page turned into :class:`ActualRow` dicts."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        return page | {self.items_attribute: [_actual_row(r) for r in page[self.items_attribute]]}


def _actuals() -> ActualQuerySet:
    return Actual.objects.select_related("indicator", "org_unit")  # type: ignore[return-value]


def _actual_for(request: HttpRequest, actual_id: int, perm: Perm | None = None) -> Actual:
    return get_for_user(_actuals(), data_user(request), actual_id, perm=perm)


@router.get(
    "/actuals",
    response=list[ActualRow],
    url_name="actuals",
    summary="月度实绩列表",
    description="数据范围内的月度实绩（累计值），可按年、月、单位、状态、指标筛选；分页 limit/offset。",
)
@paginate(_RowPagination)
def list_actuals(request: HttpRequest, filters: Query[ActualFilter]) -> QuerySet[Any]:
    user = data_user(request)
    qs: QuerySet[Any] = Actual.objects.visible_to(user)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.indicator:
        qs = qs.filter(indicator__code=filters.indicator)
    if filters.unit:
        unit = visible_unit(user, filters.unit)
        qs = (
            qs.filter(org_unit__path__startswith=unit.path)
            if filters.include_below
            else qs.filter(org_unit=unit)
        )
    ordered = qs.order_by("year", "month", "org_unit__path", "indicator__code", "pk")
    return ordered.values(*_ROW_FIELDS, **_ROW_COLUMNS)


@router.get("/actuals/{int:actual_id}", response=ActualOut, url_name="actual_detail", summary="月度实绩详情")
def get_actual(request: HttpRequest, actual_id: int) -> Actual:
    return _actual_for(request, actual_id)


class ActualIn(Schema):
    indicator: str = Field(..., description="指标编码")
    unit: str = Field(..., description="单位编码")
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    ytd_value: Decimal | None = Field(None, description='累计值（建议以字符串传递，如 "12.5"）')
    growth_pct: Decimal | None = None
    base_value: Decimal | None = None
    note: str = Field("", max_length=200, description="数据来源")
    expected_version: int | None = Field(None, description="修改已有记录时传回读取到的 version")


@router.post(
    "/actuals",
    response=ActualOut,
    url_name="actual_save",
    summary="填报月度实绩（草稿）",
    description="新建或修改某指标某单位某月的草稿或被退回的实绩；已提交、已审核的月份不能修改。",
)
def save_actual(request: HttpRequest, payload: ActualIn) -> Actual:
    user = data_user(request)
    indicator = Indicator.objects.filter(code=payload.indicator).first()
    if indicator is None:
        raise ValidationError({"indicator": _("未知的指标编码：%(code)s") % {"code": payload.indicator}})
    actual = services.save_actual(
        actor=user,
        indicator=indicator,
        org_unit=_unit_in_scope(user, payload.unit),
        year=payload.year,
        month=payload.month,
        ytd_value=payload.ytd_value,
        growth_pct=payload.growth_pct,
        base_value=payload.base_value,
        note=payload.note.strip(),
        expected_version=payload.expected_version,
    )
    return actual  # as stored, with its indicator and unit (services.save_actual): no second read


class ReturnIn(Schema):
    comment: str = Field(..., max_length=1000, description="退回意见（必填）")


class ApproveIn(Schema):
    comment: str = Field("", max_length=1000, description="审核意见（可选）")


class ReopenIn(Schema):
    reason: str = Field(..., max_length=1000, description="重新打开的原因（必填）")


@router.post(
    "/actuals/{int:actual_id}/submit", response=ActualOut, url_name="actual_submit", summary="提交审核"
)
def submit_actual(request: HttpRequest, actual_id: int) -> Actual:
    actual = _actual_for(request, actual_id, Perm.ENTER_DATA)
    return services.submit_actual(actual, actor=request.auth)  # type: ignore[attr-defined]


@router.post(
    "/actuals/{int:actual_id}/return",
    response=ActualOut,
    url_name="actual_return",
    summary="退回",
    description="审核员退回已提交的数据，须填写退回意见。",
)
def return_actual(request: HttpRequest, actual_id: int, payload: ReturnIn) -> Actual:
    actual = _actual_for(request, actual_id, Perm.REVIEW_DATA)
    return services.return_actual(actual, actor=request.auth, comment=payload.comment)  # type: ignore[attr-defined]


@router.post(
    "/actuals/{int:actual_id}/approve",
    response=ActualOut,
    url_name="actual_approve",
    summary="审核通过",
    description="审核员通过已提交的数据；通过后该月锁定。不能审核本人提交的数据。",
)
def approve_actual(request: HttpRequest, actual_id: int, payload: ApproveIn | None = None) -> Actual:
    actual = _actual_for(request, actual_id, Perm.REVIEW_DATA)
    comment = payload.comment if payload else ""
    return services.approve_actual(actual, actor=request.auth, comment=comment)  # type: ignore[attr-defined]


@router.post(
    "/actuals/{int:actual_id}/reopen",
    response=ActualOut,
    url_name="actual_reopen",
    summary="重新打开",
    description="上级审核单位重新打开已审核的月份（退回状态），须填写原因。",
)
def reopen_actual(request: HttpRequest, actual_id: int, payload: ReopenIn) -> Actual:
    actual = _actual_for(request, actual_id, Perm.REVIEW_DATA)
    return services.reopen_actual(actual, actor=request.auth, reason=payload.reason)  # type: ignore[attr-defined]
