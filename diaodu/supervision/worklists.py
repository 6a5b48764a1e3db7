"""Read side of the supervision pages: the inbox, the board, the overdue list, the item page, the key-task list,
the open blockers and the nav badge. Each list is a fixed number of queries whatever its size.

Lights, overdue days and allowed steps come from :mod:`.domain` (through :mod:`.reports`); the services check
every write again, so what this module offers is only what the page shows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.accounts.scope import Perm, get_for_user, has_perm, unit_scope
from diaodu.core.workdays import workdays_between
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Plan
from diaodu.supervision import domain, reports
from diaodu.supervision.models import (
    Attachment,
    ItemEvent,
    ItemStatus,
    KeyTask,
    Notification,
    SupervisionItem,
)
from diaodu.supervision.querysets import SUPERVISION_READ_PERMS, SupervisionItemQuerySet
from diaodu.supervision.services import warn_workdays

# ----------------------------------------------------------------------------- access


def can_read(user: Any) -> bool:
    """Anyone holding a data or supervision permission; no query (the roles are cached on the user)."""
    return any(has_perm(user, p) for p in SUPERVISION_READ_PERMS)


def require_reader(user: Any) -> None:
    """The three administrators hold no business permission: 403 on every supervision page."""
    if not can_read(user):
        raise PermissionDenied


def can_supervise(user: Any) -> bool:
    return has_perm(user, Perm.SUPERVISE)


def require_office(user: Any) -> None:
    """Registering and routing items is the supervision office's (督查室) job."""
    if not has_perm(user, Perm.SUPERVISE):
        raise PermissionDenied


def items() -> SupervisionItemQuerySet:
    return SupervisionItem.objects.select_related("lead_unit").prefetch_related(  # type: ignore[return-value]
        Prefetch("co_units", queryset=OrgUnit.objects.order_by("sort_order"))
    )


def item_for(user: Any, pk: int) -> SupervisionItem:
    require_reader(user)
    item: SupervisionItem = get_for_user(SupervisionItem.objects.all(), user, pk)
    return item


def attachment_for(user: Any, pk: int) -> Attachment:
    """An attachment only for users who can see its item (404 otherwise)."""
    require_reader(user)
    attachment = Attachment.objects.select_related("event").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    get_for_user(SupervisionItem.objects.all(), user, attachment.event.item_id)
    return attachment


def may_take(user: Any, item: SupervisionItem, action: str) -> bool:
    """Whether the user's role and units allow ``action`` on the item at all (whatever its state)."""
    enter = unit_scope(user, Perm.ENTER_DATA)
    office = unit_scope(user, Perm.SUPERVISE)
    if action == "assign":
        return has_perm(user, Perm.SUPERVISE)
    if action in ("sign", "request_closure"):
        return enter.covers_unit(item.lead_unit_id)
    if action == "reply":
        return any(enter.covers_unit(u) for u in (item.lead_unit_id, *(c.pk for c in item.co_units.all())))
    return action in ("verify", "return", "close") and office.covers_unit(item.lead_unit_id)


def permitted_actions(user: Any, item: SupervisionItem) -> list[str]:
    """The steps the item's state allows *and* the user may take (the services check again)."""
    return [str(a) for a in domain.allowed_actions(item.status) if may_take(user, item, str(a))]


# ----------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class ItemRow:
    item: SupervisionItem
    light: domain.Light
    past_deadline: bool  # open (department still owes work) and past its deadline
    overdue_days: int  # working days past the deadline
    sign_overdue: bool  # still unsigned after the sign-for deadline
    due_soon: bool  # open, not overdue, within the warning window
    role: str  # "lead" / "co" / "" (the user's units' part in it)

    @property
    def overdue(self) -> bool:
        return self.past_deadline or self.sign_overdue


def _own_unit_ids(user: Any) -> frozenset[int] | None:
    """Units the user acts for (None = all of them)."""
    scope = unit_scope(user, (Perm.ENTER_DATA, Perm.SUPERVISE))
    return None if scope.all else scope.unit_ids


