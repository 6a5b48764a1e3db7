"""With a replica alias configured, cockpit reads go to it and writes never do.

The ``replica`` alias is added here the way settings add it for DATABASE_REPLICA_URL: a second alias with
TEST MIRROR = default, i.e. a second connection to the same test database (added at import, before the test
databases are set up, so that Django points the mirror at the test database).
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.core.dbrouter import ReplicaRouter, replica_reads
from diaodu.core.testing.authz import build_world
from diaodu.plans.models import Actual

if "replica" not in connections.settings:
    connections.settings["replica"] = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def world(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DIAODU_READ_REPLICA = "replica"
    return build_world()


def _queries(client: Client, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = getattr(client, method)(url, **kwargs)
    return response, primary.captured_queries, replica.captured_queries


def test_cockpit_reads_go_to_the_replica(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users["leader"])
    response, primary, replica = _queries(client, "get", reverse("cockpit:home"))
    assert response.status_code == 200
    assert any("plans_target" in q["sql"] for q in replica)
    assert not any(
        "plans_target" in q["sql"] for q in primary
    )  # only the session and the user stay on the primary


def test_writes_never_go_to_the_replica(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users["yishan"])
    payload = {
        "indicator": world.revenue.code,
        "unit": world.yishan.code,
        "year": 2025,
        "month": 4,
        "ytd_value": "1.5",
    }
    response, primary, replica = _queries(
        client, "post", reverse("api:actual_save"), data=payload, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert not replica
    assert any(q["sql"].startswith("INSERT") for q in primary)
    assert Actual.objects.filter(month=4, org_unit=world.yishan).exists()


def test_data_entry_pages_read_the_primary(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users["yishan"])
    response, _primary, replica = _queries(client, "get", reverse("plans:entry"))
    assert response.status_code == 200
    assert not replica


def test_the_router(settings) -> None:  # type: ignore[no-untyped-def]
    router = ReplicaRouter()
    settings.DIAODU_READ_REPLICA = "replica"
    assert router.db_for_read(Actual) == "default"
    with replica_reads():
        assert router.db_for_read(Actual) == "replica"
        assert router.db_for_write(Actual) == "default"
    settings.DIAODU_READ_REPLICA = ""
    with replica_reads():
        assert router.db_for_read(Actual) == "default"  # no replica configured
    assert router.allow_migrate("replica", "plans") is False
    assert router.allow_migrate("default", "plans") is True
