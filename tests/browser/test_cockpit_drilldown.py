"""The cockpit in a real browser: the county overview, drill down to a town and to one of its projects, then the
big-screen mode at 1920×1080 — screenshots in artifacts/, no console errors, no layout overflow on the big screen.

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.core.demo.users import DEMO_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILE = ROOT / "plans" / "guanyun-2025.yaml"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TOWN = "320723-T02"  # 伊山镇
PROJECT = "伊山绿色食品产业园项目（测试）"


@pytest.fixture
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (it installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def world(transactional_db, orgunits, personas) -> None:  # type: ignore[no-untyped-def]
    from diaodu.plans.models import Actual, ActualStatus, Indicator
    from diaodu.projects.models import MonthlyReport, Project, ProjectYear

    call_command("plan", "load", str(PLAN_FILE))
    gdp = Indicator.objects.filter(name__contains="地区生产总值").first()
    if gdp is not None:
        Actual.objects.create(
            indicator=gdp,
            org_unit=orgunits["320723"],
            year=2025,
            month=9,
            growth_pct=Decimal("6.8"),
            status=ActualStatus.APPROVED,
            note="测试",
        )
    p = Project.objects.create(
        name=PROJECT,
        org_unit=orgunits[f"{TOWN}-IZ"],
        total_investment_wan=Decimal(80000),
        leader=personas["leader"],
        stage="started",
    )
    ProjectYear.objects.create(
        project=p, year=2025, is_key=True, key_level="county", planned_investment_wan=Decimal(12000)
    )
    for m in range(1, 10):
        MonthlyReport.objects.create(
            project=p, year=2025, month=m, ytd_wan=Decimal(650 * m), status="approved"
        )


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("[data-testid=current-user]")


def test_cockpit_drilldown_and_big_screen(world, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text} {msg.location}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

    # 1. The county cockpit: cards, charts drawn (canvas), zones and towns side by side.
    log_in(page, base, "leader")
    page.goto(f"{base}/?unit=320723&month=2025-09")
    page.wait_for_selector("[data-testid=main-card]")
    page.wait_for_selector("#funnel-chart canvas")
    page.wait_for_selector("#investment-chart canvas")
    assert page.locator("[data-testid=unit-column]").count() == 15  # 2 zones + 13 towns
    page.screenshot(path=str(ARTIFACTS / "drilldown-1-county.png"), full_page=True)

    # 2. Drill down to 伊山镇.
    page.click(f"[data-testid=unit-column][data-unit='{TOWN}'] [data-testid=drill-unit]")
    page.wait_for_selector("h2:has-text('伊山镇 · 2025年9月')")
    assert f"unit={TOWN}" in page.url
    page.wait_for_selector("#investment-chart canvas")
    page.screenshot(path=str(ARTIFACTS / "drilldown-2-town.png"), full_page=True)

    # 3. Drill down to the project: 5850 of 12000 × 9/12 = 9000 to date → behind (48.8% done).
    page.click(f"[data-testid=drill-project]:has-text('{PROJECT}')")
    page.wait_for_selector(f"h1:has-text('{PROJECT}')")
    page.wait_for_selector("#project-chart canvas")
    assert "48.8%" in page.locator("[data-testid=project-completion]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "drilldown-3-project.png"), full_page=True)

    # 4. Back to the county and switch to big-screen mode, at 1920×1080.
    page.click("[data-testid=back-to-unit]")
    page.goto(f"{base}/?unit=320723&month=2025-09")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.click("[data-testid=screen-link]")
    page.wait_for_selector("[data-testid=screen]")
    page.wait_for_selector("#funnel-chart canvas")
    page.wait_for_selector("#investment-chart canvas")
    assert "/cockpit/screen/" in page.url and "month=2025-09" in page.url
    assert page.locator("body.screen").count() == 1
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 21, 36)", background  # dark
    size = page.evaluate(
        "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})"
    )
    assert size["w"] <= 1920 and size["h"] <= 1080, size
    polling = page.locator("#screen-body").get_attribute("hx-trigger")
    assert polling is not None and polling.startswith("every ")
    page.screenshot(path=str(ARTIFACTS / "drilldown-4-screen.png"))

    # The htmx poll swaps the body in place and the charts are drawn again (no overflow afterwards either).
    page.evaluate(
        "htmx.ajax('GET', document.getElementById('screen-body').getAttribute('hx-get'),"
        " {target: '#screen-body', swap: 'outerHTML'})"
    )
    page.wait_for_selector("#investment-chart canvas")
    size = page.evaluate(
        "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})"
    )
    assert size["w"] <= 1920 and size["h"] <= 1080, size
    assert not errors, errors
