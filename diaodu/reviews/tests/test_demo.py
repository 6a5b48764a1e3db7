"""The reviews demo: groups, peers' figures labelled 演示数据, the two sessions; idempotent."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import call_command

from diaodu.orgunits.models import PeerGroup
from diaodu.plans.models import Actual, ActualStatus, Target
from diaodu.reviews.demo import DEMO_NOTE, load_demo_reviews
from diaodu.reviews.models import ReviewSession
from diaodu.reviews.ranking import rank_group

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"


def test_the_demo_loads_peers_and_sessions_once(orgunits, personas) -> None:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE))
    gdp = Target.objects.get(key="county-gdp-growth").indicator
    for m in (5, 6):
        Actual.objects.create(
            indicator=gdp,
            org_unit=orgunits["320723"],
            year=2025,
            month=m,
            growth_pct=D("6.5"),
            status=ActualStatus.APPROVED,
        )
    load_demo_reviews(users=personas, through_month=6)  # June: the second quarter's review only (fewer rows)
    assert {"gy-zones", "gy-towns"} <= set(PeerGroup.objects.values_list("code", flat=True))
    peers = Actual.objects.filter(org_unit__is_external=True)
    assert peers.exists() and set(peers.values_list("note", flat=True)) == {DEMO_NOTE}
    ranking = rank_group("lyg-counties", gdp, year=2025, month=6)
    assert ranking.ranked_count == 6 and ranking.entry_for("320723").rank is not None  # type: ignore[union-attr]
    [q2] = ReviewSession.objects.order_by("quarter")
    assert q2.is_published and q2.results.count() == 15 and q2.comments.count() == 2
    assert q2.scores.count() == 7 * 15  # seven raters: highest and lowest dropped
    count = peers.count()
    load_demo_reviews(users=personas, through_month=6)  # again: nothing new
    assert Actual.objects.filter(org_unit__is_external=True).count() == count
    assert ReviewSession.objects.count() == 1
