"""Read replicas: cockpit and report reads go to a replica; every write, and every other read, to the primary.

Configured from the environment (docs/deploy.md): ``DATABASE_REPLICA_URL`` adds the ``replica`` database alias and
sets ``DIAODU_READ_REPLICA = "replica"``; without it everything uses ``default``.

Which reads may go to a replica is decided per request, not per model: a replica lags the primary by a little, so
only pages that merely show figures (the cockpit, the reports, the target and actual lists of the API) read from
it, and only for GET/HEAD. :class:`ReplicaReadsMiddleware` marks those requests by their URL name
(``DIAODU_REPLICA_ROUTES``, prefixes such as ``"cockpit:"``); :class:`ReplicaRouter` then sends their reads to the
replica. The session, the user and anything read by a write path stay on the primary, so a user always sees their
own writes on the data-entry pages. Code outside a request can opt in with ``with replica_reads(): ...``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
_replica_reads: ContextVar[bool] = ContextVar("diaodu_replica_reads", default=False)


def replica_alias() -> str:
    """The replica's alias when one is configured, else ``""``."""
    alias = getattr(settings, "DIAODU_READ_REPLICA", "")
    return alias if alias and alias in connections.settings else ""


@contextlib.contextmanager
def replica_reads(enabled: bool = True) -> Iterator[None]:
    token = _replica_reads.set(enabled)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get():
            return replica_alias() or PRIMARY
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # a replica gets its schema by replication


def is_replica_route(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if request.method not in ("GET", "HEAD") or match is None or not replica_alias():
        return False
    name = match.view_name
    return any(
        name == route or (route.endswith(":") and name.startswith(route))
        for route in getattr(settings, "DIAODU_REPLICA_ROUTES", ())
    )


class ReplicaReadsMiddleware:
    """Send the reads of read-only figure pages (``DIAODU_REPLICA_ROUTES``) to the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_diaodu_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if is_replica_route(request):
            request._diaodu_replica_token = _replica_reads.set(True)  # type: ignore[attr-defined]
