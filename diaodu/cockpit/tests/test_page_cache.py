"""The cockpit is cached per data version: repeated requests are answered from memory, and every change that
can alter a figure (an approval, a reopening, a role change) is seen by the very next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.audit.models import AuditEvent
from diaodu.cockpit.tests.world import approved, make_plan, submitted
from diaodu.core import dataversion
from diaodu.plans import services

pytestmark = pytest.mark.django_db

PARAMS = {"month": "2025-09"}
MAIN = {"HX-Request": "true", "HX-Target": "cockpit-main"}  # the overview and table, as the filters load them


def _count(client: Client, url: str, params: dict[str, str] | None = None, **headers: str) -> tuple[Any, int]:
    """The response (asserted 200) and the number of queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {}, headers=headers)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def _get(client: Client, **headers: str) -> tuple[str, int]:
    """The cockpit of :data:`PARAMS` as text, and its query count."""
    response, queries = _count(client, reverse("cockpit:home"), PARAMS, **headers)
    return response.content.decode(), queries


@pytest.fixture
def leader(personas) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["leader"])
    return client


def test_a_repeated_cockpit_comes_from_the_cache_until_a_figure_changes(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    world = make_plan(orgunits)
    county = orgunits["320723"]
    approved(personas, world["four"], county, 8, ytd="61.25")
    first, computed = _get(leader, **MAIN)
    assert "61.25" in first
    again, served = _get(leader, **MAIN)
    assert again == first
    assert served < computed / 2  # the figures were not computed again
    # a submission changes no figure the cockpit shows: still from the cache
    september = submitted(personas, world["four"], county, 9, ytd="73.75")
    assert _get(leader, **MAIN)[0] == first
    # the approval is seen by the next request
    services.approve_actual(september, actor=personas["fgw"])
    after_approval, queries = _get(leader, **MAIN)
    assert "73.75" in after_approval and queries == computed
    # so is a reopening (the figure falls back to August's)
    services.reopen_actual(september, actor=personas["fgw"], reason="数据有误")
    reopened, _ = _get(leader, **MAIN)
    assert "73.75" not in reopened and "61.25" in reopened


def test_the_htmx_parts_are_cached_apart_from_the_page(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    make_plan(orgunits)
    page, _ = _get(leader)
    table, _ = _get(leader, **{"HX-Request": "true"})
    main, _ = _get(leader, **MAIN)
    assert "<html" in page and "<html" not in table and "<html" not in main
    assert table.startswith('<div id="board"') and main.startswith('<div id="cockpit-main"')
    assert main in page  # the page wraps the same main part
    assert _get(leader, **{"HX-Request": "true"})[0] == table


def test_users_never_share_a_cached_cockpit(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    make_plan(orgunits)
    leader, yishan = Client(), Client()
    leader.force_login(personas["leader"])
    yishan.force_login(personas["yishan"])
    county_page = leader.get(reverse("cockpit:home"), PARAMS).content.decode()
    own_page = yishan.get(reverse("cockpit:home"), PARAMS).content.decode()
    assert "灌云县 · 2025年9月" in county_page and "灌云县 · 2025年9月" not in own_page


def _event(**kw: Any) -> AuditEvent:
    values = {
        "action": "update",
        "object_type": "plans.target",
        "success": True,
        "before": None,
        "after": None,
    }
    return AuditEvent(**(values | kw))


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(action="create", object_type="plans.actual", after={"status": "draft"}), False),
        (
            _event(
                action="submit",
                object_type="plans.actual",
                before={"status": "draft"},
                after={"status": "submitted"},
            ),
            False,
        ),
        (
            _event(
                action="update", object_type="plans.actual", before={"ytd_value": 1}, after={"ytd_value": 2}
            ),
            False,
        ),
        (
            _event(
                action="approve",
                object_type="plans.actual",
                before={"status": "submitted"},
                after={"status": "approved"},
            ),
            True,
        ),
        (
            _event(
                action="reopen",
                object_type="plans.actual",
                before={"status": "approved"},
                after={"status": "draft"},
            ),
            True,
        ),
        (
            _event(
                action="approve",
                object_type="projects.monthlyreport",
                before={"status": "submitted"},
                after={"status": "approved"},
            ),
            True,
        ),
        (_event(action="update", object_type="plans.target"), True),
        (_event(action="update", object_type="projects.project"), True),
        (_event(action="update", object_type="accounts.user"), True),
        (_event(action="login", object_type="accounts.user"), False),
        (_event(action="update", object_type="plans.target", success=False), False),
    ],
)
def test_which_audited_changes_give_a_new_version(event: AuditEvent, expected: bool) -> None:
    assert dataversion.affects_figures(event) is expected