def item_rows(user: Any, qs: Iterable[SupervisionItem], today: dt.date) -> list[ItemRow]:
    own = _own_unit_ids(user)
    warn = warn_workdays()
    rows = []
    for item in qs:
        active = item.status in domain.ACTIVE
        past = active and item.deadline is not None and today > item.deadline
        late = workdays_between(item.deadline, today) if past and item.deadline is not None else 0
        sign_late = item.status == ItemStatus.ASSIGNED and item.sign_due is not None and today > item.sign_due
        soon = (
            active
            and not past
            and item.deadline is not None
            and workdays_between(today, item.deadline) <= warn
        )
        if own is None or item.lead_unit_id in own:
            role = "lead" if own is not None else ""
        else:
            role = "co" if any(u.pk in own for u in item.co_units.all()) else ""
        rows.append(ItemRow(item, reports.item_light(item, today), past, late, sign_late, soon, role))
    return rows


# ----------------------------------------------------------------------------- the inbox

INBOX_TABS: tuple[tuple[str, Any], ...] = (
    ("to_sign", _("待签收")),
    ("in_progress", _("办理中")),
    ("due_soon", _("即将到期")),
    ("overdue", _("已逾期")),
    ("to_verify", _("待核验/销号")),
)
NOTIFICATIONS_SHOWN = 30


@dataclass
class Inbox:
    tab: str
    tabs: list[tuple[str, Any, int]]
    rows: list[ItemRow]
    notifications: list[Notification]
    unread: int
    today: dt.date


def _in_tab(tab: str, row: ItemRow) -> bool:
    status = row.item.status
    if tab == "to_sign":
        return status == ItemStatus.ASSIGNED
    if tab == "in_progress":
        return status in domain.WORKING
    if tab == "due_soon":
        return row.due_soon
    if tab == "overdue":
        return row.overdue
    return status in (ItemStatus.CLOSURE_REQUESTED, ItemStatus.VERIFIED)


def inbox(user: Any, tab: str | None, today: dt.date | None = None) -> Inbox:
    """My unit's open items by tab (lead and co-department), and my own and my unit's notifications."""
    require_reader(user)
    today = today or timezone.localdate()
    open_statuses = [*domain.ACTIVE, ItemStatus.CLOSURE_REQUESTED, ItemStatus.VERIFIED]
    qs = items().visible_to(user).filter(status__in=[str(s) for s in open_statuses])
    rows = item_rows(user, qs.order_by("deadline", "pk"), today)
    names = [name for name, _label in INBOX_TABS]
    tab = tab if tab in names else next((n for n in names if any(_in_tab(n, r) for r in rows)), names[0])
    tabs = [(name, label, sum(1 for r in rows if _in_tab(name, r))) for name, label in INBOX_TABS]
    notes = list(
        Notification.objects.inbox(user)
        .select_related("item", "recipient_unit")
        .order_by("read_at", "-created_at", "-pk")[:NOTIFICATIONS_SHOWN]
    )
    unread = Notification.objects.inbox(user).unread().count()
    return Inbox(tab, tabs, [r for r in rows if _in_tab(tab, r)], notes, unread, today)


def badge_count(user: Any) -> int:
    """The nav badge: items with an unread notice for me or my unit, or waiting for my unit to sign — one query.

    A fixed statement (it runs on every full page; see diaodu.core.rawrows): the notices are those of
    ``Notification.objects.inbox(user).unread()``, checked against it in the tests."""
    if not getattr(user, "is_authenticated", False):
        return 0
    using = router.db_for_read(Notification)
    unit_id = getattr(user, "org_unit_id", None)
    params: list[Any] = [user.pk, unit_id] if unit_id else [user.pk]
    if unit_id:
        params += [str(ItemStatus.ASSIGNED), unit_id]
    with connections[using].cursor() as cursor:
        cursor.execute(_badge_sql(using, bool(unit_id)), params)
        return int(cursor.fetchone()[0])


