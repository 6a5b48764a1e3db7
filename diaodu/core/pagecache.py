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
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from diaodu.core import dataversion

T = TypeVar("T")
ALIAS = "pages"


def enabled() -> bool:
    return int(getattr(settings, "DIAODU_PAGE_CACHE_SECONDS", 0)) > 0


_VERSION_ATTR = "_diaodu_data_version"
_REREAD_ATTR = "_diaodu_scope_reread"


def _version(request: HttpRequest) -> int:
    """The data version, read once per request: every value a request computes is computed after this read, so
    it is never older than the version it is stored under (the nested parts of one page included)."""
    version = getattr(request, _VERSION_ATTR, None)
    if version is None:
        version = dataversion.current()
        setattr(request, _VERSION_ATTR, version)
    return int(version)


def key(request: HttpRequest, user: Any, name: str, *parts: Any) -> str:
    return _digest(
        name,
        [
            name,
            _version(request),
            user.pk,
            translation.get_language(),
            request.get_full_path(),
            timezone.localdate().isoformat(),
            *parts,
        ],
    )


def _user_key(request: HttpRequest, user: Any, name: str) -> str:
    return _digest(f"user:{name}", [name, _version(request), user.pk, timezone.localdate().isoformat()])


def _digest(prefix: str, parts: list[Any]) -> str:
    raw = json.dumps(parts, default=str)
    return f"diaodu:{prefix}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _cacheable(user: Any) -> bool:
    """Nothing is cached for anonymous users, or with the cache turned off."""
    return enabled() and getattr(user, "is_authenticated", False) and user.pk is not None


def get_or_compute(
    request: HttpRequest, user: Any, name: str, parts: tuple[Any, ...], compute: Callable[[], T]
) -> T:
    """The cached value of ``user``'s request, else ``compute()`` (stored for the next request). ``user``: the
    authenticated user the view answers for (session or API token)."""
    if not _cacheable(user):
        return compute()
    return _cached(request, user, key(request, user, name, *parts), compute)


def user_value(request: HttpRequest, user: Any, name: str, compute: Callable[[], T]) -> T:
    """Like :func:`get_or_compute` for a value of the user's whole session rather than of one page (the default
    month and unit the pages open on): keyed by the user, the data version and the day only, so the first page
    that needs it computes it for the others."""
    if not _cacheable(user):
        return compute()
    return _cached(request, user, _user_key(request, user, name), compute)


def _cached(request: HttpRequest, user: Any, cache_key: str, compute: Callable[[], T]) -> T:
    cache = caches[ALIAS]
    value = cache.get(cache_key)
    if value is None:
        # The user, their roles and their subtree were read before the version in the key: a change to them that
        # committed in between would otherwise be computed with the old scope and stored under the new version.
        # Once per request is enough: every value is computed after it.
        if getattr(request, _REREAD_ATTR, None) != user.pk:
            _reread_scope(user)
            setattr(request, _REREAD_ATTR, user.pk)
        value = compute()
        cache.set(cache_key, value, int(settings.DIAODU_PAGE_CACHE_SECONDS))
    return value  # type: ignore[no-any-return]


def _reread_scope(user: Any) -> None:
    """Read the user's unit, active flag and roles again (after the version): what is computed for the cache
    is computed with them as of no earlier than the version it is stored under."""
    from diaodu.accounts.backends import load_user
    from diaodu.accounts.models import User
    from diaodu.accounts.scope import forget_cached_scope

    forget_cached_scope(user)
    fresh = load_user(user.pk)  # one statement: the user with their unit
    if fresh is not None:
        user.is_active, user.org_unit_id = fresh.is_active, fresh.org_unit_id
        User._meta.get_field("org_unit").set_cached_value(user, fresh.org_unit)
    else:
        user.is_active = False


# ----------------------------------------------------------------------------- whole pages

_SLOT_NAMES = ("csrf", "badge", "messages")


def _slots(nonce: str) -> dict[str, str]:
    return {name: f"diaodu-slot-{nonce}-{name}" for name in _SLOT_NAMES}


def page(
    request: HttpRequest,
    name: str,
    parts: tuple[Any, ...],
    template: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """``template`` rendered with ``context()``, the whole page cached like a part (per user, URL, language, day
    and data version). What differs from one request to the next is left as a slot and filled in on every
    request: the CSRF token (of this browser), the supervision badge (its own query) and any flash messages.
    The slots' names carry a random nonce stored with the page, so no text on the page can pose as one."""
    if not enabled() or not getattr(request.user, "is_authenticated", False):
        return render(request, template, context())

    def compute() -> dict[str, str]:
        nonce = secrets.token_hex(8)
        slots = _slots(nonce)
        filled = context() | {
            "csrf_token": slots["csrf"],
            "supervision_badge_html": mark_safe(slots["badge"]),  # noqa: S308 - our own constant
            "messages_slot": mark_safe(slots["messages"]),  # noqa: S308 - our own constant
        }
        return {"html": render(request, template, filled).content.decode(), "nonce": nonce}

    stored = get_or_compute(request, request.user, f"page:{name}", parts, compute)
    return HttpResponse(_fill(request, stored["html"], _slots(stored["nonce"])))


def _fill(request: HttpRequest, html: str, slots: dict[str, str]) -> str:
    from diaodu.core.context_processors import supervision_badge_html

    html = html.replace(slots["csrf"], get_token(request))
    if slots["badge"] in html:
        html = html.replace(slots["badge"], supervision_badge_html(request.user))
    if slots["messages"] in html:
        shown = list(get_messages(request))  # marks them shown, as rendering them does
        text = render_to_string("_messages.html", {"messages": shown}) if shown else ""
        html = html.replace(slots["messages"], text)
    return html
