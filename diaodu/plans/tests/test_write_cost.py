"""What a unit officer's save and submit through the API cost (the deadline rush: ``diaodu bench http``), and that
answering from the written instance (no read after the write) gives what is stored.

Statement counts are with the test's own transaction around the request, as pytest-django runs it: the service's
transaction shows as SAVEPOINT … RELEASE (BEGIN and COMMIT outside a test).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.accounts.services import issue_api_token
from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import YISHAN, World, build_world
from diaodu.plans.models import Actual, ActualStatus

# token + user + unit, roles, the officer's subtree, indicator (the unit is the officer's own, read with the user),
# SAVEPOINT, the month's row FOR UPDATE (no join), INSERT, the audit row (PostgreSQL: one query with the chain's
# lock; SQLite: the last hash, then the row), RELEASE
SAVE_STATEMENTS = {"postgresql": 9, "sqlite": 10}
# token + user + unit, roles, subtree, the row in scope, SAVEPOINT, the row FOR UPDATE, UPDATE, the audit row,
# RELEASE
SUBMIT_STATEMENTS = {"postgresql": 9, "sqlite": 10}


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


@pytest.fixture
def officer(world: World) -> Client:
    key = issue_api_token(actor=world.users["yishan"], user=world.users["yishan"], name="填报")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (
        client.get(reverse("api:me")).status_code == 200
    )  # the token's first use stamps it (once in 5 minutes)
    return client


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, body or {}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json(), [q["sql"] for q in ctx.captured_queries]


def test_an_officer_saves_and_submits_a_month_in_few_statements(world: World, officer: Client) -> None:
    body = {
        "indicator": world.revenue.code,
        "unit": YISHAN,
        "year": world.year,
        "month": 4,
        "ytd_value": "1.5",
    }
    saved, save_sqls = _post(officer, reverse("api:actual_save"), body)
    submitted, submit_sqls = _post(officer, reverse("api:actual_submit", kwargs={"actual_id": saved["id"]}))

    assert saved["status"] == ActualStatus.DRAFT and submitted["status"] == ActualStatus.SUBMITTED
    if (
        connection.vendor == "postgresql"
    ):  # the chain's lock and the audit row in one round trip, the last but one
        for sqls in (save_sqls, submit_sqls):
            [locked] = [sql for sql in sqls if "pg_advisory_xact_lock" in sql]
            assert 'INSERT INTO "audit_auditevent"' in locked and sqls.index(locked) == len(sqls) - 2
    assert len(save_sqls) <= SAVE_STATEMENTS[connection.vendor], "\n".join(save_sqls)
    assert len(submit_sqls) <= SUBMIT_STATEMENTS[connection.vendor], "\n".join(submit_sqls)
    # one savepoint only: the service's transaction; the audit write adds none
    assert sum(sql.startswith("SAVEPOINT") for sql in save_sqls + submit_sqls) == 2
    # the month's row is looked up and locked alone, not with its indicator's and unit's rows
    [lookup] = [sql for sql in save_sqls if sql.startswith('SELECT "plans_actual"')]
    assert "JOIN" not in lookup
    # nothing is read after the write: the last statement is the end of the transaction
    assert save_sqls[-1].startswith("RELEASE") and submit_sqls[-1].startswith("RELEASE")


def test_the_answer_of_every_write_is_what_a_later_read_shows(world: World, officer: Client) -> None:
    """Saves, submits, returns, approvals and reopenings answer from the instance they wrote: the same JSON as the
    detail read afterwards, also for figures with more decimal places than the column keeps (the database rounds
    them, and so does the service: the audit row records the figure that is stored)."""
    fgw = Client()
    fgw.force_login(world.users["fgw"])

    def detail(actual_id: int) -> Any:
        return officer.get(reverse("api:actual_detail", kwargs={"actual_id": actual_id})).json()

    body = {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": 4,
            "ytd_value": "12.123456", "base_value": "0.00005", "note": "来源"}  # fmt: skip
    saved, _ = _post(officer, reverse("api:actual_save"), body)
    assert saved == detail(saved["id"])
    assert saved["ytd_value"] == "12.1235" and saved["base_value"] == "0.0001"  # rounded half away from zero
    stored = Actual.objects.get(pk=saved["id"])
    created = AuditEvent.objects.filter(object_type="plans.actual", object_id=str(stored.pk)).get()
    assert created.after is not None
    assert created.after["ytd_value"] == "12.1235" and created.after["base_value"] == "0.0001"

    again, _ = _post(officer, reverse("api:actual_save"), body | {"expected_version": saved["version"]})
    assert again == saved  # the same figure once rounded: nothing changed, nothing audited
    assert AuditEvent.objects.filter(object_type="plans.actual", object_id=str(stored.pk)).count() == 1
    updated, _ = _post(officer, reverse("api:actual_save"), body | {"ytd_value": "13"})
    assert updated == detail(saved["id"]) and updated["version"] == saved["version"] + 1

    steps = [
        (officer, "api:actual_submit", {}),
        (fgw, "api:actual_return", {"comment": "请核实"}),
        (officer, "api:actual_submit", {}),
        (fgw, "api:actual_approve", {"comment": "同意"}),
        (fgw, "api:actual_reopen", {"reason": "数据更正"}),
    ]
    for client, route, payload in steps:
        answer, _ = _post(client, reverse(route, kwargs={"actual_id": saved["id"]}), payload)
        assert answer == detail(saved["id"]), route


def test_a_save_for_the_own_unit_is_still_scoped(world: World) -> None:
    """The officer's own unit is taken from the user's row only when the scope covers it: a user whose roles do
    not cover their own unit gets 404 for it, as the query answers, and other units are still looked up."""
    from diaodu.accounts.models import Role
    from diaodu.accounts.scope import DataScope, Perm

    user = world.users["yishan"]
    role = Role.objects.create(
        code="enter-yangji", name="代填杨集", permissions=[Perm.VIEW_DATA, Perm.ENTER_DATA],
        data_scope=DataScope.CUSTOM,
    )  # fmt: skip
    role.custom_units.set([world.yangji])
    user.roles.set([role])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=user, user=user, name='代填')}")
    body = {"indicator": world.revenue.code, "year": world.year, "month": 4, "ytd_value": "1"}

    own = client.post(reverse("api:actual_save"), body | {"unit": YISHAN}, content_type="application/json")
    other = client.post(
        reverse("api:actual_save"), body | {"unit": world.yangji.code}, content_type="application/json"
    )

    assert own.status_code == 404
    assert other.status_code == 200 and other.json()["org_unit_code"] == world.yangji.code
