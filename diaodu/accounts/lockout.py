"""Login lockout (等保: 登录失败处理): 5 failures within 15 minutes lock an account name, or a source
address, for 30 minutes. The numbers come from settings (DIAODU_LOCKOUT_THRESHOLD, _WINDOW_MINUTES, _MINUTES).

:func:`sliding_window` is the rule as a plain function; :func:`register_failure`, :func:`locked_for` and
:func:`clear` keep its state in :class:`~diaodu.accounts.models.LoginThrottle` rows.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import transaction

from diaodu.accounts.models import LoginThrottle, ThrottleScope


def sliding_window(
    failures: list[dt.datetime], now: dt.datetime, *, threshold: int, window: dt.timedelta
) -> tuple[list[dt.datetime], bool]:
    """Add a failure at ``now`` to those still inside the window; True when this one reaches the threshold
    (the window then starts afresh: the lock, not the count, carries on)."""
    recent = [t for t in failures if now - t < window] + [now]
    if len(recent) >= threshold:
        return [], True
    return recent, False


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.DIAODU_LOCKOUT_WINDOW_MINUTES)


def _lock() -> dt.timedelta:
    return dt.timedelta(minutes=settings.DIAODU_LOCKOUT_MINUTES)


def locked_for(scope: ThrottleScope, key: str, now: dt.datetime) -> int:
    """Whole minutes (rounded up) that ``key`` stays locked; 0 when it is not locked."""
    row = LoginThrottle.objects.filter(scope=scope, key=key[:150], locked_until__gt=now).first()
    if row is None or row.locked_until is None:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds() / 60))


@transaction.atomic
def register_failure(scope: ThrottleScope, key: str, now: dt.datetime) -> bool:
    """Count one failure for ``key``; True when it locks the key now."""
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(scope=scope, key=key[:150])
    failures = [dt.datetime.fromisoformat(t) for t in row.failures]
    failures, lock = sliding_window(
        failures, now, threshold=settings.DIAODU_LOCKOUT_THRESHOLD, window=_window()
    )
    row.failures = [t.isoformat() for t in failures]
    if lock:
        row.locked_until = now + _lock()
    row.save(update_fields=["failures", "locked_until"])
    return lock


def clear(scope: ThrottleScope, key: str) -> None:
    LoginThrottle.objects.filter(scope=scope, key=key[:150]).delete()
