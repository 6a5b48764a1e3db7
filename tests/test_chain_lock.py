"""The audit chain's lock (PostgreSQL: an advisory lock, and then the row linked to the last one, sent as one
query): a writer that waited for the lock links its row to the row of the writer that held it, not to the hash it
would have seen before waiting (each statement of the query takes its own snapshot in READ COMMITTED)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from diaodu.audit import chain
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import record


def _write(name: str) -> AuditEvent:
    return record(actor=None, actor_name=name, action=AuditAction.UPDATE, object_type="x", object_id=name)


def test_a_writer_waiting_for_the_chain_links_to_the_row_written_meanwhile(transactional_db) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (SQLite serialises whole transactions)")
    _write("before")
    written: dict[str, AuditEvent] = {}
    holding, release = threading.Event(), threading.Event()
    waited: list[float] = []

    def first() -> None:
        try:
            with transaction.atomic():
                written["first"] = _write("first")  # holds the chain's lock until the transaction ends
                holding.set()
                release.wait(20)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            started = time.monotonic()
            with transaction.atomic():
                written["second"] = _write("second")
            waited.append(time.monotonic() - started)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)  # the second writer is waiting for the lock by now
    release.set()
    one.join(30)
    two.join(30)

    assert waited and waited[0] >= 0.4, "the second writer did not wait for the chain's lock"
    assert written["second"].prev_hash == written["first"].row_hash
    assert chain.verify() == (AuditEvent.objects.count(), None)
