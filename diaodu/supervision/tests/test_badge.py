"""The nav badge's fixed statement counts what the inbox querysets count, for every kind of user."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from diaodu.accounts.models import User
from diaodu.supervision import services, worklists
from diaodu.supervision.models import ItemStatus, NoticeKind, Notification, SupervisionItem

pytestmark = pytest.mark.django_db


def _by_querysets(user: Any) -> int:
    unread = Notification.objects.inbox(user).unread().order_by().values_list("item_id", flat=True)
    if not user.org_unit_id:
        return unread.distinct().count()
    to_sign = SupervisionItem.objects.filter(status=ItemStatus.ASSIGNED, lead_unit_id=user.org_unit_id)
    return unread.union(to_sign.order_by().values_list("pk", flat=True)).count()


def test_the_badge_counts_as_the_inbox_does(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    first = make_item(assigned=dt.date(2025, 10, 20))
    second = make_item(title="另一件", assigned=dt.date(2025, 10, 20))
    services.sign_item(first, actor=personas["yishan"])
    # notices of every kind: for a user, for a unit, read and unread, twice for one item, with no item
    leader, yishan = personas["leader"], personas["yishan"]
    Notification.objects.create(recipient_user=leader, item=second, kind=NoticeKind.REPLY, title="进展")
    Notification.objects.create(recipient_user=leader, item=second, kind=NoticeKind.REPLY, title="进展2")
    Notification.objects.create(recipient_user=leader, kind=NoticeKind.REPLY, title="无事项")
    Notification.objects.create(
        recipient_user=yishan, item=first, kind=NoticeKind.REPLY, title="已读", read_at=timezone.now()
    )
    Notification.objects.create(
        recipient_unit=yishan.org_unit, item=second, kind=NoticeKind.REPLY, title="单位"
    )
    unitless = personas["sysadmin"]
    User.objects.filter(pk=unitless.pk).update(org_unit=None)
    unitless.refresh_from_db()
    Notification.objects.create(recipient_user=unitless, item=first, kind=NoticeKind.REPLY, title="无单位")
    users = [*personas.values(), unitless]
    counts = {u.username: worklists.badge_count(u) for u in users}
    assert counts == {u.username: _by_querysets(u) for u in users}
    assert counts["leader"] == 2 and counts[unitless.username] == 1 and counts["yishan"] >= 1
