"""Computed page parts cached by data version (see :mod:`diaodu.core.dataversion`).

A part is stored under a key made of the data version, the user, the language, the request's path and query,
today's date (defaults such as "the current month" depend on it) and the caller's own parts. Any change that can
alter a figure raises the version in its own transaction, so a stored part is never served after such a change
has committed: the figures stay live. Access is checked by the view on every request before the cache is read.

The cache is Django's (``CACHES["pages"]``; per process by default, which is correct for any number of app
servers since the keys carry the version). ``DIAODU_PAGE_CACHE_SECONDS=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone, translation

from diaodu.core import dataversion

T = TypeVar("T")
ALIAS = "pages"


def enabled() -> bool:
    return int(getattr(settings, "DIAODU_PAGE_CACHE_SECONDS", 0)) > 0


def key(request: HttpRequest, user: Any, name: str, *parts: Any) -> str:
    raw = json.dumps(
        [
            name,
            dataversion.current(),
            user.pk,
            translation.get_language(),
            request.get_full_path(),
            timezone.localdate().isoformat(),
            *parts,
        ],
        default=str,
    )
    return f"diaodu:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def get_or_compute(
    request: HttpRequest, user: Any, name: str, parts: tuple[Any, ...], compute: Callable[[], T]
) -> T:
    """The cached value of ``user``'s request, else ``compute()`` (stored for the next request). ``user``: the
    authenticated user the view answers for (session or API token); nothing is cached for anonymous users."""
    if not enabled() or not getattr(user, "is_authenticated", False) or user.pk is None:
        return compute()
    cache_key = key(request, user, name, *parts)
    cache = caches[ALIAS]
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, int(settings.DIAODU_PAGE_CACHE_SECONDS))
    return value  # type: ignore[no-any-return]
