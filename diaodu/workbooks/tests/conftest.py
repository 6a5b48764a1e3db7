"""Fixtures: the small authorization world (two towns, a plan, actuals for January–March 2025) at a fixed date.

The world is built once per test module inside a transaction that is rolled back when the module ends; each
test runs in a savepoint of it (pytest-django's ``db``), so tests stay independent and the suite stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from diaodu.core.testing.authz import World, build_world

TODAY = dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture(scope="module")
def module_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast:  # the function-scoped fast-hashing fixture does not reach a module fixture
            world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world: World, db: Any, frozen: Any) -> World:
    return module_world
