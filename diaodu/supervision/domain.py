"""Supervision rules as plain functions over plain values (no ORM): the 督办 state machine, traffic lights,
reminder and escalation timing, retry back-off and department timeliness.

Every date is a local calendar date (Asia/Shanghai); working days come from :mod:`diaodu.core.workdays`
(State Council holidays and adjusted working weekends), so "3个工作日内签收" is right across 春节 and 国庆.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from diaodu.core.workdays import add_workdays, workdays_between

# ----------------------------------------------------------------------------- the 督办 state machine


class Status(StrEnum):
    REGISTERED = "registered"  # 已登记
    ASSIGNED = "assigned"  # 已交办 (lead + co-departments, deadline) — waiting to be signed for
    SIGNED = "signed"  # 已签收
    IN_PROGRESS = "in_progress"  # 办理中 (progress replies)
    CLOSURE_REQUESTED = "closure_requested"  # 申请办结
    VERIFIED = "verified"  # 已核验 (the supervision office checked the evidence)
    CLOSED = "closed"  # 已办结（销号）
    RETURNED = "returned"  # 退回重办


class Action(StrEnum):
    ASSIGN = "assign"
    SIGN = "sign"
    REPLY = "reply"
    REQUEST_CLOSURE = "request_closure"
    VERIFY = "verify"
    RETURN = "return"
    CLOSE = "close"


WORKING = frozenset({Status.SIGNED, Status.IN_PROGRESS, Status.RETURNED})
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    # re-assigning (other department, new deadline) is allowed until the item is signed for
    Action.ASSIGN: (frozenset({Status.REGISTERED, Status.ASSIGNED}), Status.ASSIGNED),
    Action.SIGN: (frozenset({Status.ASSIGNED}), Status.SIGNED),
    Action.REPLY: (WORKING, Status.IN_PROGRESS),
    Action.REQUEST_CLOSURE: (WORKING, Status.CLOSURE_REQUESTED),
    Action.VERIFY: (frozenset({Status.CLOSURE_REQUESTED}), Status.VERIFIED),
    Action.RETURN: (frozenset({Status.CLOSURE_REQUESTED, Status.VERIFIED}), Status.RETURNED),
    Action.CLOSE: (frozenset({Status.VERIFIED}), Status.CLOSED),
}
# Statuses in which the department still owes work: reminders and escalations apply.
ACTIVE = frozenset({Status.ASSIGNED, *WORKING})
# Statuses in which the department has finished (its completion date is the closure request).
FINISHED = frozenset({Status.CLOSURE_REQUESTED, Status.VERIFIED, Status.CLOSED})


class TransitionError(ValueError):
    def __init__(self, current: str, action: str) -> None:
        self.current, self.action = current, action
        super().__init__(f"cannot {action} from {current}")


def next_status(current: str, action: Action | str) -> Status:
    allowed, target = TRANSITIONS[Action(action)]
    if Status(current) not in allowed:
        raise TransitionError(current, str(action))
    return target


def allowed_actions(current: str) -> list[Action]:
    return [a for a, (allowed, _to) in TRANSITIONS.items() if Status(current) in allowed]


def sign_due(assigned_on: dt.date, workdays: int) -> dt.date:
    """Last day to sign for an item assigned on ``assigned_on`` ("N个工作日内签收")."""
    return add_workdays(assigned_on, workdays)


# ----------------------------------------------------------------------------- traffic lights


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


_RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


def worst(lights: Iterable[Light]) -> Light:
    return max(lights, key=_RANK.__getitem__, default=Light.GREEN)


def deadline_light(
    deadline: dt.date | None, *, as_of: dt.date, completed_on: dt.date | None = None, warn_workdays: int = 3
) -> Light:
    """Green on track; yellow within ``warn_workdays`` working days of the deadline, or late but since completed;
    red overdue. Completion after ``as_of`` does not count yet (the light is the one seen on ``as_of``)."""
    if completed_on is not None and completed_on <= as_of:
        return Light.GREEN if deadline is None or completed_on <= deadline else Light.YELLOW
    if deadline is None:
        return Light.GREEN
    if as_of > deadline:
        return Light.RED
    return Light.YELLOW if workdays_between(as_of, deadline) <= warn_workdays else Light.GREEN


@dataclass(frozen=True)
class MilestoneFacts:
    due: dt.date
    done_on: dt.date | None = None


def task_light(
    deadline: dt.date,
    *,
    as_of: dt.date,
    completed_on: dt.date | None = None,
    milestones: Iterable[MilestoneFacts] = (),
    warn_workdays: int = 3,
) -> Light:
    """A key task's light: the worst of its deadline and its milestones (a missed milestone is a missed period)."""
    own = deadline_light(deadline, as_of=as_of, completed_on=completed_on, warn_workdays=warn_workdays)
    if completed_on is not None and completed_on <= as_of:
        return own  # finished: judged on the final deadline only
    return worst(
        [
            own,
            *(
                deadline_light(m.due, as_of=as_of, completed_on=m.done_on, warn_workdays=warn_workdays)
                for m in milestones
            ),
        ]
    )


