"""The cockpit overview (cards, funnel, investment, zones and towns, behind list), the project drill-down and the
big screen: content, scope and htmx."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.accounts.models import Role
from diaodu.accounts.scope import DataScope, Perm, forget_cached_scope
from diaodu.cockpit.tests.world import COUNTY, YISHAN_IZ, approved, make_plan
from diaodu.projects.models import MonthlyReport, Project, ProjectYear

pytestmark = pytest.mark.django_db
YISHAN = "320723-T02"


@pytest.fixture
def world(orgunits, personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    w = make_plan(orgunits)
    approved(personas, w["iz"], orgunits[YISHAN_IZ], 9, ytd="1", officer="yishan")  # 1 of 5: red
    approved(personas, w["gdp"], orgunits[COUNTY], 9, growth="7.4")
    p = Project.objects.create(
        name="伊山绿色食品产业园项目",
        org_unit=orgunits[YISHAN_IZ],
        total_investment_wan=D(80000),
        leader=personas["leader"],
        stage="started",
    )
    ProjectYear.objects.create(
        project=p, year=2025, is_key=True, key_level="county", planned_investment_wan=D(12000)
    )
    MonthlyReport.objects.create(project=p, year=2025, month=9, ytd_wan=D(6000), status="approved")
    w["project"] = p
    return w


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_county_overview_has_cards_charts_units_and_the_behind_list(personas, world) -> None:  # type: ignore[no-untyped-def]
    html = client_for(personas["leader"]).get(reverse("cockpit:home"), {"month": "2025-09"}).content.decode()
    assert html.count('data-testid="main-card"') == 2  # the county's 主要预期目标
    assert 'data-testid="main-card" data-status="green"' in html and "7.4%" in html
    assert html.count('data-chart="{&quot;') == 2  # funnel and investment
    assert 'data-unit="320723-Z01"' in html and 'data-unit="320723-T02"' in html  # zones and towns
    assert html.count('data-testid="unit-column"') == 2 + 13
    # behind: the red cluster target, and the project (6000 of 12000 × 9/12 = 9000 to date)
    assert 'data-kind="target"' in html and "新开工投资过亿元工业项目" in html
    assert 'data-kind="project"' in html and "低于序时计划9000万元" in html
    assert reverse("cockpit:project", args=[world["project"].pk]) in html


def test_drill_down_to_a_town_and_a_project(personas, world) -> None:  # type: ignore[no-untyped-def]
    c = client_for(personas["leader"])
    town = c.get(reverse("cockpit:home"), {"unit": YISHAN, "month": "2025-09"}).content.decode()
    assert "伊山镇 · 2025年9月" in town and "↑ 灌云县" in town
    assert 'data-unit="320723-T02-IZ"' not in town  # clusters are not zones or towns
    assert "伊山绿色食品产业园项目" in town
    page = c.get(reverse("cockpit:project", args=[world["project"].pk]), {"month": "2025-09"})
    html = page.content.decode()
    assert page.status_code == 200 and "伊山绿色食品产业园项目" in html
    assert "50%" in html and "points-behind" in html and "data-chart=" in html


def test_the_filter_swaps_overview_and_board_together(personas, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["leader"]).get(
        reverse("cockpit:home"),
        {"month": "2025-09"},
        headers={"HX-Request": "true", "HX-Target": "cockpit-main"},
    )
    html = response.content.decode()
    assert (
        html.startswith('<div id="cockpit-main"')
        and 'data-testid="overview"' in html
        and 'id="board"' in html
    )


def test_a_town_officer_sees_the_county_cockpit_only_if_the_role_allows(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    officer = personas["yishan"]
    c = client_for(officer)
    assert c.get(reverse("cockpit:home"), {"unit": COUNTY}).status_code == 404
    assert c.get(reverse("cockpit:screen"), {"unit": COUNTY}).status_code == 404
    own = c.get(reverse("cockpit:home"), {"month": "2025-09"}).content.decode()
    assert "伊山镇 · 2025年9月" in own
    # A role that grants reading the county (custom scope) opens it.
    role = Role.objects.create(
        code="county-reader", name="县级查看", permissions=[Perm.VIEW_DATA], data_scope=DataScope.CUSTOM
    )
    role.custom_units.set([orgunits[COUNTY]])
    officer.roles.add(role)
    forget_cached_scope(officer)
    c = client_for(officer)
    assert c.get(reverse("cockpit:home"), {"unit": COUNTY, "month": "2025-09"}).status_code == 200
    assert c.get(reverse("cockpit:screen"), {"unit": COUNTY, "month": "2025-09"}).status_code == 200


def test_a_project_outside_the_scope_is_404(personas, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("cockpit:project", args=[world["project"].pk])
    assert client_for(personas["yangji"]).get(url).status_code == 404
    assert client_for(personas["yishan"]).get(url).status_code == 200
    assert client_for(personas["sysadmin"]).get(url).status_code == 403


def test_the_big_screen_is_dark_polls_and_has_no_base_layout(personas, world) -> None:  # type: ignore[no-untyped-def]
    c = client_for(personas["leader"])
    html = c.get(reverse("cockpit:screen"), {"unit": COUNTY, "month": "2025-09"}).content.decode()
    assert 'class="screen"' in html and "screen.css" in html and 'hx-trigger="every 60s"' in html
    assert 'data-theme="dark"' in html and "navbar" not in html
    assert "month=2025-09" in html  # polling keeps the month
    partial = c.get(
        reverse("cockpit:screen"), {"unit": COUNTY, "month": "2025-09"}, headers={"HX-Request": "true"}
    )
    assert partial.content.decode().startswith('<main id="screen-body"')
