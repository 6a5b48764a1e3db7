"""The audit trail's hash chain (等保: 审计记录完整性).

Each row stores ``prev_hash`` (the previous row's hash) and ``row_hash`` = SHA-256 over its own content and
``prev_hash``. Editing a row behind the append-only triggers changes its content (its hash no longer matches);
deleting one breaks the link of the next. Writers are serialised while they read the last hash and insert: on
PostgreSQL with ``pg_advisory_xact_lock``, on SQLite by the IMMEDIATE transaction every write begins with.

:func:`verify` walks the chain in id order and returns the first broken link.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections

GENESIS = "0" * 64
LOCK_KEY = 0x6469616F6475  # "diaodu": the advisory lock of audit writers

FIELDS = (
    "created_at",
    "actor_id",
    "actor_name",
    "org_unit_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "success",
    "request_id",
    "ip_address",
)


def _value(name: str, value: Any) -> Any:
    if name == "created_at" and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


_JSON_OPTIONS: dict[str, Any] = {
    "ensure_ascii": False,
    "sort_keys": True,
    "separators": (",", ":"),
    "default": str,
}


def content_hash(values: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps([prev_hash, [_value(n, values.get(n)) for n in FIELDS]], **_JSON_OPTIONS)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_json(values: dict[str, Any]) -> str:
    """The row's part of :func:`content_hash`'s payload: for a hex ``prev_hash`` the payload is
    ``'["' + prev_hash + '",' + content_json(values) + ']'`` (what :func:`insert_sealed` has PostgreSQL hash)."""
    return json.dumps([_value(n, values.get(n)) for n in FIELDS], **_JSON_OPTIONS)


def row_values(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in FIELDS}


def lock(using: str) -> None:
    """Serialise audit writers until the end of the current transaction (PostgreSQL; SQLite already is)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def last_hash(using: str) -> str:
    from diaodu.audit.models import AuditEvent

    last = AuditEvent.objects.using(using).order_by("-id").values_list("row_hash", flat=True).first()
    return last or GENESIS


@functools.cache
def _lock_and_last_sql(using: str) -> str:
    from diaodu.audit.models import AuditEvent

    qn = connections[using].ops.quote_name
    table = qn(AuditEvent._meta.db_table)
    last = f"SELECT {qn('row_hash')} FROM {table} ORDER BY {qn('id')} DESC LIMIT 1"  # noqa: S608 - names from the model
    return f"SELECT pg_advisory_xact_lock({int(LOCK_KEY)}); {last}"


def lock_and_last_hash(using: str) -> str:
    """:func:`lock`, then :func:`last_hash`; on PostgreSQL both in one round trip, so the lock is held one round
    trip less. Two statements all the same: in READ COMMITTED each statement of a query string takes its own
    snapshot, so the second one, run once the lock is granted, sees the row of the writer that held it before."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        lock(using)
        return last_hash(using)
    with _client_binding_cursor(connection) as cursor:
        # psycopg sends the two statements as one query
        cursor.execute(_lock_and_last_sql(using))
        if not cursor.nextset():
            raise RuntimeError("the audit chain's last-hash statement returned no result")
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


@functools.cache
def _insert_sql(using: str) -> tuple[list[Any], str]:
    """The fields :func:`insert_sealed` writes, and its query: the lock; the insert, linked and hashed in SQL."""
    from diaodu.audit.models import AuditEvent

    qn = connections[using].ops.quote_name
    table = qn(AuditEvent._meta.db_table)
    own = [f for f in AuditEvent._meta.concrete_fields if f.name not in ("id", "prev_hash", "row_hash")]
    columns = ", ".join([*(qn(f.column) for f in own), qn("prev_hash"), qn("row_hash")])
    last = f"SELECT NULLIF({qn('row_hash')}, '') FROM {table} ORDER BY {qn('id')} DESC LIMIT 1"  # noqa: S608
    payload = "'[\"' || p.h || '\",' || %s || ']'"  # content_hash's JSON: ["<prev_hash>",<content_json>]
    hashed = f"encode(sha256(convert_to({payload}, 'UTF8')), 'hex')"
    insert = (
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(['%s'] * len(own))}, p.h, {hashed} "  # noqa: S608 - names from the model
        f"FROM (SELECT COALESCE(({last}), %s)) AS p(h) RETURNING {qn('id')}, {qn('prev_hash')}, {qn('row_hash')}"
    )
    return own, f"SELECT pg_advisory_xact_lock({int(LOCK_KEY)}); {insert}"


def insert_sealed(event: Any, using: str) -> bool:
    """Insert one unsaved audit event in its place in the chain, the lock taken in the same round trip (PostgreSQL):
    everything but the link is computed before the lock, and the database links the row to the last one and
    hashes it while the lock is held, so the lock lasts one statement and the commit. False (nothing done) on
    other databases: :func:`seal` and an ordinary insert do the same there.

    The hash is :func:`content_hash`'s: SHA-256 over ``'["' + prev_hash + '",' + content_json(values) + ']'`` in
    UTF-8 (``prev_hash`` is hex, which JSON writes as it is). :func:`verify` recomputes it in Python."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    own, sql = _insert_sql(using)
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in own]
    with _client_binding_cursor(connection) as cursor:
        # client-side binding: the two statements go as one query; the INSERT's snapshot is taken after the lock
        # is granted (READ COMMITTED), so it sees the previous writer's row
        cursor.execute(sql, [*values, content_json(row_values(event)), GENESIS])
        if not cursor.nextset():
            raise RuntimeError("the audit row's INSERT returned no result")
        event.pk, event.prev_hash, event.row_hash = cursor.fetchone()
    event._state.adding = False
    event._state.db = using
    return True


def _client_binding_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (PostgreSQL) that binds parameters on the client whatever the connection's
    cursor factory: several statements in one query need it (the server-side binding the settings turn on for
    prepared statements sends one statement per query)."""
    # psycopg 3's client-binding cursor, Django's flavour
    from django.db.backends.postgresql.base import Cursor  # type: ignore[attr-defined]

    connection.ensure_connection()
    return connection._prepare_cursor(Cursor(connection.connection))


def seal(events: Iterable[Any], using: str) -> None:
    """Give unsaved events their place in the chain (call inside a transaction, then insert them in order)."""
    prev = lock_and_last_hash(using)
    for event in events:
        event.prev_hash = prev
        event.row_hash = prev = content_hash(row_values(event), prev)


@dataclass(frozen=True)
class Break:
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"#{self.event_id}: {self.problem}"


def verify(using: str = "default") -> tuple[int, Break | None]:
    """(rows checked, the first broken link or None). The oldest remaining row may follow purged rows."""
    from diaodu.audit.models import AuditEvent

    checked = 0
    prev: str | None = None
    for event in AuditEvent.objects.using(using).order_by("id").iterator(chunk_size=2000):
        if prev is not None and event.prev_hash != prev:
            return checked, Break(
                event.pk, "与上一条记录的链接断开（上一条被删除或篡改）/ link to the previous row is broken"
            )
        if content_hash(row_values(event), event.prev_hash) != event.row_hash:
            return checked, Break(
                event.pk, "记录内容与哈希不符（被修改）/ content does not match its hash (edited)"
            )
        prev = event.row_hash
        checked += 1
    return checked, None
