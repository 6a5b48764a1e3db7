"""Reviews pages: rankings with scoped values, forecast, 实干指数, peer entry, sessions (score, publish, 点评)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure
from diaodu.reviews.models import ReviewSession, ScoringScheme
from diaodu.reviews.services import enter_peer_value

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def output(orgunits, personas) -> Indicator:  # type: ignore[no-untyped-def]
    ind = Indicator.objects.create(
        code="gyzcz", name="规上工业总产值", unit="%", value_unit="亿元", measure=Measure.GROWTH
    )
    for code, g in (("320722", "19.4"), ("320724", "12.0")):
        enter_peer_value(
            actor=personas["tjj"], indicator=ind, org_unit=orgunits[code], year=2025, month=9, growth_pct=D(g)
        )
    Actual.objects.create(
        indicator=ind,
        org_unit=orgunits["320723"],
        year=2025,
        month=9,
        growth_pct=D("18.2"),
        status=ActualStatus.APPROVED,
    )
    return ind


def test_rankings_show_peer_values_only_as_the_role_allows(personas, output) -> None:  # type: ignore[no-untyped-def]
    params = {"group": "lyg-counties", "indicator": "gyzcz", "month": "2025-09"}
    leader = client_for(personas["leader"]).get(reverse("reviews:rankings"), params).content.decode()
    assert "19.4" in leader and "18.2" in leader and "第2位" in leader and "不可见" not in leader
    town = client_for(personas["yishan"]).get(reverse("reviews:rankings"), params).content.decode()
    assert "第2位" in town and "19.4" not in town and "18.2" not in town and "不可见" in town


def test_peer_entry_page(personas, orgunits, output) -> None:  # type: ignore[no-untyped-def]
    c = client_for(personas["tjj"])
    assert c.get(reverse("reviews:peers")).status_code == 200
    response = c.post(
        reverse("reviews:peers"),
        {
            "org_unit": "320703",
            "indicator": "gyzcz",
            "month": "2025-09",
            "growth_pct": "8.0",
            "note": "连云港统计月报",
        },
    )
    assert response.status_code == 302
    a = Actual.objects.get(org_unit=orgunits["320703"], indicator=output, month=9)
    assert a.growth_pct == D("8.0") and a.status == ActualStatus.APPROVED
    bad = c.post(reverse("reviews:peers"), {"org_unit": "320703", "indicator": "gyzcz", "month": "2025-09"})
    assert bad.status_code == 200 and "增速类指标" in bad.content.decode()
    assert client_for(personas["yishan"]).get(reverse("reviews:peers")).status_code == 403


def test_forecast_and_shigan_pages(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    c = client_for(personas["leader"])
    assert c.get(reverse("reviews:forecast"), {"month": "2025-09"}).status_code == 200
    html = c.get(reverse("reviews:shigan"), {"month": "2025-09"}).content.decode()
    assert (
        'data-testid="shigan-units"' in html
        and "临港产业区" in html
        and 'data-testid="shigan-leaders"' in html
    )
    town = (
        client_for(personas["yishan"]).get(reverse("reviews:shigan"), {"month": "2025-09"}).content.decode()
    )
    assert (
        "伊山镇" in town and "临港产业区" not in town and "shigan-leaders" not in town
    )  # personal data: county only


def test_a_session_is_scored_published_and_commented_through_the_pages(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    scheme = ScoringScheme.objects.create(code="q", name="季度点评")
    s = ReviewSession.objects.create(
        title="三季度观摩点评", year=2025, quarter=3, org_unit=orgunits["320723"], scheme=scheme
    )
    yishan, yangji = orgunits["320723-T02"], orgunits["320723-T03"]
    s.units.set([yishan, yangji])
    dcs = client_for(personas["dcs"])
    for rater, a, b in (("甲", 90, 70), ("乙", 80, 75), ("丙", 85, 80), ("丁", 70, 60), ("戊", 95, 99)):
        r = dcs.post(
            reverse("reviews:session_scores", args=[s.pk]),
            {"rater": rater, f"unit-{yishan.pk}": a, f"unit-{yangji.pk}": b},
        )
        assert r.status_code == 302
    town = client_for(personas["yishan"])
    assert town.get(reverse("reviews:session", args=[s.pk])).status_code == 404  # draft
    assert (
        client_for(personas["leader"]).post(reverse("reviews:session_publish", args=[s.pk])).status_code
        == 404  # a draft is not visible to the leader
    )
    assert dcs.post(reverse("reviews:session_publish", args=[s.pk])).status_code == 302
    assert (
        dcs.post(
            reverse("reviews:session_comment", args=[s.pk]),
            {"org_unit": yangji.code, "text": "观摩项目推进偏慢。"},
        ).status_code
        == 302
    )
    html = town.get(reverse("reviews:session", args=[s.pk])).content.decode()
    assert "已发布" in html and "观摩项目推进偏慢。" in html and "去掉最高分95、最低分70" in html
    assert 'data-testid="sheet"' not in html and 'data-testid="publish"' not in html
    assert s.results.count() == 2
