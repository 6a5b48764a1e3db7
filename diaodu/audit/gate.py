"""The only door through which audit rows may be deleted: retention purges and test flushes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def purge_gate_open(using: str = "default") -> Iterator[None]:
    connection = connections[using]
    value_open, value_closed = ("true", "false") if connection.vendor == "postgresql" else ("1", "0")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_purge_gate SET is_open = {value_open}")  # noqa: S608 - constants only
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE audit_purge_gate SET is_open = {value_closed}")  # noqa: S608
