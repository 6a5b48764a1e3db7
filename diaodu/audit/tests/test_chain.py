"""The audit hash chain: every row's hash covers its content and the previous hash; `diaodu audit verify` finds
the first row edited behind the triggers' back or removed; `diaodu audit purge` keeps at least 180 days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from diaodu.audit import chain
from diaodu.audit.gate import purge_gate_open
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import record

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [
        record(
            actor=None,
            actor_name=f"user{i}",
            action=AuditAction.UPDATE,
            object_type="plans.actual",
            object_id=str(i),
            before={"ytd_value": str(i)},
            after={"ytd_value": str(i + 1)},
            reason="测试 <script>",
        )
        for i in range(n)
    ]


def test_each_row_links_to_the_previous_one() -> None:
    events = _events(3)
    assert events[0].prev_hash == chain.GENESIS or events[0].prev_hash  # after any earlier rows
    assert events[1].prev_hash == events[0].row_hash and events[2].prev_hash == events[1].row_hash
    fresh = AuditEvent.objects.get(pk=events[2].pk)  # as read back from the database
    assert chain.content_hash(chain.row_values(fresh), fresh.prev_hash) == fresh.row_hash
    assert chain.verify() == (AuditEvent.objects.count(), None)


def test_bulk_created_rows_join_the_chain() -> None:
    _events(1)
    rows = [
        AuditEvent(actor_name="bulk", action=AuditAction.CREATE, object_type="x", object_id=str(i))
        for i in range(3)
    ]
    AuditEvent.objects.bulk_create(rows)
    _events(1)
    assert chain.verify()[1] is None


def test_verify_reports_a_row_edited_behind_the_trigger(capsys) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "sqlite":
        pytest.skip("drops and recreates the SQLite trigger")
    events = _events(5)
    call_command("audit", "verify")
    assert "完好：5" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_auditevent_no_update'"
        )
        trigger_sql = cursor.fetchone()[0]
        cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"ytd_value": "999"}', events[2].pk]
        )
        cursor.execute(trigger_sql)
    with pytest.raises(CommandError, match=f"#{events[2].pk}: 记录内容与哈希不符"):
        call_command("audit", "verify")
    # The trigger is back: a further edit is refused.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[3].pk).update(reason="x")


def test_verify_reports_a_removed_row() -> None:
    events = _events(4)
    with purge_gate_open(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    _checked, broken = chain.verify()
    assert broken is not None and broken.event_id == events[2].pk and "链接断开" in broken.problem


def test_purge_keeps_180_days_and_the_chain_stays_valid(capsys) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(now - dt.timedelta(days=400), tick=False):
        _events(3)
    with time_machine.travel(now - dt.timedelta(days=100), tick=False):
        recent = _events(2)
    with time_machine.travel(now, tick=False):
        with pytest.raises(CommandError, match="至少保留180天"):
            call_command("audit", "purge", "--before", "2026-05-01")
        assert AuditEvent.objects.count() == 5
        call_command("audit", "purge", "--before", "2026-01-01")
    assert "已清理 3 条" in capsys.readouterr().out
    remaining = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in remaining[:2]] == [e.pk for e in recent]
    assert remaining[-1].action == AuditAction.PURGE and remaining[-1].after == {
        "before": "2026-01-01",
        "deleted": 3,
    }
    assert chain.verify() == (3, None)


def test_postgresql_links_and_hashes_a_row_in_the_statement_that_takes_the_lock() -> None:
    """On PostgreSQL a row is linked and hashed by the database in the query that takes the chain's lock (one round
    trip while the lock is held); the hash is exactly the one :func:`chain.content_hash` computes, also for text
    JSON escapes (quotes, backslashes, control characters, CJK, emoji), nested values, addresses and times."""
    from django.test.utils import CaptureQueriesContext

    from diaodu.core.request_context import RequestContext, reset_request_context, set_request_context

    first = _events(1)[0]
    tricky = {
        "说明": 'a "quoted" \\ back\nslash\t\u0001😀',
        "nested": {"b": [1, 2.5, None, True], "a": "≥ 7%"},
    }
    token = set_request_context(RequestContext(request_id="r-1", ip_address="2001:db8::1"))
    try:
        with CaptureQueriesContext(connection) as ctx:
            event = record(
                actor=None, actor_name="张三", action=AuditAction.UPDATE, object_type="plans.actual",
                object_id="7", object_repr="伊山镇 “收入” 2025年4月", before=tricky, after={"x": "y"},
                reason="退回：数据 'x' 有误 %s %(a)s",
            )  # fmt: skip
    finally:
        reset_request_context(token)
    assert event.prev_hash == first.row_hash
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.prev_hash, fresh.row_hash) == (event.prev_hash, event.row_hash)
    assert chain.content_hash(chain.row_values(fresh), fresh.prev_hash) == fresh.row_hash
    assert chain.content_hash(chain.row_values(event), event.prev_hash) == event.row_hash
    assert chain.verify() == (AuditEvent.objects.count(), None)
    if connection.vendor == "postgresql":
        [written] = [q["sql"] for q in ctx.captured_queries if "audit_auditevent" in q["sql"]]
        assert "pg_advisory_xact_lock" in written and "INSERT INTO" in written
