"""API: key tasks with their lights, supervision items and their flow, the caller's inbox, department timeliness.

Scope: a department sees the items and tasks it leads or co-owns; the supervision office and county leaders see all.
Outside the scope → 404; visible but not allowed (e.g. a co-department signing for the lead) → 403; roles without
any data permission (the three administrators) → 403. Every write goes through :mod:`.services`, which checks the
scope again and writes the audit trail. Replies and closure requests take ``multipart/form-data`` (text + files).

No lost update: every step accepts ``expected_version`` (the ``version`` the client read). A step based on a stale
version is refused with HTTP 409 and the other user's change (see :mod:`diaodu.core.versioning`); without it the
step is checked against the current state only.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from diaodu.accounts.scope import get_for_user, unit_scope
from diaodu.orgunits.models import OrgUnit
from diaodu.supervision import notifications, reports, services
from diaodu.supervision.models import (
    Attachment,
    ItemEvent,
    KeyTask,
    Notification,
    SourceType,
    SupervisionItem,
)
from diaodu.supervision.querysets import SUPERVISION_READ_PERMS, SupervisionItemQuerySet

router = Router(tags=["督查督办"])
NO_FILES = File(None)  # optional multipart files (a module-level default, not a call per signature)
EXPECTED_VERSION = "读取督办件时的 version；已被他人改动时返回 409 并说明对方的修改"
NO_VERSION = Form(None, ge=1, description=EXPECTED_VERSION)  # the multipart steps' optional expected_version


def supervision_user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if unit_scope(user, SUPERVISION_READ_PERMS).empty:
        raise PermissionDenied(_("您的角色无权查看督查督办数据。"))
    return user


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or timezone.localdate()


# ----------------------------------------------------------------------------- key tasks


class MilestoneOut(Schema):
    title: str
    due: dt.date
    done_on: dt.date | None


class KeyTaskOut(Schema):
    id: int
    plan: str
    key: str
    section: str
    title: str
    quote: str = Field(..., description="计划原文依据（逐字）")
    owner_units: list[str] = Field(..., description="牵头单位在前，其后为配合单位")
    owner_unit_codes: list[str]
    leader: str = Field(..., description="责任领导（职务）")
    deadline: dt.date
    status: str = Field(..., description="not_started / in_progress / done（截至 as_of）")
    light: str = Field(..., description="green / yellow / red（截至 as_of）")
    completed_on: dt.date | None
    evidence: str
    milestones: list[MilestoneOut]


class TaskFilter(Schema):
    year: int | None = Field(None, description="计划年度，默认取 as_of 的年份")
    as_of: dt.date | None = Field(None, description="评价日期，默认今天")
    unit: str | None = Field(None, description="牵头或配合单位编码")


def _task_out(row: reports.TaskRow) -> dict[str, Any]:
    t = row.task
    co = sorted(t.co_owners.all(), key=lambda u: u.path)
    return {
        "id": t.pk,
        "plan": t.plan.code,
        "key": t.key,
        "section": t.section,
        "title": t.title,
        "quote": t.quote,
        "owner_units": row.owner_units,
        "owner_unit_codes": [t.owner.code, *(u.code for u in co)],
        "leader": t.leader,
        "deadline": t.deadline,
        "status": str(row.status),
        "light": str(row.light),
        "completed_on": t.completed_on if row.status == "done" else None,
        "evidence": t.evidence,
        "milestones": [{"title": m.title, "due": m.due, "done_on": m.done_on} for m in t.milestones.all()],
    }


@router.get("/key-tasks", response=list[KeyTaskOut], url_name="key_tasks", summary="重点任务及红黄绿灯")
def list_key_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> list[dict[str, Any]]:
    user = supervision_user(request)
    as_of = _today(filters.as_of)
    qs = KeyTask.objects.visible_to(user).filter(plan__year=filters.year or as_of.year)
    if filters.unit:
        unit = OrgUnit.objects.visible_to(user).filter(code=filters.unit).first()
        if unit is None:
            raise Http404
        qs = qs.involving(unit.pk)
    return [_task_out(r) for r in reports.key_task_rows(qs, as_of=as_of)]


@router.get(
    "/key-tasks/{int:task_id}", response=KeyTaskOut, url_name="key_task_detail", summary="重点任务详情"
)
def get_key_task(request: HttpRequest, task_id: int, as_of: dt.date | None = None) -> dict[str, Any]:
    task = get_for_user(KeyTask.objects.all(), supervision_user(request), task_id)
    return _task_out(reports.key_task_rows(KeyTask.objects.filter(pk=task.pk), as_of=_today(as_of))[0])


# ----------------------------------------------------------------------------- supervision items


class ItemOut(Schema):
    id: int
    number: str
    title: str
    description: str
    source_type: str = Field(..., description="key_task / blocker / manual")
    source_id: str
    key_task_id: int | None
    blocker_id: int | None = Field(..., description="项目卡点 id（来源为 blocker 时）")
    status: str
    light: str = Field(..., description="green / yellow / red（今天）")
    overdue: bool
    lead_unit: str | None
    lead_unit_code: str | None
    co_unit_codes: list[str]
    leader: str
    deadline: dt.date | None
    assigned_on: dt.date | None
    sign_due: dt.date | None
    signed_on: dt.date | None
    completed_on: dt.date | None
    closed_on: dt.date | None
    returned_count: int
    version: int


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    text: str
    actor: str
    org_unit: str | None
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class ItemDetailOut(ItemOut):
    timeline: list[EventOut]
    allowed_actions: list[str] = Field(..., description="当前状态下流程允许的操作（是否有权限另行校验）")


def _items() -> SupervisionItemQuerySet:
    return SupervisionItem.objects.select_related("lead_unit").prefetch_related("co_units")  # type: ignore[return-value]


def _item_out(item: SupervisionItem, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "description": item.description,
        "source_type": item.source_type,
        "source_id": item.source_id,
        "key_task_id": item.key_task_id,
        "blocker_id": item.blocker_id,
        "status": item.status,
        "light": str(reports.item_light(item, today)),
        "overdue": reports.is_overdue(item, today),
        "lead_unit": item.lead_unit.name if item.lead_unit else None,
        "lead_unit_code": item.lead_unit.code if item.lead_unit else None,
        "co_unit_codes": sorted(u.code for u in item.co_units.all()),
        "leader": item.leader,
        "deadline": item.deadline,
        "assigned_on": item.assigned_on,
        "sign_due": item.sign_due,
        "signed_on": item.signed_on,
        "completed_on": item.completed_on,
        "closed_on": item.closed_on,
        "returned_count": item.returned_count,
        "version": item.version,
    }


def _detail(item_id: int) -> dict[str, Any]:
    from diaodu.supervision.domain import allowed_actions

    item = _items().get(pk=item_id)
    events = (
        ItemEvent.objects.filter(item=item)
        .select_related("org_unit")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )
    out = _item_out(item, timezone.localdate())
    out["timeline"] = [
        {
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "text": e.text,
            "actor": e.actor_name,
            "org_unit": e.org_unit.name if e.org_unit else None,
            "created_at": e.created_at,
            "attachments": list(e.attachments.all()),
        }
        for e in events
    ]
    out["allowed_actions"] = [str(a) for a in allowed_actions(item.status)]
    return out


class ItemFilter(Schema):
    status: str | None = Field(None, description="状态")
    unit: str | None = Field(None, description="牵头或配合单位编码")
    overdue: bool | None = Field(None, description="只看逾期（true）")
    source_type: str | None = None


@router.get("/supervision/items", response=list[ItemOut], url_name="supervision_items", summary="督办件列表")
@paginate(LimitOffsetPagination)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> list[dict[str, Any]]:
    user = supervision_user(request)
    today = timezone.localdate()
    qs = _items().visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source_type:
        qs = qs.filter(source_type=filters.source_type)
    if filters.unit:
        unit = OrgUnit.objects.visible_to(user).filter(code=filters.unit).first()
        if unit is None:
            raise Http404
        qs = qs.involving(unit.pk)
    if filters.overdue:
        qs = qs.open().filter(deadline__lt=today)
    return [_item_out(i, today) for i in qs.order_by("deadline", "pk")]


@router.get(
    "/supervision/items/{int:item_id}",
    response=ItemDetailOut,
    url_name="supervision_item_detail",
    summary="督办件详情及办理记录",
)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    get_for_user(SupervisionItem.objects.all(), supervision_user(request), item_id)
    return _detail(item_id)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _item_for(request: HttpRequest, item_id: int) -> SupervisionItem:
    return get_for_user(SupervisionItem.objects.all(), supervision_user(request), item_id)


class ItemIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    source_type: SourceType = SourceType.MANUAL
    source_id: str = Field("", max_length=64, description="项目卡点编号（source_type=blocker）")
    key_task_id: int | None = Field(None, description="重点任务 id（source_type=key_task）")
    blocker_id: int | None = Field(None, description="项目卡点 id（月度调度中的需协调问题）")
    leader: str = Field("", max_length=64)


@router.post(
    "/supervision/items",
    response=ItemDetailOut,
    url_name="supervision_item_create",
    summary="登记督办件（督查室）",
)
def create_item(request: HttpRequest, payload: ItemIn) -> dict[str, Any]:
    user = supervision_user(request)
    task = blocker = None
    if payload.key_task_id is not None:
        task = get_for_user(KeyTask.objects.all(), user, payload.key_task_id)
    if payload.blocker_id is not None:
        from diaodu.projects.models import Blocker

        blocker = get_for_user(Blocker.objects.all(), user, payload.blocker_id)
    item = services.create_item(
        actor=user,
        title=payload.title,
        description=payload.description,
        source_type=payload.source_type,
        source_id=payload.source_id,
        key_task=task,
        blocker=blocker,
        leader=payload.leader or (task.leader if task else ""),
    )
    return _detail(item.pk)


class VersionedIn(Schema):
    expected_version: int | None = Field(None, ge=1, description=EXPECTED_VERSION)


class AssignIn(VersionedIn):
    lead_unit: str = Field(..., description="牵头单位编码")
    co_units: list[str] = Field(default_factory=list, description="配合单位编码")
    deadline: dt.date
    sign_workdays: int | None = Field(None, ge=1, le=30, description="签收时限（工作日），默认 3")
    note: str = Field("", max_length=2000)


@router.post(
    "/supervision/items/{int:item_id}/assign",
    response=ItemDetailOut,
    url_name="supervision_item_assign",
    summary="交办（督查室）",
)
def assign_item(request: HttpRequest, item_id: int, payload: AssignIn) -> dict[str, Any]:
    item = _item_for(request, item_id)
    codes = [payload.lead_unit, *payload.co_units]
    units = {u.code: u for u in OrgUnit.objects.internal().filter(code__in=codes)}
    unknown = [c for c in codes if c not in units]
    if unknown:
        raise ValidationError({"lead_unit": _("未知的单位编码：%(codes)s") % {"codes": "、".join(unknown)}})
    services.assign_item(
        item,
        actor=request.auth,  # type: ignore[attr-defined]
        lead_unit=units[payload.lead_unit],
        co_units=[units[c] for c in payload.co_units],
        deadline=payload.deadline,
        sign_workdays=payload.sign_workdays,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(item.pk)


class NoteIn(VersionedIn):
    note: str = Field("", max_length=2000)


def _note(payload: NoteIn | None) -> tuple[str, int | None]:
    """The note and the expected version of an optional body."""
    return (payload.note, payload.expected_version) if payload else ("", None)


class ReasonIn(VersionedIn):
    reason: str = Field(..., max_length=2000, description="退回理由（必填）")


@router.post(
    "/supervision/items/{int:item_id}/sign",
    response=ItemDetailOut,
    url_name="supervision_item_sign",
    summary="签收（牵头单位）",
)
def sign_item(request: HttpRequest, item_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    item = _item_for(request, item_id)
    note, version = _note(payload)
    services.sign_item(item, actor=_actor(request), note=note, expected_version=version)
    return _detail(item.pk)


@router.post(
    "/supervision/items/{int:item_id}/reply",
    response=ItemDetailOut,
    url_name="supervision_item_reply",
    summary="进展回复（牵头或配合单位，可带附件）",
)
def reply_item(
    request: HttpRequest,
    item_id: int,
    text: Form[str],
    files: list[UploadedFile] = NO_FILES,
    expected_version: int | None = NO_VERSION,
) -> dict[str, Any]:
    item = _item_for(request, item_id)
    services.reply_item(
        item, actor=_actor(request), text=text, files=files or [], expected_version=expected_version
    )
    return _detail(item.pk)


@router.post(
    "/supervision/items/{int:item_id}/request-closure",
    response=ItemDetailOut,
    url_name="supervision_item_request_closure",
    summary="申请办结（牵头单位，可带附件）",
)
def request_closure(
    request: HttpRequest,
    item_id: int,
    text: Form[str],
    files: list[UploadedFile] = NO_FILES,
    expected_version: int | None = NO_VERSION,
) -> dict[str, Any]:
    item = _item_for(request, item_id)
    services.request_closure(
        item, actor=_actor(request), text=text, files=files or [], expected_version=expected_version
    )
    return _detail(item.pk)


@router.post(
    "/supervision/items/{int:item_id}/verify",
    response=ItemDetailOut,
    url_name="supervision_item_verify",
    summary="核验（督查室）",
)
def verify_item(request: HttpRequest, item_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    item = _item_for(request, item_id)
    note, version = _note(payload)
    services.verify_item(item, actor=_actor(request), note=note, expected_version=version)
    return _detail(item.pk)


@router.post(
    "/supervision/items/{int:item_id}/return",
    response=ItemDetailOut,
    url_name="supervision_item_return",
    summary="退回重办（督查室）",
)
def return_item(request: HttpRequest, item_id: int, payload: ReasonIn) -> dict[str, Any]:
    item = _item_for(request, item_id)
    services.return_item(
        item, actor=_actor(request), reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(item.pk)


@router.post(
    "/supervision/items/{int:item_id}/close",
    response=ItemDetailOut,
    url_name="supervision_item_close",
    summary="办结销号（督查室）",
)
def close_item(request: HttpRequest, item_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    item = _item_for(request, item_id)
    note, version = _note(payload)
    services.close_item(item, actor=_actor(request), note=note, expected_version=version)
    return _detail(item.pk)


# ----------------------------------------------------------------------------- timeliness and inbox


class TimelinessOut(Schema):
    unit: str
    assigned: int
    signed: int
    signed_on_time: int
    avg_sign_workdays: float | None = Field(..., description="平均签收用时（工作日）")
    sign_on_time_pct: float | None
    due: int
    completed_on_time: int
    on_time_closure_pct: float | None = Field(..., description="按期办结率%")
    overdue: int
    reopened: int = Field(..., description="期内被退回重办次数")


@router.get(
    "/supervision/timeliness",
    response=list[TimelinessOut],
    url_name="supervision_timeliness",
    summary="部门办理时效",
    description="期内交办的督办件，按牵头单位统计签收速度、按期办结率、逾期数、退回数。",
)
def timeliness(request: HttpRequest, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    user = supervision_user(request)
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    items = (
        SupervisionItem.objects.visible_to(user)
        .filter(assigned_on__range=(start, end))
        .select_related("lead_unit")
    )
    rows = reports.timeliness(items, start=start, end=end)

    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    return [
        {
            "unit": t.unit,
            "assigned": t.assigned,
            "signed": t.signed,
            "signed_on_time": t.signed_on_time,
            "avg_sign_workdays": num(t.avg_sign_workdays),
            "sign_on_time_pct": num(t.sign_on_time_pct),
            "due": t.due,
            "completed_on_time": t.completed_on_time,
            "on_time_closure_pct": num(t.on_time_closure_pct),
            "overdue": t.overdue,
            "reopened": t.reopened,
        }
        for t in rows
    ]


class NotificationOut(Schema):
    id: int
    kind: str
    level: int
    title: str
    body: str
    to_unit: bool = Field(..., description="发给本单位（true）或本人（false）")
    item_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


def _notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "level": n.level,
        "title": n.title,
        "body": n.body,
        "to_unit": n.recipient_unit_id is not None,
        "item_id": n.item_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get(
    "/notifications",
    response=list[NotificationOut],
    url_name="notifications",
    summary="我的消息（本人及本单位）",
)
@paginate(LimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False) -> list[dict[str, Any]]:
    qs = Notification.objects.inbox(request.auth)  # type: ignore[attr-defined]
    if unread:
        qs = qs.unread()
    return [_notification_out(n) for n in qs]


@router.post(
    "/notifications/{int:notification_id}/read",
    response=NotificationOut,
    url_name="notification_read",
    summary="标记为已读",
)
def read_notification(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    n = Notification.objects.inbox(request.auth).filter(pk=notification_id).first()  # type: ignore[attr-defined]
    if n is None:
        raise Http404
    return _notification_out(notifications.mark_read(n, user=request.auth))  # type: ignore[attr-defined]
