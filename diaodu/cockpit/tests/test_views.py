"""Cockpit pages: scope, month, grouping, lights from the evaluation, htmx partials, constant queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.cockpit.tests.world import COUNTY, YANGJI_IZ, YISHAN_IZ, approved, make_plan
from diaodu.plans.models import Indicator, Target

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(orgunits, personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_plan(orgunits)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response: Any) -> str:
    return response.content.decode()


def test_it_shows_the_county_targets_grouped_by_section(personas, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["leader"]).get(reverse("cockpit:home"), {"month": "2025-09"})
    html = rows(response)
    assert response.status_code == 200
    assert "灌云县 · 2025年9月" in html
    assert "主要预期目标" in html and "地区生产总值" in html
    assert "≥ 7%" in html and "确保" in html
    assert "地区生产总值增长7%以上" in html  # the quote
    assert "新开工投资过亿元工业项目" not in html  # sub-unit target only with below=1
    assert html.index("地区生产总值") < html.index("新增“四上”企业数")  # plan order
    assert 'data-testid="count-grey">2<' in html


def test_it_includes_sub_units_with_below(personas, world) -> None:  # type: ignore[no-untyped-def]
    html = rows(
        client_for(personas["leader"]).get(reverse("cockpit:home"), {"month": "2025-09", "below": "1"})
    )
    assert "三大板块·镇级工业集中区" in html
    assert html.count('data-testid="target-row"') == 4


def test_it_shows_lights_and_points_from_the_evaluation(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 9, ytd="5", officer="yishan")
    approved(personas, world["iz"], orgunits[YANGJI_IZ], 9, ytd="2", officer="yangji")
    approved(personas, world["gdp"], orgunits[COUNTY], 9, growth="7.4")
    html = rows(
        client_for(personas["leader"]).get(reverse("cockpit:home"), {"month": "2025-09", "below": "1"})
    )
    assert 'data-target-key="iz-t02" data-status="green"' in html
    assert 'data-target-key="iz-t03" data-status="red"' in html
    assert 'data-target-key="gdp" data-status="green"' in html
    assert "7.4%" in html
    # 5 of 5 after 9 months: completion 100%, schedule 75%, +25.0 points; 2 of 5: 40% - 75% = -35.0
    assert "75.0%" in html and "+25.0" in html and "-35.0" in html
    assert 'data-testid="count-green">2<' in html and 'data-testid="count-red">1<' in html


def test_it_defaults_to_the_latest_approved_month(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    approved(personas, world["gdp"], orgunits[COUNTY], 8, growth="6.1")
    html = rows(client_for(personas["leader"]).get(reverse("cockpit:home")))
    assert "2025年8月" in html and 'value="2025-08"' in html


def test_it_defaults_to_the_top_unit_the_user_can_see(personas, world) -> None:  # type: ignore[no-untyped-def]
    assert "灌云县 · " in rows(client_for(personas["fgw"]).get(reverse("cockpit:home")))  # own unit: 发改委
    html = rows(client_for(personas["yishan"]).get(reverse("cockpit:home")))
    assert "伊山镇 · " in html
    assert '<option value="320723-T02-IZ"' in html and '<option value="320723"' not in html


def test_it_404s_outside_scope_and_403s_for_administrators(personas, world) -> None:  # type: ignore[no-untyped-def]
    assert (
        client_for(personas["yishan"]).get(reverse("cockpit:home"), {"unit": "320723-T03"}).status_code == 404
    )
    assert client_for(personas["yishan"]).get(reverse("cockpit:home"), {"unit": YISHAN_IZ}).status_code == 200
    for admin in ("sysadmin", "secadmin", "auditadmin"):
        assert client_for(personas[admin]).get(reverse("cockpit:home")).status_code == 403
    assert Client().get(reverse("cockpit:home")).status_code == 302


def test_it_returns_a_partial_to_htmx(personas, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["leader"]).get(
        reverse("cockpit:home"), {"unit": YISHAN_IZ, "month": "2025-09"}, headers={"HX-Request": "true"}
    )
    html = rows(response)
    assert response.status_code == 200
    assert html.startswith('<div id="board"') and "<html" not in html
    assert "伊山镇工业集中区" in html and "HX-Request" in response["Vary"]


def _count_queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_it_uses_a_constant_number_of_queries(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    world = make_plan(orgunits, extra=2)
    client = client_for(personas["leader"])
    params = {"month": "2025-09", "below": "1"}
    small = _count_queries(client, reverse("cockpit:home"), params)
    for i in range(2, 20):  # 18 more targets
        ind = Indicator.objects.create(code=f"more-{i}", name=f"更多指标{i}", unit="个", measure="count")
        Target.objects.create(
            plan=world["plan"],
            key=f"more-{i}",
            section="其他",
            indicator=ind,
            org_unit=orgunits[COUNTY],
            year=2025,
            value=10,
            quote="测试",
            sort_order=100 + i,
        )
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 9, ytd="5", officer="yishan")
    large = _count_queries(client, reverse("cockpit:home"), params)
    assert small == large


def test_it_charts_one_indicator_month_by_month(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 3, ytd="1", base="1", officer="yishan")
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 6, ytd="2", base="2", officer="yishan")
    response = client_for(personas["yishan"]).get(
        reverse("cockpit:indicator", args=["iz"]), {"unit": YISHAN_IZ, "month": "2025-09"}
    )
    html = rows(response)
    assert response.status_code == 200
    start = html.index('<script id="indicator-chart-data" type="application/json">') + len(
        '<script id="indicator-chart-data" type="application/json">'
    )
    chart = json.loads(html[start : html.index("</script>", start)])
    assert chart["actual"][2] == "1" and chart["actual"][5] == "2" and chart["actual"][0] is None
    assert chart["targets"][0]["data"][2] == "1.25" and chart["targets"][0]["data"][11] == "5"  # 5 × m/12
    assert chart["base"][5] == "2"
    assert "<script>" not in html  # no inline script; data only through json_script
    # March 1 of 1.25 → red, made up by June (2 of 2.5 → still red): both months shown with their lights
    assert html.count('data-testid="month-table"') == 1 and "3月" in html and "6月" in html
    assert "未达进度" in html


def test_one_indicators_page_reads_its_series_once(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    """With targets, the month table and the chart reuse the series the evaluation read (one read of the
    actuals); without a target at the unit, the page still reads and charts the approved months."""
    from diaodu.cockpit.board import build_indicator_detail

    approved(personas, world["iz"], orgunits[YISHAN_IZ], 3, ytd="1", base="1", officer="yishan")
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 6, ytd="2", base="2", officer="yishan")
    unit = orgunits[YISHAN_IZ]
    with CaptureQueriesContext(connection) as captured:
        detail = build_indicator_detail(personas["yishan"], world["iz"], unit, 2025)
    reads = [q["sql"] for q in captured.captured_queries if '"plans_actual"' in q["sql"]]
    assert len(reads) == 1 and detail.rows
    assert detail.chart["actual"][2] == "1" and detail.chart["actual"][5] == "2"
    with_targets = (detail.chart["actual"], detail.chart["base"], [m.actual_text for m in detail.months])
    Target.objects.filter(indicator=world["iz"], org_unit=unit).delete()
    bare = build_indicator_detail(personas["yishan"], world["iz"], unit, 2025)
    assert not bare.rows and not bare.chart["targets"]
    assert (bare.chart["actual"], bare.chart["base"], [m.actual_text for m in bare.months]) == with_targets


def test_it_404s_for_an_indicator_unit_out_of_scope(personas, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["yishan"])
    assert client.get(reverse("cockpit:indicator", args=["iz"]), {"unit": YANGJI_IZ}).status_code == 404
    assert client.get(reverse("cockpit:indicator", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", {"head": "超/欠进度", "quote": "原文依据", "card": "目标", "month": "9月"}),
        ("en", {"head": "Ahead/behind (points)", "quote": "Source quote", "card": "Target", "month": "9"}),
    ],
)
def test_the_tables_and_cards_words_are_in_the_users_language(
    personas, orgunits, world, language, words
) -> None:  # type: ignore[no-untyped-def]
    """The words repeated in every section, row and card (translated once per page) are in every one of them."""
    approved(personas, world["four"], orgunits[COUNTY], 9, ytd="73.75")
    client = client_for(personas["leader"])
    client.cookies["django_language"] = language
    html = rows(client.get(reverse("cockpit:home"), {"month": "2025-09"}))
    sections = html.count('<table class="table table-vcenter card-table">')
    targets = html.count('data-testid="target-row"')
    cards = html.count('data-testid="main-card"')
    assert sections and targets and cards
    assert html.count(f'<th class="num">{words["head"]}</th>') == sections
    assert html.count(f'<summary class="small text-secondary">{words["quote"]}</summary>') == targets
    assert html.count(f'<div class="small text-secondary">{words["card"]} ') == cards
    assert f"<td>{words['month']}" in html  # the data month of the approved row
