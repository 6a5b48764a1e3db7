"""The data version: one value changed in the same transaction as every change that can alter a figure.

Readers key caches of computed pages (the cockpit) by it: a cached page is only ever served for the version it
was computed at, and any approval, reopening, plan, project, rollup, light, supervision, account or scope change
gives the data a new version when it commits, so the next request computes afresh. Numbers stay live; nothing
waits for a batch job.

Who changes it:

- every audited change (:class:`diaodu.audit.models.AuditEvent` saves and bulk writes), except the steps that
  leave every shown figure as it was: monthly figures (:data:`DRAFT_ONLY_TYPES`) that are not, and were not,
  approved or locked — saving a draft, submitting, returning (services refuse to edit an approved or locked
  row, so an edit without a status change is of an uncounted row) — failed attempts, and logins;
- every refresh or rebuild of the write-time rollups and stored lights (also the paths without an audit row:
  synthetic data, rebuild commands, test worlds).

The row is written after the audit chain's lock is taken, the order every writer already follows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import connections, router

from diaodu.core.models import DataVersion

ROW_ID = 1
# Monthly figures whose draft/submitted/returned steps change nothing shown: only approved (or locked) rows count.
DRAFT_ONLY_TYPES = frozenset({"plans.actual", "projects.monthlyreport"})
COUNTED_STATES = frozenset({"approved", "locked"})
# Sign-in events, tokens, passwords, refused access and audit purges change no figure (access is checked on every
# request before any cache is read).
NEUTRAL_ACTIONS = frozenset(
    {"login", "login_failed", "logout", "password", "otp", "token", "access_denied", "purge"}
)


def _status(values: Any) -> Any:
    return values.get("status") if isinstance(values, dict) else None


def affects_figures(event: Any) -> bool:
    """Whether an audit event's change can alter a figure some page shows."""
    if not event.success or str(event.action) in NEUTRAL_ACTIONS:
        return False
    if event.object_type in DRAFT_ONLY_TYPES:
        return bool({_status(event.before), _status(event.after)} & COUNTED_STATES)
    return True


def current(using: str | None = None) -> int:
    """The version as the reading database sees it (0 before the first change)."""
    alias = using or router.db_for_read(DataVersion)
    connection = connections[alias]
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:  # a fixed statement: it runs on every cached page
        cursor.execute(f"SELECT value FROM {table} WHERE id = %s", [ROW_ID])  # noqa: S608
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def bump(using: str = "default") -> None:
    """Give the data a new version in the current transaction (visible to others when the change commits).

    The new value is random, not the next integer: a transaction that rolls back must not leave a version that
    a later change reuses (a page computed inside the rolled-back transaction could be cached under it)."""
    from diaodu.audit import chain

    chain.lock(using)
    value = secrets.randbits(62) + 1
    with connections[using].cursor() as cursor:
        table = connections[using].ops.quote_name(DataVersion._meta.db_table)
        cursor.execute(f"UPDATE {table} SET value = %s WHERE id = %s", [value, ROW_ID])  # noqa: S608
        if cursor.rowcount == 0:
            DataVersion.objects.using(using).get_or_create(pk=ROW_ID, defaults={"value": value})


def bump_for(events: Iterable[Any], using: str = "default") -> None:
    if any(affects_figures(e) for e in events):
        bump(using)
