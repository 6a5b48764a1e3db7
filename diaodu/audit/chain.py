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


def content_hash(values: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps(
        [prev_hash, [_value(n, values.get(n)) for n in FIELDS]],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    with connection.cursor() as cursor:
        # no parameters: psycopg (client-side binding) sends the two statements as one query
        cursor.execute(_lock_and_last_sql(using))
        if not cursor.nextset():
            raise RuntimeError("the audit chain's last-hash statement returned no result")
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


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