@functools.cache
def _badge_sql(using: str, with_unit: bool) -> str:
    qn = connections[using].ops.quote_name
    notices, items = qn(Notification._meta.db_table), qn(SupervisionItem._meta.db_table)
    mine = f"{qn('recipient_user_id')} = %s" + (f" OR {qn('recipient_unit_id')} = %s" if with_unit else "")
    unread = f"SELECT {qn('item_id')} FROM {notices} WHERE ({mine}) AND {qn('read_at')} IS NULL"  # noqa: S608
    if not with_unit:
        return f"SELECT COUNT(*) FROM (SELECT DISTINCT {qn('item_id')} FROM ({unread}) u) t"  # noqa: S608
    to_sign = f"SELECT {qn('id')} FROM {items} WHERE {qn('status')} = %s AND {qn('lead_unit_id')} = %s"  # noqa: S608
    return f"SELECT COUNT(*) FROM ({unread} UNION {to_sign}) t"  # noqa: S608


# ----------------------------------------------------------------------------- the board

BOARD_COLUMNS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("registered", _("已登记待交办"), (ItemStatus.REGISTERED,)),
    ("assigned", _("已交办待签收"), (ItemStatus.ASSIGNED,)),
    ("working", _("办理中"), (ItemStatus.SIGNED, ItemStatus.IN_PROGRESS, ItemStatus.RETURNED)),
    ("closure_requested", _("申请办结"), (ItemStatus.CLOSURE_REQUESTED,)),
    ("verified", _("已核验待销号"), (ItemStatus.VERIFIED,)),
    ("closed", _("已办结"), (ItemStatus.CLOSED,)),
)
CLOSED_SHOWN = 20


@dataclass
class Column:
    key: str
    label: Any
    rows: list[ItemRow] = field(default_factory=list)
    more: int = 0  # closed items not shown


@dataclass
class Board:
    columns: list[Column]
    units: list[OrgUnit]
    unit: OrgUnit | None
    light: str
    today: dt.date

    @property
    def total(self) -> int:
        return sum(len(c.rows) + c.more for c in self.columns)