def test_a_rolled_back_version_is_never_reused(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    world = make_plan(orgunits)
    before = dataversion.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        approved(personas, world["four"], orgunits["320723"], 8, ytd="5")
        inside = dataversion.current()
        assert inside != before
        raise RuntimeError
    assert dataversion.current() == before
    approved(personas, world["four"], orgunits["320723"], 8, ytd="5")
    assert dataversion.current() not in (before, inside)


def test_a_role_change_gives_a_new_version(personas) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts import services as accounts

    user = personas["yishan"]
    before = dataversion.current()
    accounts.set_roles(actor=personas["secadmin"], user=user, roles=list(user.roles.all()))
    assert dataversion.current() != before


def test_the_indicator_page_is_cached_and_live(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    world = make_plan(orgunits)
    county = orgunits["320723"]
    url = reverse("cockpit:indicator", args=["four"])
    approved(personas, world["four"], county, 8, ytd="61.25")
    first, computed = _count(leader, url, PARAMS)
    _again, served = _count(leader, url, PARAMS)
    assert "61.25" in first.content.decode() and served < computed
    approved(personas, world["four"], county, 9, ytd="73.75")
    assert "73.75" in _count(leader, url, PARAMS)[0].content.decode()


def test_the_api_target_list_is_cached_per_user_and_live(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts import services as accounts

    world = make_plan(orgunits)
    county = orgunits["320723"]
    params = {"as_of": "2025-09"}
    approved(personas, world["four"], county, 8, ytd="61.25")

    def four(response: Any) -> Any:
        return next(t["actual"] for t in response.json() if t["indicator_code"] == "four")

    first, computed = _count(leader, "/api/targets", params)
    again, served = _count(leader, "/api/targets", params)
    assert four(first) == four(again) == 61.25 and served < computed
    # another user (here by API token) gets their own list, not the leader's cached one
    token = accounts.issue_api_token(actor=personas["yishan"], user=personas["yishan"], name="测试")
    officer = Client(headers={"Authorization": f"Bearer {token}"})
    codes = {t["org_unit_code"] for t in officer.get("/api/targets", params).json()}
    assert codes and "320723" not in codes
    approved(personas, world["four"], county, 9, ytd="73.75")
    assert four(_count(leader, "/api/targets", params)[0]) == 73.75


def test_the_target_list_is_cached_and_live(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    from diaodu.orgunits import services as units

    make_plan(orgunits)
    url = reverse("plans:targets")
    first, computed = _count(leader, url)
    _again, served = _count(leader, url)
    assert orgunits["320723-T02-IZ"].display_short in first.content.decode() and served < computed
    units.upsert_unit(actor=personas["sysadmin"], code="320723-T02-IZ", short_name="伊山园区（改名）")
    assert "伊山园区（改名）" in _count(leader, url)[0].content.decode()


def test_the_default_month_and_unit_are_computed_once_per_version_and_follow_an_approval(
    personas, orgunits, leader
) -> None:  # type: ignore[no-untyped-def]
    """Pages opened without ``?month=`` / ``?unit=`` share the user's default month and unit (computed by the
    first, per data version): the next page reads neither again; an approval of a later month moves them."""
    world = make_plan(orgunits)
    county = orgunits["320723"]
    approved(personas, world["four"], county, 8, ytd="61.25")
    first = leader.get(reverse("cockpit:home")).content.decode()
    assert "灌云县 · 2025年8月" in first

    def default_reads(url: str) -> tuple[str, tuple[int, int]]:
        with CaptureQueriesContext(connection) as ctx:
            html = leader.get(url).content.decode()
        latest = [q for q in ctx.captured_queries if 'SELECT "plans_actual"."year" AS "year"' in q["sql"]]
        units = [q for q in ctx.captured_queries if '"orgunits_orgunit"."path" ASC' in q["sql"]]
        return html, (len(latest), len(units))

    indicator_page, reads = default_reads(reverse("cockpit:indicator", args=["four"]))
    assert reads == (0, 1) and "61.25" in indicator_page  # the month is the cockpit's
    assert default_reads(reverse("cockpit:indicator", args=["iz"]))[1] == (0, 0)
    approved(personas, world["four"], county, 9, ytd="73.75")
    _html, reads = default_reads(reverse("cockpit:indicator", args=["iz"]))
    assert reads == (1, 1)  # a new version: both computed again
    assert "灌云县 · 2025年9月" in leader.get(reverse("cockpit:home")).content.decode()


def test_a_page_and_its_parts_read_the_version_and_the_scope_once(personas, orgunits, leader) -> None:  # type: ignore[no-untyped-def]
    """The cockpit page is computed from its cached main part: both keyed by one read of the data version, and
    the user's scope read again once before computing either."""
    make_plan(orgunits)
    with CaptureQueriesContext(connection) as ctx:
        assert leader.get(reverse("cockpit:home"), PARAMS).status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "core_dataversion"' in s for s in statements) == 1
    assert sum('FROM "accounts_role"' in s for s in statements) == 2  # the access check, then the re-read
