"""``red_task_rows`` (the cockpit's red key tasks, filtered in SQL) against ``key_task_rows``' lights."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from diaodu.supervision.models import KeyTask, Milestone, TaskStatus
from diaodu.supervision.reports import key_task_rows, red_task_q, red_task_rows, red_task_sql

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
D = dt.date


@pytest.fixture
def tasks(orgunits):  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(REPO / "plans" / "guanyun-2025.yaml"), stdout=io.StringIO())
    tasks = list(KeyTask.objects.order_by("pk"))
    assert len(tasks) >= 12
    # statuses, completion dates, deadlines and milestones in cycles of coprime lengths (3, 4, 5, 7), so that
    # many combinations meet around the days asked for below
    statuses = itertools.cycle([TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.DONE])
    completed = itertools.cycle([None, D(2025, 5, 10), D(2025, 6, 30), D(2025, 8, 1)])
    deadlines = itertools.cycle(
        [D(2025, 3, 31), D(2025, 6, 30), D(2025, 7, 1), D(2025, 12, 31), D(2025, 5, 10)]
    )
    milestones: Iterator[list[tuple[dt.date, dt.date | None]]] = itertools.cycle(
        [[], [(D(2025, 4, 30), None)], [(D(2025, 4, 30), D(2025, 5, 20)), (D(2025, 10, 31), None)],
         [(D(2025, 6, 29), D(2025, 6, 29))], [(D(2025, 2, 28), D(2025, 7, 15))], [(D(2025, 6, 30), None)],
         [(D(2025, 5, 10), D(2025, 5, 11)), (D(2025, 8, 1), D(2025, 8, 1))]]
    )  # fmt: skip
    Milestone.objects.filter(task__in=tasks).delete()
    for t, status, done, deadline, ms in zip(tasks, statuses, completed, deadlines, milestones, strict=False):
        t.status, t.completed_on, t.deadline = status, done, deadline
        t.save(update_fields=["status", "completed_on", "deadline"])
        for i, (due, done_on) in enumerate(ms):
            Milestone.objects.create(task=t, title=f"节点{i}", due=due, done_on=done_on, sort_order=i)
    return tasks


def test_red_task_rows_are_key_task_rows_red(tasks) -> None:  # type: ignore[no-untyped-def]
    days = {t.deadline for t in tasks} | {t.completed_on for t in tasks if t.completed_on}
    days |= {d for m in Milestone.objects.all() for d in (m.due, m.done_on) if d}
    n_red = set()
    for as_of in sorted({d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)}):
        expected = [
            (r.task.title, r.task.owner.code, r.task.owner.display_short, r.task.deadline)
            for r in key_task_rows(KeyTask.objects.all(), as_of=as_of)
            if r.light == "red"
        ]
        got = [tuple(r) for r in red_task_rows(KeyTask.objects.all(), as_of=as_of)]
        assert got == expected, as_of
        n_red.add(len(expected))
    assert len(n_red) > 5 and max(n_red) < len(tasks)  # some red, not all: the comparison means something


def test_red_task_sql_is_the_filter(tasks) -> None:  # type: ignore[no-untyped-def]
    """The red light written out in SQL (the cockpit's whole-subtree statement) picks the tasks the filter picks."""
    from django.db import connection

    days = {t.deadline for t in tasks} | {t.completed_on for t in tasks if t.completed_on}
    days |= {d for m in Milestone.objects.all() for d in (m.due, m.done_on) if d}
    sql = f"SELECT k.id FROM supervision_keytask k WHERE {red_task_sql('k')} ORDER BY k.id"  # noqa: S608 - constants
    n_red = set()
    for as_of in sorted({d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)}):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"on": as_of})
            got = [pk for (pk,) in cursor.fetchall()]
        assert got == list(
            KeyTask.objects.filter(red_task_q(as_of)).order_by("pk").values_list("pk", flat=True)
        )
        n_red.add(len(got))
    assert len(n_red) > 5 and max(n_red) < len(tasks)