def _unit_filter(user: Any, code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = OrgUnit.objects.visible_to(user).internal().filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def filter_units(user: Any) -> list[OrgUnit]:
    """Units that lead or co-own a visible item (the board's unit select)."""
    visible = SupervisionItem.objects.visible_to(user)
    through = SupervisionItem.co_units.through
    return list(
        OrgUnit.objects.filter(
            Q(pk__in=visible.values("lead_unit_id"))
            | Q(
                pk__in=through.objects.filter(supervisionitem_id__in=visible.values("pk")).values(
                    "orgunit_id"
                )
            )
        ).order_by("sort_order")
    )


def board(user: Any, *, unit_code: str | None, light: str | None, today: dt.date | None = None) -> Board:
    require_reader(user)
    today = today or timezone.localdate()
    unit = _unit_filter(user, unit_code)
    qs = items().visible_to(user)
    if unit is not None:
        qs = qs.involving(unit.pk)
    open_rows = item_rows(user, qs.exclude(status=ItemStatus.CLOSED).order_by("deadline", "pk"), today)
    closed_qs = qs.filter(status=ItemStatus.CLOSED).order_by("-closed_on", "-pk")
    closed_total = closed_qs.count()
    closed_rows = item_rows(user, closed_qs[:CLOSED_SHOWN], today)
    light = light if light in {str(x) for x in domain.Light} else ""
    columns = []
    for key, label, statuses in BOARD_COLUMNS:
        source = closed_rows if key == "closed" else open_rows
        col = Column(key, label, [r for r in source if r.item.status in statuses])
        if light:
            col.rows = [r for r in col.rows if r.light == light]
        if key == "closed" and not light:
            col.more = max(0, closed_total - len(col.rows))
        columns.append(col)
    return Board(columns, filter_units(user), unit, light, today)


# ----------------------------------------------------------------------------- overdue (for leaders)


def overdue(user: Any, *, unit_code: str | None = None, today: dt.date | None = None) -> list[ItemRow]:
    """Open items past their deadline or unsigned past the sign-for deadline, the longest overdue first."""
    require_reader(user)
    today = today or timezone.localdate()
    unit = _unit_filter(user, unit_code)
    qs = (
        items()
        .visible_to(user)
        .open()
        .filter(Q(deadline__lt=today) | Q(status=ItemStatus.ASSIGNED, sign_due__lt=today))
    )
    if unit is not None:
        qs = qs.involving(unit.pk)
    rows = item_rows(user, qs.order_by("deadline", "pk"), today)
    return sorted(rows, key=lambda r: (not r.past_deadline, -r.overdue_days, r.item.pk))


# ----------------------------------------------------------------------------- the item page


@dataclass
class ItemPage:
    row: ItemRow
    events: list[ItemEvent]
    actions: list[str]
    blocker: Any
    today: dt.date

    @property
    def item(self) -> SupervisionItem:
        return self.row.item


def item_page(user: Any, pk: int, today: dt.date | None = None) -> ItemPage:
    item_for(user, pk)
    today = today or timezone.localdate()
    item = (
        items()
        .select_related("key_task", "blocker__project", "blocker__department", "created_by", "leader_user")
        .get(pk=pk)
    )
    events = list(
        ItemEvent.objects.filter(item=item)
        .select_related("org_unit")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    row = item_rows(user, [item], today)[0]
    return ItemPage(row, events, permitted_actions(user, item), item.blocker, today)


# ----------------------------------------------------------------------------- key tasks


@dataclass
class TaskList:
    plans: list[Plan]
    plan: Plan | None
    entries: list[tuple[reports.TaskRow, list[SupervisionItem]]]  # each task with its items
    as_of: dt.date
    counts: list[tuple[str, int]]


def key_tasks(user: Any, *, plan_code: str | None, as_of: dt.date | None = None) -> TaskList:
    require_reader(user)
    as_of = as_of or timezone.localdate()
    visible = KeyTask.objects.visible_to(user)
    plans = list(Plan.objects.filter(pk__in=visible.values("plan_id")).order_by("-year", "code"))
    if plan_code:
        plan = next((p for p in plans if p.code == plan_code), None)
        if plan is None:
            raise Http404
    else:
        plan = next((p for p in plans if p.year == as_of.year), plans[0] if plans else None)
    if plan is None:
        return TaskList(plans, None, [], as_of, [])
    rows = reports.key_task_rows(visible.filter(plan=plan), as_of=as_of)
    by_task: dict[int, list[SupervisionItem]] = {}
    for it in SupervisionItem.objects.visible_to(user).filter(key_task__plan=plan).order_by("pk"):
        if it.key_task_id is not None:
            by_task.setdefault(it.key_task_id, []).append(it)
    counts = [(str(light), sum(1 for r in rows if r.light == light)) for light in domain.Light]
    return TaskList(plans, plan, [(r, by_task.get(r.task.pk, [])) for r in rows], as_of, counts)


# ----------------------------------------------------------------------------- project blockers


def open_blockers(user: Any) -> list[Any]:
    """Blockers of monthly dispatch reports not yet routed to a department (the office's work list)."""
    from diaodu.projects.models import Blocker, BlockerStatus

    require_office(user)
    return list(
        Blocker.objects.visible_to(user)
        .filter(status=BlockerStatus.OPEN)
        .select_related("project__org_unit", "department", "report")
        .order_by("-report__year", "-report__month", "project__name", "pk")
    )


def blocker_for(user: Any, pk: int) -> Any:
    from diaodu.projects.models import Blocker

    require_office(user)
    return get_for_user(Blocker.objects.select_related("project__org_unit", "department", "report"), user, pk)
