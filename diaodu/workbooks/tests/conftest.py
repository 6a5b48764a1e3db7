"""Fixtures: the small authorization world (two towns, a plan, actuals for January–March 2025) at a fixed date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from diaodu.core.testing.authz import World, build_world

TODAY = dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def world(db: Any, frozen: Any) -> World:
    return build_world()
