"""The API's target list of one unit, read by a fixed statement when the user's scope covers the unit, is what the
scoped queryset gives (the targets with their plan, indicators and unit, and the JSON rows); users whose scope
does not cover the unit go through the queryset."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.accounts.scope import READ_PERMS, DataScope, unit_scope
from diaodu.cockpit import board
from diaodu.cockpit.tests.scopes import scoped_user
from diaodu.cockpit.tests.test_board_sql import loaded, target_facts
from diaodu.plans import api
from diaodu.plans.evaluation import BOARD_ORDER, evaluate_targets, unit_targets
from diaodu.plans.models import PLAN_TEXT

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"


def test_a_units_targets_are_those_of_the_scoped_queryset(personas, orgunits, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_PAGE_CACHE_SECONDS = 0  # every request computes its answer
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    county, zone = orgunits["320723"], orgunits["320723-Z01"]
    custom = scoped_user(
        orgunits, "custom", "320723-D01", DataScope.CUSTOM, custom=("320723-Z01", "320723-T02")
    )
    cases = [  # covers the unit, or not (other units only, or none at all)
        (True, personas["leader"], county),
        (True, personas["lingang"], zone),
        (True, custom, zone),
        (True, scoped_user(orgunits, "zone-own", "320723-Z01", DataScope.UNIT), zone),
        (
            True,
            scoped_user(orgunits, "county-only", "320723-D01", DataScope.CUSTOM, custom=("320723",)),
            county,
        ),
        (False, personas["lingang"], county),
        (False, custom, county),
        (False, scoped_user(orgunits, "no-units", "320723-D01", DataScope.CUSTOM), zone),
    ]
    assert any(t.relative_to is not None for t in unit_targets(county, 2025))
    for unit in (county, zone):  # in the cockpit's order: the board's own statement
        assert [target_facts(t) for t in unit_targets(unit, 2025, order=BOARD_ORDER)] == [
            target_facts(t) for t in board.own_targets(unit, 2025)
        ]
    shown = 0
    for covers, user, unit in cases:
        assert unit_scope(user, READ_PERMS).covers_unit(unit.pk) == covers
        scoped = list(
            api.scoped_targets(user, 2025, unit, include_below=False)
            .select_related("plan", "indicator", "org_unit", "relative_to")
            .defer(PLAN_TEXT)  # as the list reads them: without the plan's speech
        )
        everything = unit_targets(unit, 2025)
        assert everything
        if covers:  # with their unit, as the queryset reads it
            assert [(target_facts(t), loaded(t.org_unit)) for t in everything] == [
                (target_facts(t), loaded(t.org_unit)) for t in scoped
            ]
        else:  # the statement would show targets the scope hides: the cases tell the two apart
            assert len(everything) > len(scoped)
        client = Client()
        client.force_login(user)
        for below in (False, True):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(
                    reverse("api:targets"), {"unit": unit.code, "as_of": "2025-09", "include_below": below}
                )
            fixed = [q for q in ctx.captured_queries if "LEFT OUTER JOIN plans_indicator r" in q["sql"]]
            assert len(fixed) == (1 if covers and not below else 0)  # the fixed statement: one unit, covered
            if not covers:  # the unit is out of scope: 404, or 403 without any scope, as before
                assert response.status_code == (403 if unit_scope(user, READ_PERMS).empty else 404)
                continue
            want = api._rows(
                evaluate_targets(
                    api.scoped_targets(user, 2025, unit, include_below=below), year=2025, as_of_month=9
                )
            )
            assert response.status_code == 200
            assert response.json() == [
                {**r, "deadline": r["deadline"] and r["deadline"].isoformat()} for r in want
            ]
            shown += len(want)
    assert shown
