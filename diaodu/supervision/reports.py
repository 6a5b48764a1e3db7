"""Reads shared by the CLI, the API and the pages: key tasks with their light, items with theirs, timeliness.

Every figure comes from :mod:`diaodu.supervision.domain`, so a light or a rate has one definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from diaodu.plans.models import PLAN_TEXT
from diaodu.supervision import domain
from diaodu.supervision.models import EventAction, ItemEvent, KeyTask, Milestone, SupervisionItem, TaskStatus
from diaodu.supervision.services import warn_workdays


@dataclass(frozen=True)
class TaskRow:
    task: KeyTask
    owner_units: list[str]  # lead first, then the co-owners in org-unit order
    status: str  # as of the date asked for
    light: domain.Light


def task_status_as_of(task: KeyTask, as_of: dt.date) -> str:
    """A task finished after ``as_of`` was still in progress on that day."""
    if task.status == TaskStatus.DONE and (task.completed_on is None or task.completed_on > as_of):
        return TaskStatus.IN_PROGRESS
    return task.status


def key_task_rows(tasks: QuerySet[KeyTask], *, as_of: dt.date) -> list[TaskRow]:
    tasks = (
        tasks.select_related("owner", "plan")
        .defer(PLAN_TEXT)
        .prefetch_related(
            "co_owners", Prefetch("milestones", queryset=Milestone.objects.order_by("sort_order", "pk"))
        )
        .order_by("plan__year", "plan__code", "sort_order", "pk")
    )
    warn = warn_workdays()
    rows = []
    for t in tasks:
        done_on = t.completed_on if t.status == TaskStatus.DONE else None
        light = domain.task_light(
            t.deadline,
            as_of=as_of,
            completed_on=done_on,
            warn_workdays=warn,
            milestones=[domain.MilestoneFacts(m.due, m.done_on) for m in t.milestones.all()],
        )
        co = sorted(t.co_owners.all(), key=lambda u: u.path)
        rows.append(TaskRow(t, [t.owner.name, *(u.name for u in co)], task_status_as_of(t, as_of), light))
    return rows


def red_task_q(as_of: dt.date) -> Q:
    """:func:`key_task_rows`' red light (:func:`domain.task_light`) as a filter: not finished by ``as_of`` (a
    task counts as finished on its ``completed_on`` only when done) and past its deadline or one of its
    milestones' (a milestone is late when due before ``as_of`` and not done by then)."""
    late_milestone = Exists(
        Milestone.objects.filter(task=OuterRef("pk"), due__lt=as_of).filter(
            Q(done_on__isnull=True) | Q(done_on__gt=as_of)
        )
    )
    not_finished = ~Q(status=TaskStatus.DONE) | Q(completed_on__isnull=True) | Q(completed_on__gt=as_of)
    return not_finished & (Q(deadline__lt=as_of) | Q(late_milestone))


def red_task_sql(alias: str) -> str:
    """:func:`red_task_q` written out in SQL over a key task aliased ``alias`` (``%(on)s``: the day asked for),
    for statements that read the red tasks by hand (the cockpit's behind list of a whole subtree): not finished
    by then (not done with a completion date on or before it) and past its deadline or a late milestone's due
    date. ``test_red_tasks.py`` checks it against the filter and the lights."""
    k = alias
    return (
        f"NOT ({k}.status = '{TaskStatus.DONE}' AND {k}.completed_on IS NOT NULL AND {k}.completed_on <= %(on)s)"  # noqa: S608 - constants
        f" AND ({k}.deadline < %(on)s OR EXISTS (SELECT 1 FROM supervision_milestone ms WHERE ms.task_id = {k}.id"
        " AND ms.due < %(on)s AND (ms.done_on IS NULL OR ms.done_on > %(on)s)))"
    )


class RedTask(NamedTuple):
    title: str
    owner_code: str
    owner_short: str  # OrgUnit.display_short
    deadline: dt.date


def red_task_rows(tasks: QuerySet[KeyTask], *, as_of: dt.date) -> list[RedTask]:
    """The tasks whose light is red on ``as_of``, in :func:`key_task_rows`' order, filtered in SQL and read as
    plain rows (the cockpit's behind list: usually none, so no instances, owners or milestones to load)."""
    rows = (
        tasks.filter(red_task_q(as_of))
        .order_by("plan__year", "plan__code", "sort_order", "pk")
        .values_list("title", "owner__code", "owner__short_name", "owner__name", "deadline")
    )
    return [RedTask(title, code, short or name, deadline) for title, code, short, name, deadline in rows]


def item_light(item: SupervisionItem, as_of: dt.date) -> domain.Light:
    return domain.item_light(
        status=item.status,
        as_of=as_of,
        deadline=item.deadline,
        sign_due=item.sign_due,
        signed_on=item.signed_on,
        completed_on=item.completed_on,
        warn_workdays=warn_workdays(),
    )


def is_overdue(item: SupervisionItem, as_of: dt.date) -> bool:
    return item.status in domain.ACTIVE and item.deadline is not None and as_of > item.deadline


def overdue_q(as_of: dt.date) -> Q:
    """:func:`is_overdue` as a filter (a NULL deadline never matches ``deadline < as_of``)."""
    return Q(status__in=sorted(str(s) for s in domain.ACTIVE), deadline__lt=as_of)


def overdue_sql(alias: str) -> str:
    """:func:`overdue_q` written out in SQL over an item aliased ``alias`` (``%(on)s``: the day asked for; the
    active statuses are constants)."""
    active = ", ".join(f"'{s}'" for s in sorted(str(s) for s in domain.ACTIVE))
    return f"{alias}.status IN ({active}) AND {alias}.deadline < %(on)s"


def timeliness(items: Iterable[SupervisionItem], *, start: dt.date, end: dt.date) -> list[domain.Timeliness]:
    """Department timeliness over the items assigned in [start, end] (items must have ``lead_unit`` loaded)."""
    items = [i for i in items if i.lead_unit_id and i.assigned_on]
    returns: dict[int, list[dt.date]] = {}
    for item_id, at in ItemEvent.objects.filter(
        item__in=[i.pk for i in items], action=EventAction.RETURN
    ).values_list("item_id", "created_at"):
        returns.setdefault(item_id, []).append(timezone.localdate(at))
    facts = [
        domain.ItemFacts(
            unit=i.lead_unit.name if i.lead_unit else "",
            assigned_on=i.assigned_on,
            sign_due=i.sign_due,
            signed_on=i.signed_on,
            deadline=i.deadline,
            completed_on=i.completed_on,
            returned_on=tuple(returns.get(i.pk, ())),
        )
        for i in items
        if i.assigned_on is not None
    ]
    return sorted(domain.timeliness(facts, start=start, end=end).values(), key=lambda t: t.unit)