def item_light(
    *,
    status: str,
    as_of: dt.date,
    deadline: dt.date | None,
    sign_due: dt.date | None,
    signed_on: dt.date | None,
    completed_on: dt.date | None,
    warn_workdays: int = 3,
) -> Light:
    """A supervision item's light: its deadline, and red while it sits unsigned after the sign-for deadline."""
    if status == Status.REGISTERED:
        return Light.GREEN
    light = deadline_light(deadline, as_of=as_of, completed_on=completed_on, warn_workdays=warn_workdays)
    if signed_on is None and sign_due is not None and status == Status.ASSIGNED and as_of > sign_due:
        light = Light.RED
    return light


# ----------------------------------------------------------------------------- reminders and escalation


class Audience(StrEnum):
    LEAD_UNIT = "lead_unit"
    CO_UNITS = "co_units"
    OFFICE = "office"  # 督查室
    LEADER = "leader"  # the leader in charge


class NoticeKind(StrEnum):
    SIGN_REMINDER = "sign_reminder"  # 签收提醒 (last working day to sign for)
    SIGN_OVERDUE = "sign_overdue"  # 签收超期
    DEADLINE_REMINDER = "deadline_reminder"  # 到期提醒
    OVERDUE = "overdue"  # 逾期升级 (level 1, 2, 3 …)


@dataclass(frozen=True)
class Policy:
    remind_workdays: int = 3  # remind this many working days (or fewer) before the deadline
    escalation_steps: tuple[int, ...] = (0, 5, 10)  # working days overdue at which level 1, 2, 3 fire


@dataclass(frozen=True)
class ItemClock:
    item_id: int
    status: str
    deadline: dt.date | None
    sign_due: dt.date | None
    signed_on: dt.date | None


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    key: str  # unique per (item, kind, deadline, level): the ledger refuses a second send
    audience: tuple[Audience, ...]
    level: int = 0
    days: int = 0  # working days left (reminders) or overdue (escalations)


