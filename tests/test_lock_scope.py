"""Row locks of the services cover the edited row only (``select_for_update(of=("self",))``): while one reviewer
holds an actual under lock, another unit's officer can still save an actual of the same indicator (whose
foreign-key check takes a KEY SHARE lock on the indicator row). Locking the joined rows as well made these
writers wait for each other and, with the audit chain's lock, deadlock in the deadline rush (bench http)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from diaodu.core.testing.authz import YANGJI, YISHAN, World, build_world
from diaodu.core.testing.roles import ensure_default_roles
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import services
from diaodu.plans.models import Actual


@pytest.fixture
def world(transactional_db) -> World:  # type: ignore[no-untyped-def]
    ensure_default_roles()
    return build_world()


@contextlib.contextmanager
def held_open(write: Callable[[], Any]) -> Iterator[None]:
    """Run ``write`` in a transaction of another thread, which stays open (holding its locks) inside the block."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                write()
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        holder.join(30)


def test_a_locked_actual_does_not_block_writers_of_its_indicator(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    held = Actual.objects.filter(status="submitted").select_related("indicator").first()
    assert held is not None
    with held_open(lambda: services._lock(held)):
        started = time.monotonic()
        saved = services.save_actual(
            actor=world.users["yangji"], indicator=held.indicator, org_unit=OrgUnit.objects.get(code=YANGJI),
            year=held.year, month=11, ytd_value=Decimal("1.5"),
        )  # fmt: skip
        waited = time.monotonic() - started
    assert saved.pk is not None
    assert waited < 5, f"the save waited {waited:.1f} s for the other reviewer's lock"


def test_a_saved_draft_does_not_block_other_units_saving_its_indicator(world: World) -> None:
    """Saving over an existing draft locks that month's row only: the lookup used the model's default ordering
    (a join with the indicator and the unit), so FOR UPDATE locked the indicator's row too and every other unit's
    save of the same indicator waited for the transaction to end."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    draft = (
        Actual.objects.filter(status="draft", org_unit__code=YANGJI)
        .select_related("indicator", "org_unit")
        .first()
    )
    assert draft is not None
    yishan = OrgUnit.objects.get(code=YISHAN)

    def save_over_the_draft() -> None:
        services.save_actual(
            actor=world.users["yangji"], indicator=draft.indicator, org_unit=draft.org_unit,
            year=draft.year, month=draft.month, ytd_value=Decimal("9.5"),
        )  # fmt: skip

    with held_open(save_over_the_draft):
        started = time.monotonic()
        try:
            # Another unit's row of the same indicator, written past the service (whose audit row would wait for
            # the chain's lock, held by the other transaction): its foreign-key check takes a KEY SHARE lock on
            # the indicator's row.
            with transaction.atomic():
                connection.cursor().execute("SET LOCAL lock_timeout = '3s'")
                saved = Actual.objects.create(
                    indicator=draft.indicator,
                    org_unit=yishan,
                    year=draft.year,
                    month=11,
                    ytd_value=Decimal("1"),
                )
        except OperationalError as exc:
            pytest.fail(f"the other unit's row waited for the draft's transaction: {exc}")
        waited = time.monotonic() - started
    assert saved.pk is not None
    assert waited < 3, f"the other unit's save waited {waited:.1f} s for the draft's lock"
