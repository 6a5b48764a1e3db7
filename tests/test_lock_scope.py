"""Row locks of the services cover the edited row only (``select_for_update(of=("self",))``): while one reviewer
holds an actual under lock, another unit's officer can still save an actual of the same indicator (whose
foreign-key check takes a KEY SHARE lock on the indicator row). Locking the joined rows as well made these
writers wait for each other and, with the audit chain's lock, deadlock in the deadline rush (bench http)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from diaodu.core.testing.authz import YANGJI, World, build_world
from diaodu.core.testing.roles import ensure_default_roles
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import services
from diaodu.plans.models import Actual


@pytest.fixture
def world(transactional_db) -> World:  # type: ignore[no-untyped-def]
    ensure_default_roles()
    return build_world()


def test_a_locked_actual_does_not_block_writers_of_its_indicator(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    held = Actual.objects.filter(status="submitted").select_related("indicator").first()
    assert held is not None
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                services._lock(held)
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        saved = services.save_actual(
            actor=world.users["yangji"], indicator=held.indicator, org_unit=OrgUnit.objects.get(code=YANGJI),
            year=held.year, month=11, ytd_value=Decimal("1.5"),
        )  # fmt: skip
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    assert saved.pk is not None
    assert waited < 5, f"the save waited {waited:.1f} s for the other reviewer's lock"
