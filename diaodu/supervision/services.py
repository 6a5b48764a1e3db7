"""Every write of the supervision app: key tasks from the plan file, the 督办 flow, and the reminder scan.

Each function is atomic, re-reads the row under a lock, checks the actor's scope and the version the client read
(``expected_version``: a step based on a stale version raises :class:`~diaodu.core.versioning.StaleVersion`
naming the other user's change; None skips the check), applies one transition of
:mod:`diaodu.supervision.domain`, writes a timeline event and an audit row (before/after), and puts the
notifications into the inboxes (deliveries by e-mail or webhook go out later, see :mod:`.notifications`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from diaodu.accounts.scope import Perm, has_perm, require_unit, unit_scope
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.core.versioning import check_version
from diaodu.orgunits.models import OrgUnit
from diaodu.supervision import domain
from diaodu.supervision.models import (
    Attachment,
    EventAction,
    ItemEvent,
    KeyTask,
    Milestone,
    NoticeKind,
    SentNotice,
    SourceType,
    SupervisionItem,
    TaskStatus,
)
from diaodu.supervision.notifications import notify

if TYPE_CHECKING:
    from diaodu.plans.models import Plan
    from diaodu.plans.planfile import TaskEntry
    from diaodu.plans.services import LoadCounts


class WorkflowError(ValidationError):
    """A step that the item's current state does not allow (shown to the user in Chinese)."""


# ----------------------------------------------------------------------------- configuration (read at call time)


def sign_workdays_default() -> int:
    return int(getattr(settings, "DIAODU_SIGN_FOR_WORKDAYS", 3))


def warn_workdays() -> int:
    return int(getattr(settings, "DIAODU_WARN_WORKDAYS", 3))


def policy() -> domain.Policy:
    steps = tuple(getattr(settings, "DIAODU_ESCALATION_STEPS", (0, 5, 10)))
    return domain.Policy(remind_workdays=warn_workdays(), escalation_steps=steps)


def office_unit() -> OrgUnit | None:
    """The supervision office (督查室) whose inbox receives closure requests and escalations."""
    return OrgUnit.objects.filter(code=getattr(settings, "DIAODU_SUPERVISION_OFFICE", "320723-D11")).first()


def _actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"


# ----------------------------------------------------------------------------- key tasks from the plan file

TASK_SYNC_FIELDS = (
    "section",
    "title",
    "quote",
    "quote_position",
    "owner",
    "leader",
    "deadline",
    "sort_order",
)


