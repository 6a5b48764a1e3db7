"""GET /api/orgunits: the tree within the caller's scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.orgunits.models import OrgUnitKind
from diaodu.orgunits.services import upsert_unit

URL = "/api/orgunits"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def get_as(user: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(URL)


def test_it_is_mounted_under_the_api_namespace() -> None:
    assert reverse("api:orgunits") == URL


def test_it_lists_a_town_officers_subtree(personas) -> None:  # type: ignore[no-untyped-def]
    response = get_as(personas["yishan"])

    assert response.status_code == 200
    rows = response.json()
    assert rows[0] == {
        "code": "320723-T02",
        "name": "伊山镇",
        "short_name": "伊山",
        "kind": "town",
        "parent_code": "320723",
        "depth": 1,
        "is_external": False,
    }
    assert all(row["code"].startswith("320723-T02") for row in rows)
    codes = {row["code"] for row in rows}
    assert all(row["parent_code"] in codes for row in rows[1:])


def test_it_lists_the_whole_tree_to_the_leader(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    rows = get_as(personas["leader"]).json()

    assert len(rows) == len(orgunits)
    county = next(row for row in rows if row["code"] == "320723")
    assert county["parent_code"] is None
    codes = [row["code"] for row in rows]
    for row in rows:  # parents come before their children
        if row["parent_code"] in codes:
            assert codes.index(row["parent_code"]) < codes.index(row["code"])


def test_it_lets_the_system_administrator_list_units(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    assert len(get_as(personas["sysadmin"]).json()) == len(orgunits)


@pytest.mark.parametrize("username", ["secadmin", "auditadmin"])
def test_it_refuses_other_administrators(personas, username: str) -> None:  # type: ignore[no-untyped-def]
    response = get_as(personas[username])

    assert response.status_code == 403
    assert response.json() == {"detail": "您的角色无权查看单位数据。"}


def test_it_refuses_anonymous_callers(orgunits) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(URL)

    assert response.status_code == 401


@pytest.mark.parametrize("username", ["leader", "yishan"])
def test_its_queries_do_not_grow_with_units(personas, orgunits, username: str) -> None:  # type: ignore[no-untyped-def]
    def count() -> int:
        client = Client()
        client.force_login(personas[username])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    town = orgunits["320723-T02"]
    for i in range(6):
        upsert_unit(
            actor=None, code=f"320723-T02-V{i:02d}", name=f"测试村{i}", kind=OrgUnitKind.CLUSTER, parent=town
        )

    assert count() == small
