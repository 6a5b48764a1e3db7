"""The audit table refuses UPDATE and DELETE in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from diaodu.audit.gate import purge_gate_open
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import record

pytestmark = pytest.mark.django_db


def _event() -> AuditEvent:
    return record(
        actor=None,
        actor_name="tester",
        action=AuditAction.UPDATE,
        object_type="plans.target",
        object_id="1",
        before={"value": "7"},
        after={"value": "8"},
    )


def test_it_refuses_an_orm_update() -> None:
    event = _event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="改写")
    event.refresh_from_db()
    assert event.reason == ""


def test_it_refuses_raw_sql_update_and_delete() -> None:
    event = _event()
    for sql in (
        "UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, actor_name="tester").exists()


def test_it_refuses_an_orm_delete() -> None:
    event = _event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_update_even_with_the_purge_gate_open() -> None:
    event = _event()
    with purge_gate_open(), pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="改写")


def test_it_lets_the_purge_gate_delete() -> None:
    event = _event()
    with transaction.atomic(), purge_gate_open():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=_event().pk).delete()


def test_it_stores_request_context_and_values() -> None:
    from diaodu.core.request_context import RequestContext, reset_request_context, set_request_context

    token = set_request_context(RequestContext("req-12345678", "10.1.2.3"))
    try:
        event = _event()
    finally:
        reset_request_context(token)
    event.refresh_from_db()
    assert event.request_id == "req-12345678"
    assert event.ip_address == "10.1.2.3"
    assert event.before == {"value": "7"} and event.after == {"value": "8"}