def _task_snapshot(
    task: KeyTask, co_owners: Sequence[str], milestones: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    return snapshot(task, TASK_SYNC_FIELDS) | {
        "co_owners": list(co_owners),
        "milestones": [list(m) for m in milestones],
    }


def sync_plan_tasks(
    plan: Plan,
    entries: Iterable[TaskEntry],
    *,
    actor: Any = None,
    source_text: str | None = None,
    spec_source_text: str | None = None,
) -> LoadCounts:
    """Upsert the plan's key tasks by key (idempotent: an unchanged file writes nothing, not even audit rows).

    Co-owners and milestones are part of a task's value; a task that has supervision items cannot be removed from
    the file (its history would dangle). Status, completion and evidence are never touched by the file.
    """
    from diaodu.plans.planfile import PlanFileError, PlanFileProblem
    from diaodu.plans.services import LoadCounts

    entries = list(entries)
    counts = LoadCounts()
    audit = {"actor": actor, "actor_name": "" if getattr(actor, "is_authenticated", False) else "cli"}
    codes = {c for e in entries for c in (e.owner, *e.co_owners)}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    existing = {
        t.key: t for t in KeyTask.objects.filter(plan=plan).prefetch_related("co_owners", "milestones")
    }
    for entry in entries:
        task = existing.get(entry.key)
        position = _quote_position(entry, task, source_text, spec_source_text)
        values: dict[str, Any] = {
            "section": entry.section,
            "title": entry.title,
            "quote": entry.quote,
            "quote_position": position,
            "owner": units[entry.owner],
            "leader": entry.leader,
            "deadline": entry.deadline,
            "sort_order": entry.sort_order * 10,
        }
        co_owners = list(entry.co_owners)
        milestones = [(m.title, m.due.isoformat()) for m in entry.milestones]
        if task is None:
            task = KeyTask.objects.create(plan=plan, key=entry.key, **values)
            task.co_owners.set([units[c] for c in co_owners])
            Milestone.objects.bulk_create(
                Milestone(task=task, title=m.title, due=m.due, sort_order=n)
                for n, m in enumerate(entry.milestones)
            )
            after = _task_snapshot(task, co_owners, milestones) | {"key": task.key}
            record(action=AuditAction.CREATE, obj=task, org_unit_id=task.owner_id, after=after, **audit)
            counts.created += 1
            continue
        current_co = sorted(
            (u.code for u in task.co_owners.all()),
            key=lambda c: co_owners.index(c) if c in co_owners else len(co_owners),
        )
        current_ms = [(m.title, m.due.isoformat()) for m in task.milestones.all()]
        before = _task_snapshot(task, current_co, current_ms)
        for name, value in values.items():
            setattr(task, name, value)
        after = _task_snapshot(task, co_owners, milestones)
        if before == after:
            counts.unchanged += 1
            continue
        b, a = changed(before, after)
        plain = [f for f in a if f in TASK_SYNC_FIELDS]
        if plain:
            task.save(update_fields=plain)
        if "co_owners" in a:
            task.co_owners.set([units[c] for c in co_owners])
        if "milestones" in a:
            _sync_milestones(task, entry)
        record(action=AuditAction.UPDATE, obj=task, org_unit_id=task.owner_id, before=b, after=a, **audit)
        counts.updated += 1

    keep = {e.key for e in entries}
    gone = [t for key, t in existing.items() if key not in keep]
    busy = [t for t in gone if t.items.exists()]
    if busy:
        raise PlanFileError(
            [
                PlanFileProblem(None, "tasks", f"重点任务“{t.key}”已有督办件，不能从计划文件中删除")
                for t in busy
            ]
        )
    for task in gone:
        before = _task_snapshot(
            task,
            [u.code for u in task.co_owners.all()],
            [(m.title, m.due.isoformat()) for m in task.milestones.all()],
        ) | {"key": task.key}
        record(action=AuditAction.DELETE, obj=task, org_unit_id=task.owner_id, before=before, **audit)
        task.delete()
        counts.deleted += 1
    return counts


def _quote_position(
    entry: TaskEntry, current: KeyTask | None, text: str | None, spec_text: str | None
) -> int | None:
    """Same rule as the targets: keep a known position when no source text is given and the quote is unchanged."""
    from diaodu.plans.planfile import find_quote

    if text is None:
        return current.quote_position if current is not None and current.quote == entry.quote else None
    if text == spec_text:
        return entry.quote_position
    return find_quote(text, entry.quote)


def _sync_milestones(task: KeyTask, entry: TaskEntry) -> None:
    """Keep milestones by title (so their completion dates survive a re-dated plan), drop the others."""
    current = {m.title: m for m in task.milestones.all()}
    wanted = {m.title for m in entry.milestones}
    Milestone.objects.filter(task=task).exclude(title__in=wanted).delete()
    for n, m in enumerate(entry.milestones):
        row = current.get(m.title)
        if row is None:
            Milestone.objects.create(task=task, title=m.title, due=m.due, sort_order=n)
        elif (row.due, row.sort_order) != (m.due, n):
            row.due, row.sort_order = m.due, n
            row.save(update_fields=["due", "sort_order"])


@transaction.atomic
def complete_milestone(milestone: Milestone, *, actor: Any, done_on: dt.date | None = None) -> Milestone:
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("task").get(pk=milestone.pk)
    require_unit(actor, milestone.task.owner_id, Perm.ENTER_DATA)
    before = snapshot(milestone, ["done_on"])
    milestone.done_on = done_on or timezone.localdate()
    milestone.save(update_fields=["done_on"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=milestone,
        org_unit_id=milestone.task.owner_id,
        before=before,
        after=snapshot(milestone, ["done_on"]),
    )
    return milestone


def _set_task_status(
    task: KeyTask,
    *,
    actor: Any,
    status: str,
    completed_on: dt.date | None = None,
    evidence: str | None = None,
) -> None:
    fields = ["status", "completed_on", "evidence"]
    before = snapshot(task, fields)
    task.status = status
    task.completed_on = completed_on
    if evidence is not None:
        task.evidence = evidence
    after = snapshot(task, fields)
    if before == after:
        return
    task.save(update_fields=fields)
    b, a = changed(before, after)
    record(actor=actor, action=AuditAction.UPDATE, obj=task, org_unit_id=task.owner_id, before=b, after=a)


# ----------------------------------------------------------------------------- attachments

ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    # extension: (content type, accepted leading bytes; () = text that must be UTF-8)
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
}


def max_attachment_bytes() -> int:
    return int(getattr(settings, "DIAODU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


MAX_FILES_PER_STEP = 10


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    sha256: str


def check_files(files: Sequence[Any]) -> list[CheckedFile]:
    """Validate uploads (type by extension *and* content, size); raise one ValidationError listing every problem."""
    if len(files) > MAX_FILES_PER_STEP:
        raise ValidationError({"files": _("每次最多上传 %(n)d 个附件。") % {"n": MAX_FILES_PER_STEP}})
    limit = max_attachment_bytes()
    errors: list[str] = []
    out: list[CheckedFile] = []
    for f in files:
        name = str(getattr(f, "name", "") or "附件").rsplit("/", 1)[-1]
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        size = getattr(f, "size", None)
        if size is not None and size > limit:
            errors.append(
                _("“%(name)s”超过大小限制（%(mb)d MB）。") % {"name": name, "mb": limit // (1024 * 1024)}
            )
            continue
        data = f.read()
        if len(data) > limit:
            errors.append(
                _("“%(name)s”超过大小限制（%(mb)d MB）。") % {"name": name, "mb": limit // (1024 * 1024)}
            )
            continue
        if ext not in ALLOWED_TYPES:
            allowed = "、".join(sorted(ALLOWED_TYPES))
            errors.append(
                _("“%(name)s”的文件类型不允许（可上传：%(allowed)s）。") % {"name": name, "allowed": allowed}
            )
            continue
        content_type, magics = ALLOWED_TYPES[ext]
        if not data:
            errors.append(_("“%(name)s”是空文件。") % {"name": name})
            continue
        ok = any(data.startswith(m) for m in magics) if magics else _is_utf8(data)
        if not ok:
            errors.append(_("“%(name)s”的内容与扩展名不符。") % {"name": name})
            continue
        out.append(
            CheckedFile(get_valid_filename(name)[:200], data, content_type, hashlib.sha256(data).hexdigest())
        )
    if errors:
        raise ValidationError({"files": errors})
    return out


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ----------------------------------------------------------------------------- the 督办 flow

ITEM_FIELDS = (
    "status",
    "title",
    "lead_unit",
    "deadline",
    "sign_workdays",
    "assigned_on",
    "sign_due",
    "signed_on",
    "completed_on",
    "closed_on",
    "returned_count",
    "leader",
    "leader_user",
)


def _item_snapshot(item: SupervisionItem) -> dict[str, Any]:
    return snapshot(item, ITEM_FIELDS) | {"co_units": sorted(u.code for u in item.co_units.all())}


def _lock(item: SupervisionItem) -> SupervisionItem:
    return (
        SupervisionItem.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "key_task", "leader_user", "blocker__project")
        .get(pk=item.pk)
    )


def _check_version(item: SupervisionItem, expected_version: int | None) -> None:
    """After the lock and the scope check (so only someone allowed to act learns who changed the item)."""
    check_version(item, expected_version, _("督办件 %(number)s") % {"number": item.number})


def _event(
    item: SupervisionItem,
    *,
    action: str,
    actor: Any,
    from_status: str = "",
    to_status: str = "",
    text: str = "",
    files: Sequence[CheckedFile] = (),
) -> ItemEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = ItemEvent.objects.create(
        item=item,
        action=action,
        from_status=from_status,
        to_status=to_status,
        text=text,
        actor=user,
        actor_name=(user.display_name if user else _("系统")),
        org_unit_id=getattr(user, "org_unit_id", None),
    )
    for f in files:
        attachment = Attachment(
            event=event,
            name=f.name,
            size=len(f.data),
            content_type=f.content_type,
            sha256=f.sha256,
            uploaded_by=user,
        )
        attachment.file.save(f.name, ContentFile(f.data), save=False)
        attachment.save()
    return event


def _step(
    item: SupervisionItem,
    *,
    actor: Any,
    action: domain.Action,
    event_action: str,
    audit_action: AuditAction,
    text: str = "",
    files: Sequence[CheckedFile] = (),
    values: dict[str, Any] | None = None,
    co_units: Sequence[OrgUnit] | None = None,
) -> SupervisionItem:
    try:
        target = domain.next_status(item.status, action)
    except domain.TransitionError:
        raise WorkflowError(
            _("督办件 %(number)s 当前状态为“%(status)s”，不能执行此操作。")
            % {"number": item.number, "status": item.get_status_display()}
        ) from None
    before = _item_snapshot(item)
    from_status = item.status
    item.status = target
    for name, value in (values or {}).items():
        setattr(item, name, value)
    item.version += 1
    item.save(update_fields=["status", "version", "updated_at", *(values or {})])
    if co_units is not None:
        item.co_units.set(co_units)
    b, a = changed(before, _item_snapshot(item))
    _event(
        item,
        action=event_action,
        actor=actor,
        from_status=from_status,
        to_status=target,
        text=text,
        files=files,
    )
    record(actor=actor, action=audit_action, obj=item, before=b, after=a, reason=text[:1000])
    return item


def _next_number(year: int) -> str:
    prefix = f"DB{year}-"
    last = (
        SupervisionItem.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"


@transaction.atomic
def create_item(
    *,
    actor: Any,
    title: str,
    description: str = "",
    source_type: str = SourceType.MANUAL,
    source_id: str = "",
    key_task: KeyTask | None = None,
    blocker: Any = None,
    leader: str = "",
    leader_user: Any = None,
) -> SupervisionItem:
    """Register (登记) an item: by hand, from a key task, or from a project blocker (``source_id`` = its id)."""
    if not has_perm(actor, Perm.SUPERVISE):
        raise PermissionDenied(_("只有督查室可以登记督办件。"))
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写督办事项。")})
    if source_type == SourceType.KEY_TASK and key_task is None:
        raise ValidationError({"key_task": _("来源为重点任务时须指定任务。")})
    if blocker is not None:
        source_type, source_id = SourceType.BLOCKER, str(blocker.pk)
    if source_type == SourceType.BLOCKER and not source_id:
        raise ValidationError({"source_id": _("来源为项目卡点时须填写卡点编号。")})
    year = timezone.localdate().year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                item = SupervisionItem.objects.create(
                    number=_next_number(year),
                    title=title[:200],
                    description=description.strip(),
                    source_type=source_type,
                    source_id=source_id or (f"{key_task.plan_id}:{key_task.key}" if key_task else ""),
                    key_task=key_task,
                    blocker=blocker,
                    leader=leader.strip(),
                    leader_user=leader_user,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:  # two registrations took the same number: take the next one
            continue
    else:
        raise WorkflowError(_("编号生成冲突，请重试。"))
    _event(item, action=EventAction.REGISTER, actor=actor, to_status=item.status, text=item.description)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=item,
        after=_item_snapshot(item) | {"number": item.number, "source": f"{source_type}:{item.source_id}"},
    )
    return item


@transaction.atomic
def assign_item(
    item: SupervisionItem,
    *,
    actor: Any,
    lead_unit: OrgUnit,
    co_units: Sequence[OrgUnit] = (),
    deadline: dt.date,
    sign_workdays: int | None = None,
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """交办: lead department + co-departments and a deadline; the sign-for deadline is N working days later."""
    item = _lock(item)
    for unit in (lead_unit, *co_units):
        require_unit(actor, unit.pk, Perm.SUPERVISE)
    _check_version(item, expected_version)
    today = today or timezone.localdate()
    if deadline < today:
        raise ValidationError({"deadline": _("办理期限不能早于今天。")})
    co = [u for u in dict.fromkeys(co_units) if u.pk != lead_unit.pk]
    workdays = sign_workdays if sign_workdays is not None else sign_workdays_default()
    if not 1 <= workdays <= 30:
        raise ValidationError({"sign_workdays": _("签收时限应为1到30个工作日。")})
    sign_due = domain.sign_due(today, workdays)
    item = _step(
        item,
        actor=actor,
        action=domain.Action.ASSIGN,
        event_action=EventAction.ASSIGN,
        audit_action=AuditAction.UPDATE,
        text=note.strip(),
        co_units=co,
        values={
            "lead_unit": lead_unit,
            "deadline": deadline,
            "sign_workdays": workdays,
            "assigned_on": today,
            "sign_due": sign_due,
        },
    )
    if item.key_task is not None and item.key_task.status == TaskStatus.NOT_STARTED:
        _set_task_status(item.key_task, actor=actor, status=TaskStatus.IN_PROGRESS)
    _set_blocker_status(item, actor=actor, status="routed")
    notify(
        kind=NoticeKind.ASSIGNED,
        item=item,
        units=[lead_unit, *co],
        title=_("新交办督办件：%(title)s") % {"title": item.title},
        body=_("%(number)s 由%(lead)s牵头办理，请于%(sign_due)s前签收，%(deadline)s前办结。")
        % {
            "number": item.number,
            "lead": lead_unit.name,
            "sign_due": sign_due.isoformat(),
            "deadline": deadline.isoformat(),
        },
    )
    return item


@transaction.atomic
def supervise_key_task(
    task: KeyTask, *, actor: Any, leader_user: Any = None, note: str = "", today: dt.date | None = None
) -> SupervisionItem:
    """Register an item for a key task and assign it to the task's owners with the task's deadline."""
    if not KeyTask.objects.visible_to(actor).filter(pk=task.pk).exists():
        raise PermissionDenied
    item = create_item(
        actor=actor,
        title=task.title,
        description=task.quote,
        source_type=SourceType.KEY_TASK,
        key_task=task,
        leader=task.leader,
        leader_user=leader_user,
    )
    today = today or timezone.localdate()
    return assign_item(
        item,
        actor=actor,
        lead_unit=task.owner,
        co_units=list(task.co_owners.all()),
        deadline=max(task.deadline, today),
        note=note,
        today=today,
    )


@transaction.atomic
def supervise_blocker(
    blocker: Any,
    *,
    actor: Any,
    deadline: dt.date,
    lead_unit: OrgUnit | None = None,
    co_units: Sequence[OrgUnit] = (),
    leader: str = "",
    leader_user: Any = None,
    today: dt.date | None = None,
) -> SupervisionItem:
    """Register an item for a project blocker (月度调度中的卡点堵点) and assign it, by default to the blocker's
    responsible department, with the project's unit as co-department."""
    from diaodu.projects.models import Blocker

    if not Blocker.objects.visible_to(actor).filter(pk=blocker.pk).exists():
        raise PermissionDenied
    lead = lead_unit or blocker.department
    if lead is None:
        raise ValidationError({"lead_unit": _("该卡点未指定责任部门，请选择牵头单位。")})
    project = blocker.project
    co = list(co_units) or ([project.org_unit] if project.org_unit_id != lead.pk else [])
    item = create_item(
        actor=actor,
        title=f"{project.name}：{blocker.description}"[:200],
        description=blocker.description,
        blocker=blocker,
        leader=leader,
        leader_user=leader_user,
    )
    return assign_item(item, actor=actor, lead_unit=lead, co_units=co, deadline=deadline, today=today)


def _set_blocker_status(item: SupervisionItem, *, actor: Any, status: str) -> None:
    """Keep the project blocker's state in step with its item (交办 → routed, 办结 → resolved).

    The projects app has no service for this yet; the write is audited here like any other.
    """
    blocker = item.blocker
    if blocker is None or blocker.status == status:
        return
    before = snapshot(blocker, ["status"])
    blocker.status = status
    blocker.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=blocker,
        org_unit_id=blocker.project.org_unit_id,
        before=before,
        after=snapshot(blocker, ["status"]),
        reason=item.number,
    )


@transaction.atomic
def sign_item(
    item: SupervisionItem,
    *,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """签收, by the lead department."""
    item = _lock(item)
    require_unit(actor, item.lead_unit_id, Perm.ENTER_DATA)
    _check_version(item, expected_version)
    return _step(
        item,
        actor=actor,
        action=domain.Action.SIGN,
        event_action=EventAction.SIGN,
        audit_action=AuditAction.UPDATE,
        text=note.strip(),
        values={"signed_on": today or timezone.localdate()},
    )


def _require_lead_or_co(actor: Any, item: SupervisionItem) -> None:
    scope = unit_scope(actor, Perm.ENTER_DATA)
    units = {item.lead_unit_id, *item.co_units.values_list("pk", flat=True)}
    if not any(scope.covers_unit(u) for u in units):
        raise PermissionDenied(_("只有牵头或配合单位可以回复办理进展。"))


@transaction.atomic
def reply_item(
    item: SupervisionItem,
    *,
    actor: Any,
    text: str,
    files: Sequence[Any] = (),
    expected_version: int | None = None,
) -> SupervisionItem:
    """进展回复 (text + attachments), by the lead or a co-department."""
    item = _lock(item)
    _require_lead_or_co(actor, item)
    _check_version(item, expected_version)
    if not text.strip():
        raise ValidationError({"text": _("请填写办理进展。")})
    checked = check_files(files)
    return _step(
        item,
        actor=actor,
        action=domain.Action.REPLY,
        event_action=EventAction.REPLY,
        audit_action=AuditAction.UPDATE,
        text=text.strip(),
        files=checked,
    )


@transaction.atomic
def request_closure(
    item: SupervisionItem,
    *,
    actor: Any,
    text: str,
    files: Sequence[Any] = (),
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """申请办结 with the evidence, by the lead department; the supervision office is told."""
    item = _lock(item)
    require_unit(actor, item.lead_unit_id, Perm.ENTER_DATA)
    _check_version(item, expected_version)
    if not text.strip():
        raise ValidationError({"text": _("申请办结时请说明办理结果。")})
    checked = check_files(files)
    item = _step(
        item,
        actor=actor,
        action=domain.Action.REQUEST_CLOSURE,
        event_action=EventAction.REQUEST_CLOSURE,
        audit_action=AuditAction.SUBMIT,
        text=text.strip(),
        files=checked,
        values={"completed_on": today or timezone.localdate()},
    )
    office = office_unit()
    if office is not None:
        notify(
            kind=NoticeKind.CLOSURE_REQUESTED,
            item=item,
            units=[office],
            title=_("申请办结：%(title)s") % {"title": item.title},
            body=_("%(number)s %(lead)s申请办结：%(text)s")
            % {"number": item.number, "lead": item.lead_unit, "text": text.strip()[:500]},
        )
    return item


@transaction.atomic
def verify_item(
    item: SupervisionItem, *, actor: Any, note: str = "", expected_version: int | None = None
) -> SupervisionItem:
    """核验, by the supervision office."""
    item = _lock(item)
    require_unit(actor, item.lead_unit_id, Perm.SUPERVISE)
    _check_version(item, expected_version)
    return _step(
        item,
        actor=actor,
        action=domain.Action.VERIFY,
        event_action=EventAction.VERIFY,
        audit_action=AuditAction.APPROVE,
        text=note.strip(),
    )


@transaction.atomic
def return_item(
    item: SupervisionItem, *, actor: Any, reason: str, expected_version: int | None = None
) -> SupervisionItem:
    """退回重办 (from a closure request or a verified item), by the supervision office, with a reason."""
    item = _lock(item)
    require_unit(actor, item.lead_unit_id, Perm.SUPERVISE)
    _check_version(item, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": _("退回时请填写退回理由。")})
    item = _step(
        item,
        actor=actor,
        action=domain.Action.RETURN,
        event_action=EventAction.RETURN,
        audit_action=AuditAction.RETURN,
        text=reason.strip(),
        values={"completed_on": None, "returned_count": item.returned_count + 1},
    )
    notify(
        kind=NoticeKind.RETURNED,
        item=item,
        units=[item.lead_unit] if item.lead_unit else [],
        title=_("督办件被退回：%(title)s") % {"title": item.title},
        body=_("%(number)s 退回重办：%(reason)s") % {"number": item.number, "reason": reason.strip()[:500]},
    )
    return item


@transaction.atomic
def close_item(
    item: SupervisionItem,
    *,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionItem:
    """办结销号, by the supervision office; a key task's item closing completes the task."""
    item = _lock(item)
    require_unit(actor, item.lead_unit_id, Perm.SUPERVISE)
    _check_version(item, expected_version)
    item = _step(
        item,
        actor=actor,
        action=domain.Action.CLOSE,
        event_action=EventAction.CLOSE,
        audit_action=AuditAction.UPDATE,
        text=note.strip(),
        values={"closed_on": today or timezone.localdate()},
    )
    if item.key_task is not None:
        evidence = (
            ItemEvent.objects.filter(item=item, action=EventAction.REQUEST_CLOSURE)
            .order_by("-created_at", "-pk")
            .values_list("text", flat=True)
            .first()
        ) or ""
        _set_task_status(
            item.key_task,
            actor=actor,
            status=TaskStatus.DONE,
            completed_on=item.completed_on,
            evidence=f"{item.number}：{evidence}",
        )
    _set_blocker_status(item, actor=actor, status="resolved")
    notify(
        kind=NoticeKind.CLOSED,
        item=item,
        units=[item.lead_unit] if item.lead_unit else [],
        users=[item.leader_user] if item.leader_user else [],
        title=_("督办件已办结：%(title)s") % {"title": item.title},
        body=_("%(number)s 已办结销号。") % {"number": item.number},
    )
    return item


# ----------------------------------------------------------------------------- reminders and escalation


@dataclass
class ScanResult:
    items: int = 0
    sent: int = 0
    skipped: int = 0  # already in the ledger
    by_kind: dict[str, int] = field(default_factory=dict)


NOTICE_TEXT = {
    domain.NoticeKind.SIGN_REMINDER: (
        gettext_noop("签收提醒：%(title)s"),
        gettext_noop("%(number)s 请于%(sign_due)s前签收（剩余%(days)d个工作日）。"),
    ),
    domain.NoticeKind.SIGN_OVERDUE: (
        gettext_noop("签收超期：%(title)s"),
        gettext_noop("%(number)s 签收期限%(sign_due)s已过%(days)d个工作日，%(lead)s仍未签收。"),
    ),
    domain.NoticeKind.DEADLINE_REMINDER: (
        gettext_noop("到期提醒：%(title)s"),
        gettext_noop("%(number)s 将于%(deadline)s到期（剩余%(days)d个工作日），请抓紧办理。"),
    ),
    domain.NoticeKind.OVERDUE: (
        gettext_noop("逾期%(level)d级督办：%(title)s"),
        gettext_noop(
            "%(number)s 已超过办理期限%(deadline)s（逾期%(days)d个工作日），牵头单位：%(lead)s，责任领导：%(leader)s。"
        ),
    ),
}


def run_reminder_scan(today: dt.date | None = None) -> ScanResult:
    """Send every reminder and escalation that is due on ``today`` and not yet in the ledger.

    Idempotent: each notice has a unique key in :class:`SentNotice`, written in the same transaction as its
    inbox rows and deliveries; a second run (or a concurrent worker) finds the key and sends nothing.
    """
    today = today or timezone.localdate()
    result = ScanResult()
    pol = policy()
    office = office_unit()
    items = (
        SupervisionItem.objects.open()
        .filter(lead_unit__isnull=False)
        .select_related("lead_unit", "leader_user")
        .prefetch_related("co_units")
    )
    sent_keys = set(SentNotice.objects.filter(item__in=items).values_list("key", flat=True))
    for item in items:
        result.items += 1
        clock = domain.ItemClock(item.pk, item.status, item.deadline, item.sign_due, item.signed_on)
        for notice in domain.due_notices(clock, today, pol):
            if notice.key in sent_keys:
                result.skipped += 1
                continue
            try:
                with transaction.atomic():
                    SentNotice.objects.create(
                        key=notice.key, item=item, kind=str(notice.kind), level=notice.level, sent_on=today
                    )
                    _send_notice(item, notice, office)
            except IntegrityError:  # another worker sent it meanwhile
                result.skipped += 1
                continue
            result.sent += 1
            result.by_kind[str(notice.kind)] = result.by_kind.get(str(notice.kind), 0) + 1
    return result


def _send_notice(item: SupervisionItem, notice: domain.Notice, office: OrgUnit | None) -> None:
    units: list[OrgUnit] = []
    users: list[Any] = []
    for audience in notice.audience:
        if audience == domain.Audience.LEAD_UNIT and item.lead_unit is not None:
            units.append(item.lead_unit)
        elif audience == domain.Audience.CO_UNITS:
            units.extend(item.co_units.all())
        elif audience == domain.Audience.OFFICE and office is not None:
            units.append(office)
        elif audience == domain.Audience.LEADER and item.leader_user is not None:
            users.append(item.leader_user)
    title_tpl, body_tpl = NOTICE_TEXT[notice.kind]
    params = {
        "title": item.title,
        "number": item.number,
        "days": notice.days,
        "level": notice.level,
        "deadline": item.deadline.isoformat() if item.deadline else "",
        "lead": str(item.lead_unit),
        "sign_due": item.sign_due.isoformat() if item.sign_due else "",
        "leader": item.leader or "—",
    }
    title, body = _(title_tpl) % params, _(body_tpl) % params
    notify(
        kind=str(notice.kind),
        item=item,
        units=list(dict.fromkeys(units)),
        users=users,
        title=title,
        body=body,
        level=notice.level,
    )
    action = (
        EventAction.ESCALATE
        if notice.kind in (domain.NoticeKind.OVERDUE, domain.NoticeKind.SIGN_OVERDUE)
        else EventAction.REMIND
    )
    recipients = "、".join([u.display_short for u in dict.fromkeys(units)] + [u.display_name for u in users])
    _event(item, action=action, actor=None, text=f"{body}（发送至：{recipients}）")
