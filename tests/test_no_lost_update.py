"""No lost update: two clients edit the same record at the same moment, each based on the version it read.
Exactly one save wins; the other gets HTTP 409 naming the winner's change, and nothing is overwritten.

Records: a month of actuals (``/api/actuals``) and a supervision item (two departments replying at once)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from diaodu.core.testing.authz import YANGJI, YISHAN, World, build_world
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
    return _at_once(
        {
            name: functools.partial(
                clients[name].post, "/api/actuals", json.dumps(bodies[name]), content_type="application/json"
            )
            for name in bodies
        }
    )


def _at_once(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every call at the same moment, each in its own thread (and so its own database connection)."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            results[name] = calls[name]()
        except Exception as exc:  # reported by the assertion below
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in calls]
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
        base = {
            "indicator": world.revenue.code,
            "unit": YISHAN,
            "year": world.year,
            "month": actual.month,
            "expected_version": version,
        }
        values = {"yishan": f"{round_}.1", "county": f"{round_}.2"}
        results = _race(
            world, actual, {n: base | {"ytd_value": v, "note": f"{n}第{round_}轮"} for n, v in values.items()}
        )
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
    body = {
        "indicator": world.revenue.code,
        "unit": YISHAN,
        "year": world.year,
        "month": actual.month,
        "ytd_value": "7.7",
        "expected_version": actual.version,
    }
    assert client.post("/api/actuals", json.dumps(body), content_type="application/json").status_code == 200
    actual.refresh_from_db()
    check_version(actual, None)  # no version sent: no check
    check_version(actual, actual.version)
    with pytest.raises(StaleVersion) as caught:
        check_version(actual, actual.version - 1, "伊山镇3月收入")
    assert caught.value.change is not None and caught.value.change.actor == "county"
    assert "伊山镇3月收入" in caught.value.messages[0] and "county" in caught.value.messages[0]


def test_two_departments_cannot_overwrite_each_others_step_on_a_supervision_item(transactional_db) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks whole tables across threads; run on PostgreSQL")
    from diaodu.core.demo.personas import ensure_demo_users
    from diaodu.orgunits.models import OrgUnit
    from diaodu.orgunits.services import seed_guanyun
    from diaodu.supervision import services
    from diaodu.supervision.models import SupervisionItem

    ensure_default_roles()
    seed_guanyun()
    people = ensure_demo_users()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[YISHAN, YANGJI])}
    item = services.create_item(actor=people["dcs"], title="伊山镇工业集中区污水管网接入滞后")
    item = services.assign_item(
        item,
        actor=people["dcs"],
        lead_unit=units[YISHAN],
        co_units=[units[YANGJI]],
        deadline=dt.date.today() + dt.timedelta(days=60),
    )
    item = services.sign_item(item, actor=people["yishan"])
    clients: dict[str, Client] = {}
    for name in ("yishan", "yangji"):  # the lead and the co-department
        clients[name] = Client()
        clients[name].force_login(people[name])
    url = f"/api/supervision/items/{item.pk}/reply"
    for round_ in range(ROUNDS):
        item.refresh_from_db()
        version = item.version
        before = item.events.filter(action="reply").count()
        results = _at_once(
            {
                name: functools.partial(
                    client.post, url, {"text": f"{name}第{round_}轮进展", "expected_version": str(version)}
                )
                for name, client in clients.items()
            }
        )
        statuses = sorted(getattr(r, "status_code", 0) for r in results.values())
        assert statuses == [200, 409], {n: getattr(r, "content", r) for n, r in results.items()}
        winner = next(n for n, r in results.items() if r.status_code == 200)
        loser = next(n for n, r in results.items() if r.status_code == 409)
        conflict = results[loser].json()
        assert conflict["changed_by"] == winner and conflict["code"] == "stale_version"
        assert conflict["expected_version"] == version and conflict["current_version"] == version + 1
        assert winner in conflict["detail"] and "您的修改未保存" in conflict["detail"]
        item = SupervisionItem.objects.get(pk=item.pk)
        assert item.version == version + 1 and item.events.filter(action="reply").count() == before + 1
        assert item.events.filter(action="reply").latest("pk").text == f"{winner}第{round_}轮进展"


def test_a_stale_monthly_report_answers_409_naming_the_other_user(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.projects.tests.conftest import build_projects

    (project,) = build_projects(1, orgunits, personas["yishan"], personas["fgw"], through=8)
    clients: dict[str, Client] = {}
    for name in ("yishan", "county"):
        clients[name] = Client()
        clients[name].force_login(personas[name])

    def save(name: str, ytd: str, version: int | None) -> Any:
        body = {"project": project.pk, "year": 2025, "month": 9, "ytd_wan": ytd, "expected_version": version}
        return clients[name].post("/api/project-reports", json.dumps(body), content_type="application/json")

    read = save("yishan", "7200", None).json()["version"]  # both read this version
    assert save("yishan", "7300", read).status_code == 200
    stale = save("county", "7400", read)
    assert stale.status_code == 409, stale.content
    conflict = stale.json()
    assert conflict["changed_by"] == "yishan" and conflict["current_version"] == read + 1
    assert conflict["change"]["after"]["ytd_wan"] == "7300" and "yishan" in conflict["detail"]
    assert save("county", "7400", read + 1).status_code == 200
