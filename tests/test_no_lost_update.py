"""No lost update: two clients edit the same month at the same moment, each based on the version it read.
Exactly one save wins; the other gets HTTP 409 naming the winner's change, and nothing is overwritten."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from diaodu.core.testing.authz import YISHAN, World, build_world
from diaodu.core.testing.roles import ensure_default_roles
from diaodu.core.versioning import StaleVersion, check_version
from diaodu.plans.models import Actual

ROUNDS = 4


@pytest.fixture
def world(transactional_db) -> World:  # type: ignore[no-untyped-def]
    ensure_default_roles()  # an earlier transactional test's flush removed the migrations' roles
    return build_world()


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _race(world: World, actual: Actual, bodies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """POST every body at once from its own thread (own client, own database connection)."""
    clients = {name: _client(world, name) for name in bodies}
    barrier = threading.Barrier(len(bodies))
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            results[name] = clients[name].post("/api/actuals", json.dumps(bodies[name]),
                                               content_type="application/json")
        except Exception as exc:  # reported by the assertion below
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def test_two_clients_cannot_overwrite_each_other(world: World) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks whole tables across threads; run on PostgreSQL")
    actual = world.draft_yishan
    for round_ in range(ROUNDS):
        actual.refresh_from_db()
        version = actual.version
        base = {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": actual.month,
                "expected_version": version}
        values = {"yishan": f"{round_}.1", "county": f"{round_}.2"}
        results = _race(world, actual, {n: base | {"ytd_value": v, "note": f"{n}第{round_}轮"}
                                        for n, v in values.items()})
        statuses = sorted(getattr(r, "status_code", 0) for r in results.values())
        assert statuses == [200, 409], {n: getattr(r, "content", r) for n, r in results.items()}
        winner = next(n for n, r in results.items() if r.status_code == 200)
        loser = next(n for n, r in results.items() if r.status_code == 409)
        conflict = results[loser].json()
        assert conflict["changed_by"] == winner
        assert conflict["expected_version"] == version and conflict["current_version"] == version + 1
        assert conflict["change"]["after"]["ytd_value"] == values[winner]
        assert winner in conflict["detail"] and "您的修改未保存" in conflict["detail"]
        actual.refresh_from_db()
        assert actual.version == version + 1 and actual.ytd_value == Decimal(values[winner])


def test_check_version_names_the_last_change(world: World) -> None:
    actual = world.draft_yishan
    client = _client(world, "county")
    body = {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": actual.month,
            "ytd_value": "7.7", "expected_version": actual.version}
    assert client.post("/api/actuals", json.dumps(body), content_type="application/json").status_code == 200
    actual.refresh_from_db()
    check_version(actual, None)  # no version sent: no check
    check_version(actual, actual.version)
    with pytest.raises(StaleVersion) as caught:
        check_version(actual, actual.version - 1, "伊山镇3月收入")
    assert caught.value.change is not None and caught.value.change.actor == "county"
    assert "伊山镇3月收入" in caught.value.messages[0] and "county" in caught.value.messages[0]
