"""The reminder and escalation scan with frozen time: what is sent, to whom, and never twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from diaodu.supervision import services
from diaodu.supervision.models import ItemEvent, Notification, SentNotice
from diaodu.supervision.tasks import scan_reminders
from diaodu.supervision.tests.conftest import OFFICE, YANGJI, YISHAN

pytestmark = pytest.mark.django_db


def inbox() -> list[tuple[str, int, str]]:
    return sorted(
        (n.kind, n.level, n.recipient_unit.code if n.recipient_unit else n.recipient_user.username)
        for n in Notification.objects.exclude(kind="assigned").select_related(
            "recipient_unit", "recipient_user"
        )
    )


def test_reminder_then_escalation_each_sent_once(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item(deadline=dt.date(2025, 9, 26), leader_user=personas["leader"])
    services.sign_item(item, actor=personas["yishan"], today=dt.date(2025, 9, 2))

    assert services.run_reminder_scan(dt.date(2025, 9, 19)).sent == 0  # 5 working days left
    first = services.run_reminder_scan(dt.date(2025, 9, 23))
    assert (first.sent, first.by_kind) == (1, {"deadline_reminder": 1})
    assert inbox() == [("deadline_reminder", 0, YISHAN), ("deadline_reminder", 0, YANGJI)]
    again = services.run_reminder_scan(dt.date(2025, 9, 23))
    assert (again.sent, again.skipped) == (0, 1)
    assert services.run_reminder_scan(dt.date(2025, 9, 25)).sent == 0  # same deadline, already reminded

    overdue = services.run_reminder_scan(dt.date(2025, 9, 29))
    assert overdue.by_kind == {"overdue": 1}
    escalations = [n for n in inbox() if n[0] == "overdue"]
    assert escalations == [("overdue", 1, OFFICE), ("overdue", 1, YISHAN), ("overdue", 1, "leader")]
    assert services.run_reminder_scan(dt.date(2025, 9, 30)).sent == 0
    # 5 working days after 26 Sep (28, 29, 30 Sep, 9, 10 Oct): level 2
    assert services.run_reminder_scan(dt.date(2025, 10, 10)).by_kind == {"overdue": 1}
    assert Notification.objects.filter(kind="overdue", level=2).count() == 3
    assert SentNotice.objects.count() == 3
    assert list(
        ItemEvent.objects.filter(item=item, action__in=["remind", "escalate"]).values_list(
            "action", flat=True
        )
    ) == ["remind", "escalate", "escalate"]
    body = Notification.objects.filter(kind="overdue", level=2).values_list("body", flat=True)[0]
    assert "逾期5个工作日" in body and "分管工业的副县长" in body


def test_unsigned_item_escalates_to_the_office(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    make_item(assigned=dt.date(2025, 9, 30), deadline=dt.date(2025, 12, 31))  # sign-for due 11 Oct
    assert services.run_reminder_scan(dt.date(2025, 10, 10)).by_kind == {"sign_reminder": 1}
    assert services.run_reminder_scan(dt.date(2025, 10, 13)).by_kind == {"sign_overdue": 1}
    assert inbox() == [("sign_overdue", 0, OFFICE), ("sign_overdue", 0, YISHAN), ("sign_reminder", 0, YISHAN)]


def test_finished_items_are_left_alone(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = services.sign_item(make_item(deadline=dt.date(2025, 9, 26)), actor=personas["yishan"])
    services.request_closure(item, actor=personas["yishan"], text="已办结", today=dt.date(2025, 9, 20))
    assert services.run_reminder_scan(dt.date(2025, 10, 20)).sent == 0


def test_the_job_uses_today_in_the_county(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    services.sign_item(
        make_item(deadline=dt.date(2025, 9, 26)), actor=personas["yishan"], today=dt.date(2025, 9, 2)
    )
    # 16:30 UTC on 28 Sep is already 29 Sep in Guanyun: the item is overdue there.
    with time_machine.travel(dt.datetime(2025, 9, 28, 16, 30, tzinfo=dt.UTC), tick=False):
        assert scan_reminders.call() == {"items": 1, "sent": 1, "skipped": 0}
        assert scan_reminders.call() == {"items": 1, "sent": 0, "skipped": 1}
    assert Notification.objects.filter(kind="overdue").count() == 2  # no leader account: office + lead unit
