"""A plan's speech (依据原文, tens of kilobytes when loaded with ``--source``) is not read with every target: the
cockpit, the target list, the API target list and the evaluation read targets with their plan but leave the
speech out, and the plan still gives it when asked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.cockpit import board
from diaodu.plans.evaluation import evaluate_targets
from diaodu.plans.models import Plan, Target

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"
SPEECH = "同志们：今年是“十四五”规划收官之年。" * 2000


@pytest.fixture
def plan(personas) -> Plan:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    Plan.objects.update(source_text=SPEECH)
    return Plan.objects.get()


def _sql(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def test_reading_targets_with_their_plan_leaves_the_speech_out(plan: Plan) -> None:
    with CaptureQueriesContext(connection) as queries:
        results = evaluate_targets(Target.objects.filter(plan=plan), year=plan.year, as_of_month=6)
        own = board.own_targets(plan.org_unit, plan.year)
    assert len(results) == Target.objects.filter(plan=plan).count() > 0
    assert len(own) == Target.objects.filter(plan=plan, org_unit=plan.org_unit).count() > 0
    assert queries.captured_queries and "source_text" not in _sql(queries)
    assert {r.target.plan.code for r in results} == {t.plan.code for t in own} == {plan.code}
    assert own[0].plan.title == plan.title
    # left out, not lost: asked for, it is read
    assert own[0].plan.source_text == SPEECH
    assert results[0].target.plan.source_text == SPEECH


def test_the_pages_and_the_api_read_no_speech(plan: Plan, personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["leader"])
    urls = [
        reverse("cockpit:home"),
        reverse("plans:targets"),
        reverse("api:targets") + f"?unit={plan.org_unit.code}&as_of={plan.year}-06",
        reverse("cockpit:indicator", args=[Target.objects.filter(plan=plan).first().indicator.code]),  # type: ignore[union-attr]
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert "plans_plan" in _sql(queries) or "plans_target" in _sql(queries), url
        assert "source_text" not in _sql(queries), url