def due_notices(clock: ItemClock, today: dt.date, policy: Policy = Policy()) -> list[Notice]:
    """The reminders and escalations an item calls for on ``today``.

    Keys carry the deadline they refer to, so extending a deadline starts a fresh cycle; escalation returns only
    the highest level reached (after a worker outage the county gets one current notice, not a backlog).
    """
    if clock.status not in ACTIVE:
        return []
    out: list[Notice] = []
    i = clock.item_id
    if clock.status == Status.ASSIGNED and clock.signed_on is None and clock.sign_due is not None:
        if today > clock.sign_due:
            out.append(
                Notice(
                    NoticeKind.SIGN_OVERDUE,
                    f"sign-overdue:{i}:{clock.sign_due}",
                    (Audience.LEAD_UNIT, Audience.OFFICE),
                    days=workdays_between(clock.sign_due, today),
                )
            )
        elif workdays_between(today, clock.sign_due) <= 1:
            out.append(
                Notice(
                    NoticeKind.SIGN_REMINDER,
                    f"sign-remind:{i}:{clock.sign_due}",
                    (Audience.LEAD_UNIT,),
                    days=workdays_between(today, clock.sign_due),
                )
            )
    if clock.deadline is None:
        return out
    if today <= clock.deadline:
        left = workdays_between(today, clock.deadline)
        if left <= policy.remind_workdays:
            out.append(
                Notice(
                    NoticeKind.DEADLINE_REMINDER,
                    f"remind:{i}:{clock.deadline}",
                    (Audience.LEAD_UNIT, Audience.CO_UNITS),
                    days=left,
                )
            )
        return out
    late = workdays_between(clock.deadline, today)
    level = sum(1 for step in policy.escalation_steps if late >= step)
    if level:
        out.append(
            Notice(
                NoticeKind.OVERDUE,
                f"overdue:{i}:{clock.deadline}:L{level}",
                (Audience.LEAD_UNIT, Audience.OFFICE, Audience.LEADER),
                level=level,
                days=late,
            )
        )
    return out


def retry_delay(attempt: int, *, base_seconds: int = 30, cap_seconds: int = 3600) -> dt.timedelta:
    """Back-off before retry number ``attempt`` (1-based): 30 s, 60 s, 120 s, … capped at an hour."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1)))


# ----------------------------------------------------------------------------- department timeliness


@dataclass(frozen=True)
class ItemFacts:
    """What timeliness needs to know about one item (lead department only)."""

    unit: str  # the lead department (code or any key)
    assigned_on: dt.date
    sign_due: dt.date | None
    signed_on: dt.date | None
    deadline: dt.date | None
    completed_on: dt.date | None  # the department's closure request that was accepted (or is pending)
    returned_on: tuple[dt.date, ...] = ()  # dates the item was returned for more work


@dataclass
class Timeliness:
    unit: str
    assigned: int = 0
    signed: int = 0
    signed_on_time: int = 0
    sign_workdays_total: int = 0
    due: int = 0  # items due by the end of the period (or finished in it)
    completed_on_time: int = 0
    overdue: int = 0  # still open at the end of the period, past the deadline
    reopened: int = 0  # returns for more work within the period

    @property
    def avg_sign_workdays(self) -> Decimal | None:
        """Average working days from assignment to sign-for (签收速度)."""
        return _ratio(self.sign_workdays_total, self.signed, 1, pct=False)

    @property
    def sign_on_time_pct(self) -> Decimal | None:
        return _ratio(self.signed_on_time, self.signed, 1)

    @property
    def on_time_closure_pct(self) -> Decimal | None:
        """按期办结率 = completed by the deadline / items due in the period."""
        return _ratio(self.completed_on_time, self.due, 1)


def _ratio(num: int, den: int, places: int, *, pct: bool = True) -> Decimal | None:
    if not den:
        return None
    value = Decimal(num) * (100 if pct else 1) / Decimal(den)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def timeliness(facts: Iterable[ItemFacts], *, start: dt.date, end: dt.date) -> dict[str, Timeliness]:
    """Per lead department, over the items assigned in [start, end], judged as of ``end``."""
    out: dict[str, Timeliness] = defaultdict(lambda: Timeliness(""))
    for f in facts:
        if not start <= f.assigned_on <= end:
            continue
        t = out[f.unit]
        t.unit = f.unit
        t.assigned += 1
        if f.signed_on is not None and f.signed_on <= end:
            t.signed += 1
            t.sign_workdays_total += max(0, workdays_between(f.assigned_on, f.signed_on))
            if f.sign_due is None or f.signed_on <= f.sign_due:
                t.signed_on_time += 1
        done = f.completed_on is not None and f.completed_on <= end
        if f.deadline is not None and (f.deadline <= end or done):
            t.due += 1
            if done and f.completed_on is not None and f.completed_on <= f.deadline:
                t.completed_on_time += 1
            if not done and f.deadline < end:
                t.overdue += 1
        t.reopened += sum(1 for d in f.returned_on if start <= d <= end)
    return dict(out)
