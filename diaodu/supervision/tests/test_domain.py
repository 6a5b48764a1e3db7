"""Pure supervision rules: no database. Dates are chosen around 2025's 春节 (1月28日–2月4日 off, 1月26日 and
2月8日 worked) and 国庆 (10月1日–8日 off, 9月28日 and 10月11日 worked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from diaodu.supervision import domain
from diaodu.supervision.domain import Action, Audience, ItemClock, Light, NoticeKind, Policy, Status

D = dt.date


# ----------------------------------------------------------------------------- state machine


def test_it_walks_the_happy_path() -> None:
    status = Status.REGISTERED
    for action, expected in [
        (Action.ASSIGN, Status.ASSIGNED),
        (Action.SIGN, Status.SIGNED),
        (Action.REPLY, Status.IN_PROGRESS),
        (Action.REPLY, Status.IN_PROGRESS),
        (Action.REQUEST_CLOSURE, Status.CLOSURE_REQUESTED),
        (Action.VERIFY, Status.VERIFIED),
        (Action.CLOSE, Status.CLOSED),
    ]:
        status = domain.next_status(status, action)
        assert status == expected


@pytest.mark.parametrize("start", [Status.CLOSURE_REQUESTED, Status.VERIFIED])
def test_it_returns_for_more_work_and_resumes(start: Status) -> None:
    returned = domain.next_status(start, Action.RETURN)
    assert returned == Status.RETURNED
    assert domain.next_status(returned, Action.REPLY) == Status.IN_PROGRESS
    assert domain.next_status(returned, Action.REQUEST_CLOSURE) == Status.CLOSURE_REQUESTED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.REGISTERED, Action.SIGN),
        (Status.ASSIGNED, Action.REPLY),
        (Status.SIGNED, Action.ASSIGN),
        (Status.IN_PROGRESS, Action.VERIFY),
        (Status.IN_PROGRESS, Action.CLOSE),
        (Status.CLOSURE_REQUESTED, Action.CLOSE),
        (Status.CLOSED, Action.RETURN),
        (Status.CLOSED, Action.REPLY),
    ],
)
def test_it_refuses_steps_out_of_order(status: Status, action: Action) -> None:
    with pytest.raises(domain.TransitionError):
        domain.next_status(status, action)


def test_allowed_actions() -> None:
    assert domain.allowed_actions(Status.ASSIGNED) == [Action.ASSIGN, Action.SIGN]
    assert domain.allowed_actions(Status.CLOSED) == []


def test_model_choices_match_the_domain() -> None:
    from diaodu.supervision.models import ItemStatus

    assert set(ItemStatus.values) == {s.value for s in Status}


# ----------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("assigned", "expected"),
    [
        (D(2025, 9, 30), D(2025, 10, 11)),  # across 国庆: 9, 10 Oct, then the adjusted Saturday
        (D(2025, 9, 26), D(2025, 9, 30)),  # Friday: the adjusted Sunday 28 Sep, 29, 30 Sep
        (D(2025, 1, 27), D(2025, 2, 7)),  # across 春节
        (D(2025, 1, 24), D(2025, 2, 5)),  # Friday: the adjusted Sunday 26 Jan, 27 Jan, then 5 Feb after 春节
        (D(2025, 6, 3), D(2025, 6, 6)),  # an ordinary week
    ],
)
def test_sign_due_counts_chinese_working_days(assigned: dt.date, expected: dt.date) -> None:
    assert domain.sign_due(assigned, 3) == expected


# ----------------------------------------------------------------------------- lights


@pytest.mark.parametrize(
    ("as_of", "completed", "expected"),
    [
        (D(2025, 6, 1), None, Light.GREEN),  # weeks ahead
        (D(2025, 6, 25), None, Light.YELLOW),  # 3 working days left (26, 27, 30)
        (D(2025, 6, 24), None, Light.GREEN),  # 4 working days left
        (D(2025, 6, 30), None, Light.YELLOW),  # due today
        (D(2025, 7, 1), None, Light.RED),  # overdue
        (D(2025, 7, 1), D(2025, 6, 20), Light.GREEN),  # done on time
        (D(2025, 7, 10), D(2025, 7, 8), Light.YELLOW),  # late but since completed
        (D(2025, 7, 5), D(2025, 7, 8), Light.RED),  # completion after as_of does not count yet
    ],
)
def test_deadline_light(as_of: dt.date, completed: dt.date | None, expected: Light) -> None:
    assert (
        domain.deadline_light(D(2025, 6, 30), as_of=as_of, completed_on=completed, warn_workdays=3)
        == expected
    )


def test_yellow_window_counts_working_days_across_a_holiday() -> None:
    # Deadline 9 Oct: on 30 Sep there are 2 working days left (8 Oct is a holiday) → yellow, not green.
    assert domain.deadline_light(D(2025, 10, 9), as_of=D(2025, 9, 30), warn_workdays=2) == Light.YELLOW
    assert domain.deadline_light(D(2025, 10, 9), as_of=D(2025, 9, 26), warn_workdays=2) == Light.GREEN


def test_task_light_takes_the_worst_milestone() -> None:
    missed = domain.MilestoneFacts(D(2025, 3, 31))
    made_up = domain.MilestoneFacts(D(2025, 3, 31), done_on=D(2025, 4, 15))
    on_time = domain.MilestoneFacts(D(2025, 3, 31), done_on=D(2025, 3, 20))
    as_of, deadline = D(2025, 5, 1), D(2025, 6, 30)
    assert domain.task_light(deadline, as_of=as_of, milestones=[on_time]) == Light.GREEN
    assert domain.task_light(deadline, as_of=as_of, milestones=[made_up]) == Light.YELLOW
    assert domain.task_light(deadline, as_of=as_of, milestones=[on_time, missed]) == Light.RED
    # finished on time: the final deadline decides
    assert (
        domain.task_light(deadline, as_of=as_of, completed_on=D(2025, 4, 30), milestones=[missed])
        == Light.GREEN
    )


def test_item_light_is_red_while_unsigned_after_the_sign_due_date() -> None:
    common: dict[str, Any] = {"deadline": D(2025, 12, 31), "sign_due": D(2025, 10, 11), "completed_on": None}
    assert (
        domain.item_light(status="assigned", as_of=D(2025, 10, 11), signed_on=None, **common) == Light.GREEN
    )
    assert domain.item_light(status="assigned", as_of=D(2025, 10, 13), signed_on=None, **common) == Light.RED
    assert (
        domain.item_light(status="signed", as_of=D(2025, 10, 13), signed_on=D(2025, 10, 13), **common)
        == Light.GREEN
    )
    assert (
        domain.item_light(status="registered", as_of=D(2026, 1, 5), signed_on=None, **common) == Light.GREEN
    )


# ----------------------------------------------------------------------------- reminders and escalation


OCT_10, SEP_3, SEP_2 = D(2025, 10, 10), D(2025, 9, 3), D(2025, 9, 2)


def clock(
    status: str = "in_progress",
    *,
    deadline: dt.date | None = OCT_10,
    sign_due: dt.date | None = SEP_3,
    signed_on: dt.date | None = SEP_2,
) -> ItemClock:
    return ItemClock(7, status, deadline, sign_due, signed_on)


def kinds(notices: list[domain.Notice]) -> list[tuple[str, int]]:
    return [(n.kind, n.level) for n in notices]


def test_no_notice_while_far_from_the_deadline() -> None:
    assert domain.due_notices(clock(), D(2025, 9, 15)) == []


def test_deadline_reminder_within_the_window_across_national_day() -> None:
    # Deadline Fri 10 Oct; on 30 Sep only 9 and 10 Oct are working days left (1–8 Oct off).
    notices = domain.due_notices(clock(), D(2025, 9, 30), Policy(remind_workdays=3))
    assert kinds(notices) == [(NoticeKind.DEADLINE_REMINDER, 0)]
    assert notices[0].key == "remind:7:2025-10-10"
    assert notices[0].audience == (Audience.LEAD_UNIT, Audience.CO_UNITS)
    assert notices[0].days == 2
    # 26 Sep: 28, 29, 30 Sep, 9, 10 Oct = 5 working days → not yet
    assert domain.due_notices(clock(), D(2025, 9, 26), Policy(remind_workdays=3)) == []


def test_sign_reminder_then_sign_overdue() -> None:
    c = clock("assigned", sign_due=D(2025, 10, 11), signed_on=None, deadline=D(2025, 12, 31))
    assert domain.due_notices(c, D(2025, 9, 30)) == []  # 2 working days left
    assert kinds(domain.due_notices(c, D(2025, 10, 10))) == [(NoticeKind.SIGN_REMINDER, 0)]
    overdue = domain.due_notices(c, D(2025, 10, 13))
    assert kinds(overdue) == [(NoticeKind.SIGN_OVERDUE, 0)]
    assert overdue[0].audience == (Audience.LEAD_UNIT, Audience.OFFICE)


def test_escalation_levels_follow_working_days_overdue() -> None:
    policy = Policy(escalation_steps=(0, 5, 10))
    c = clock(deadline=D(2025, 9, 26))  # Friday before 国庆
    first = domain.due_notices(c, D(2025, 9, 27), policy)  # Saturday, 0 working days late
    assert kinds(first) == [(NoticeKind.OVERDUE, 1)]
    assert set(first[0].audience) == {Audience.LEAD_UNIT, Audience.OFFICE, Audience.LEADER}
    # 28, 29, 30 Sep, 9 Oct = 4 working days late: still level 1; 10 Oct = 5 → level 2
    assert kinds(domain.due_notices(c, D(2025, 10, 9), policy)) == [(NoticeKind.OVERDUE, 1)]
    second = domain.due_notices(c, D(2025, 10, 10), policy)
    assert kinds(second) == [(NoticeKind.OVERDUE, 2)]
    assert second[0].key == "overdue:7:2025-09-26:L2"


def test_extending_the_deadline_starts_a_new_cycle() -> None:
    old = domain.due_notices(clock(deadline=D(2025, 9, 26)), D(2025, 9, 29))[0].key
    new = domain.due_notices(clock(deadline=D(2025, 10, 10)), D(2025, 10, 9))[0].key
    assert old != new


@pytest.mark.parametrize("status", ["registered", "closure_requested", "verified", "closed"])
def test_no_notice_when_the_department_owes_nothing(status: str) -> None:
    assert domain.due_notices(clock(status, deadline=D(2025, 1, 2)), D(2025, 6, 1)) == []


def test_retry_delay_backs_off_and_caps() -> None:
    assert [domain.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert domain.retry_delay(20).total_seconds() == 3600


# ----------------------------------------------------------------------------- timeliness


def test_timeliness_per_department() -> None:
    start, end = D(2025, 1, 1), D(2025, 6, 30)
    facts = [
        # 自然资源和规划局: signed in 1 working day, closed on time
        domain.ItemFacts(
            "自然资源和规划局", D(2025, 3, 3), D(2025, 3, 6), D(2025, 3, 4), D(2025, 4, 30), D(2025, 4, 28)
        ),
        # signed late (5 working days), finished late, returned once in May
        domain.ItemFacts(
            "自然资源和规划局",
            D(2025, 3, 3),
            D(2025, 3, 6),
            D(2025, 3, 10),
            D(2025, 5, 30),
            D(2025, 6, 10),
            returned_on=(D(2025, 5, 20),),
        ),
        # still open and overdue at the end of June
        domain.ItemFacts("生态环境局", D(2025, 4, 1), D(2025, 4, 4), D(2025, 4, 2), D(2025, 6, 15), None),
        # not yet due: does not count against on-time closure
        domain.ItemFacts("生态环境局", D(2025, 6, 2), D(2025, 6, 5), None, D(2025, 9, 30), None),
        # assigned outside the period: ignored
        domain.ItemFacts("生态环境局", D(2024, 12, 2), D(2024, 12, 5), None, D(2025, 1, 30), None),
    ]
    result = domain.timeliness(facts, start=start, end=end)
    zr, st = result["自然资源和规划局"], result["生态环境局"]
    assert (
        zr.assigned,
        zr.signed,
        zr.signed_on_time,
        zr.due,
        zr.completed_on_time,
        zr.overdue,
        zr.reopened,
    ) == (2, 2, 1, 2, 1, 0, 1)
    assert zr.avg_sign_workdays == Decimal("3.0")  # (1 + 5) / 2
    assert zr.sign_on_time_pct == Decimal("50.0")
    assert zr.on_time_closure_pct == Decimal("50.0")
    assert (st.assigned, st.signed, st.due, st.overdue, st.completed_on_time) == (2, 1, 1, 1, 0)
    assert st.on_time_closure_pct == Decimal("0.0")
    assert domain.timeliness([], start=start, end=end) == {}
