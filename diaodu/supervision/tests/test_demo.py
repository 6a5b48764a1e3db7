"""The demo supervision items: every state, some overdue, written once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from diaodu.supervision.demo import load_demo_supervision
from diaodu.supervision.models import ItemStatus, SupervisionItem
from diaodu.supervision.reports import is_overdue

pytestmark = pytest.mark.django_db


def test_demo_items_cover_every_state(personas) -> None:  # type: ignore[no-untyped-def]
    assert load_demo_supervision(users=personas, log=lambda _msg: None) == 9
    items = list(SupervisionItem.objects.all())
    assert {i.status for i in items} == set(ItemStatus.values)
    assert sum(is_overdue(i, timezone.localdate()) for i in items) >= 1
    assert all(i.title.endswith("（演示数据）") for i in items)
    assert load_demo_supervision(users=personas, log=lambda _msg: None) == 0
    assert SupervisionItem.objects.count() == len(items)
