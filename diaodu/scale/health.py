"""Health (/healthz) and readiness (/readyz) for load balancers and orchestrators.

* ``/healthz``: the process answers (no database access), for restarting a hung server;
* ``/readyz``: this server can serve: the primary database (and the replica, when configured) answers and no
  migration is pending; 503 with the failing checks otherwise, so the balancer stops sending it requests.

Both are anonymous, never cached, and say nothing beyond "ok"/"failed" per check.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from diaodu.core.dbrouter import replica_alias

_migrated = False  # once no migration is pending, it stays so for the life of the process


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not ready"
        return False


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception:  # e.g. the migrations table is unreadable
            return False
    return _migrated


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(DEFAULT_DB_ALIAS)}
    if replica_alias():
        checks["replica"] = _database(replica_alias())
    checks["migrations"] = checks["database"] and _migrations_applied()
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "failed",
        "checks": {k: "ok" if v else "failed" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)
