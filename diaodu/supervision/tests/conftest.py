"""Supervision fixtures: the personas (incl. the supervision office ``dcs``) and an item factory using the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from diaodu.supervision import services
from diaodu.supervision.models import SupervisionItem

YISHAN = "320723-T02"
YANGJI = "320723-T03"
ZIRAN = "320723-D06"  # 自然资源和规划局
OFFICE = "320723-D11"  # 督查室


@pytest.fixture
def units(orgunits):  # type: ignore[no-untyped-def]
    return orgunits


@pytest.fixture
def make_item(personas, units):  # type: ignore[no-untyped-def]
    """Register and assign an item to 伊山镇 (lead) with 杨集镇 (co) through the services."""

    def make(
        *,
        title: str = "伊山镇工业集中区污水管网接入滞后",
        lead: str = YISHAN,
        co: tuple[str, ...] = (YANGJI,),
        assigned: dt.date = dt.date(2025, 9, 1),
        deadline: dt.date = dt.date(2025, 10, 31),
        leader_user: Any = None,
        **kwargs: Any,
    ) -> SupervisionItem:
        item = services.create_item(
            actor=personas["dcs"], title=title, leader="分管工业的副县长", leader_user=leader_user, **kwargs
        )
        return services.assign_item(
            item,
            actor=personas["dcs"],
            lead_unit=units[lead],
            co_units=[units[c] for c in co],
            deadline=deadline,
            today=assigned,
        )

    return make
