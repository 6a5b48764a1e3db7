"""The board's own targets read by a fixed statement when the user's scope covers the unit are the targets (with
their plan, indicators and unit) the scoped queryset gives; users whose scope does not cover it go through it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.accounts.scope import READ_PERMS, DataScope, unit_scope
from diaodu.cockpit import board
from diaodu.cockpit.tests.scopes import scoped_user
from diaodu.plans.evaluation import evaluate_targets
from diaodu.plans.models import PLAN_TEXT, Target
from diaodu.plans.periods import Period

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"


def loaded(obj: Any) -> dict[str, Any]:
    """An instance's field values (what from_db set), without Django's bookkeeping."""
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def target_facts(t: Target) -> tuple[Any, ...]:
    return (
        loaded(t),
        loaded(t.plan),
        loaded(t.indicator),
        None if t.relative_to is None else loaded(t.relative_to),
        t.org_unit.pk,
    )


def scope_cases(personas: dict[str, Any], orgunits: dict[str, Any]) -> list[tuple[bool, Any, Any]]:
    """(the scope covers the unit, user, unit): full, partial (other units only) and no scope."""
    county, zone = orgunits["320723"], orgunits["320723-Z01"]
    custom = scoped_user(
        orgunits, "custom", "320723-D01", DataScope.CUSTOM, custom=("320723-Z01", "320723-T02")
    )
    return [  # covers the unit, or not (other units only, or none at all)
        (True, personas["leader"], county),
        (True, personas["lingang"], zone),
        (True, custom, zone),
        (True, scoped_user(orgunits, "zone-own", "320723-Z01", DataScope.UNIT), zone),
        (False, personas["lingang"], county),
        (False, custom, county),
        (False, personas["sysadmin"], county),
        (False, scoped_user(orgunits, "no-units", "320723-D01", DataScope.CUSTOM), zone),
    ]


def test_own_targets_are_those_of_the_scoped_queryset(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    county = orgunits["320723"]
    shown = 0
    for covers, user, unit in scope_cases(personas, orgunits):
        assert unit_scope(user, READ_PERMS).covers_unit(unit.pk) == covers
        scoped = list(
            Target.objects.visible_to(user)
            .filter(year=2025, org_unit=unit)
            .select_related("indicator", "relative_to", "plan", "org_unit")
            .defer(PLAN_TEXT)  # as the board reads them: without the plan's speech
            .order_by("plan__year", "plan__code", "sort_order", "pk")
        )
        everything = board.own_targets(unit, 2025)
        assert everything and any(t.relative_to is not None for t in board.own_targets(county, 2025))
        if covers:
            assert [target_facts(t) for t in everything] == [target_facts(t) for t in scoped]
        else:  # the statement would show targets the scope hides: the cases tell the two apart
            assert len(everything) > len(scoped)
        period = Period(2025, 9)
        with CaptureQueriesContext(connection) as ctx:
            table = board.build_board(user, unit, period, include_below=False, with_last_year=True)
        fixed = [q for q in ctx.captured_queries if "LEFT OUTER JOIN plans_indicator r" in q["sql"]]
        assert len(fixed) == (
            1 if covers else 0
        )  # the fixed statement exactly when the scope covers the unit
        assert [target_facts(r.target) for r in table.results] == [target_facts(t) for t in scoped]
        want = evaluate_targets(scoped, year=2025, as_of_month=9)
        assert [(r.evaluation, r.observations) for r in table.results] == [
            (r.evaluation, r.observations) for r in want
        ]
        shown += len(table.results)
    assert shown


def test_an_indicators_targets_are_those_of_the_scoped_queryset(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    """The indicator page reads the unit's targets of one indicator by the fixed statement exactly when the scope
    covers the unit, and shows the targets, in the order, that the scoped queryset gives."""
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    shown = 0
    for covers, user, unit in scope_cases(personas, orgunits):
        indicators = {t.indicator for t in board.own_targets(unit, 2025)}
        assert any(t.relative_to is not None for t in board.own_targets(orgunits["320723"], 2025))
        for indicator in indicators:
            scoped = list(
                Target.objects.visible_to(user)
                .filter(indicator=indicator, org_unit=unit, year=2025)
                .select_related("indicator", "relative_to", "plan", "org_unit")
                .defer(PLAN_TEXT)  # as evaluate_targets reads them
                .order_by("sort_order", "pk")
            )
            if covers:
                assert [target_facts(t) for t in board.own_targets(unit, 2025, indicator)] == [
                    target_facts(t) for t in scoped
                ]
            with CaptureQueriesContext(connection) as ctx:
                detail = board.build_indicator_detail(user, indicator, unit, 2025)
            fixed = [q for q in ctx.captured_queries if "LEFT OUTER JOIN plans_indicator r" in q["sql"]]
            assert len(fixed) == (1 if covers else 0)
            assert [target_facts(r.target) for r in detail.rows] == [target_facts(t) for t in scoped]
            want = evaluate_targets(scoped, year=2025, as_of_month=12)
            assert [(r.ev, r.result.observations) for r in detail.rows] == [
                (r.evaluation, r.observations) for r in want
            ]
            shown += len(detail.rows)
    assert shown
