"""The monthly cycle in a real browser: a town officer reports, a reviewer returns it, the officer corrects
and resubmits, the reviewer approves, and the county leader's cockpit shows the new light.

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.core.demo.users import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the fixtures are fine.
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

# The county's 新增“四上”企业 target decomposed to 伊山镇 (a hand-entered indicator: the clusters' project
# counts are computed from the project library, so they are not entered by hand).
TOWN = "320723-T02"  # 伊山镇
CLUSTER = "320723-T02-IZ"  # 伊山镇工业集中区
INDICATOR = "new_four_above_enterprises"
TARGET_KEY = "test-yishan-four-above"


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
    from diaodu.plans.models import Indicator, Plan, Target

    call_command("plan", "load", str(PLAN_FILE))
    plan = Plan.objects.get(code="guanyun-2025")
    Target.objects.create(
        plan=plan,
        key=TARGET_KEY,
        section="主要预期目标",
        indicator=Indicator.objects.get(code=INDICATOR),
        org_unit=orgunits[TOWN],
        year=2025,
        value=5,
        comparator=">=",
        level="plain",
        quote="新增“四上”企业150家以上",
        sort_order=9999,
    )


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("[data-testid=current-user]")


def log_out(page: Any) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_selector("input[name=username]")


def enter_and_submit(page: Any, base: str, value: str) -> None:
    page.goto(f"{base}/plans/entry/?unit={TOWN}&month=2025-09")
    row = page.locator(f"[data-testid=entry-row][data-indicator={INDICATOR}]")
    row.locator(f"input[name={INDICATOR}-ytd_value]").fill(value)
    row.locator(f"input[name={INDICATOR}-note]").fill("伊山镇经发局项目台账")
    row.locator("[data-testid=submit-row]").click()
    page.wait_for_selector("text=已提交 1 项，等待审核。")
    assert "已提交" in row.locator("[data-testid=row-status]").inner_text()


def review_row(page: Any, base: str) -> Any:
    page.goto(f"{base}/plans/review/")
    row = page.locator("[data-testid=review-row]", has_text="伊山镇")
    assert row.count() == 1
    return row


def test_monthly_cycle(world, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. The town officer reports 3 new 四上 firms for September and submits.
    log_in(page, base, "yishan")
    enter_and_submit(page, base, "3")
    log_out(page)

    # 2. The reviewer returns it with a comment (htmx swaps the row in place).
    log_in(page, base, "fgw")
    row = review_row(page, base)
    assert "3" in row.inner_text() and "伊山镇经发局项目台账" in row.inner_text()
    row.locator("input[name=comment]").fill("与统计局名录不符：9月底已新增5家，请核实后重报")
    row.locator("[data-testid=return]").click()
    page.wait_for_selector("[data-testid=review-result]:has-text('已退回')")
    assert page.locator("[data-testid=review-row][data-status=returned]").count() == 1
    log_out(page)

    # 3. The officer sees the comment, corrects to 5 and resubmits.
    log_in(page, base, "yishan")
    page.goto(f"{base}/plans/entry/?unit={TOWN}&month=2025-09")
    comment = page.locator("[data-testid=review-comment]")
    assert "与统计局名录不符：9月底已新增5家，请核实后重报" in comment.inner_text()
    assert "已退回" in page.locator("[data-testid=row-status]").inner_text()
    enter_and_submit(page, base, "5")
    log_out(page)

    # 4. The reviewer approves.
    log_in(page, base, "fgw")
    row = review_row(page, base)
    assert "5" in row.inner_text()
    row.locator("[data-testid=approve]").click()
    page.wait_for_selector("[data-testid=review-result]:has-text('已审核')")
    log_out(page)

    # 5. The county leader's cockpit with sub-units shows the target green: 5 of ≥5 done by September.
    log_in(page, base, "leader")
    page.goto(f"{base}/?unit=320723&month=2025-09&below=1")
    target_row = page.locator(f"[data-testid=target-row][data-target-key={TARGET_KEY}]")
    assert target_row.get_attribute("data-status") == "green"
    text = target_row.inner_text()
    assert "达到进度" in text and "新增“四上”企业数" in text and "伊山" in text
    assert "75.0%" in text and "+25.0" in text  # 时序进度 9/12 and 100% − 75% points ahead
    assert page.locator("h2", has_text="灌云县 · 2025年9月").count() == 1
    assert "主要预期目标" in page.content() and "三大板块·镇级工业集中区" in page.content()
    assert int(page.locator("[data-testid=count-green]").inner_text()) >= 1

    # htmx: switching the unit swaps only the board and keeps a real URL.
    page.select_option("#unit-select", CLUSTER)
    page.wait_for_selector("h2:has-text('伊山镇工业集中区 · 2025年9月')")
    assert f"unit={CLUSTER}" in page.url
    page.goto(f"{base}/?unit=320723&month=2025-09&below=1")
    page.wait_for_selector(f"[data-target-key={TARGET_KEY}][data-status=green]")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cockpit.png"), full_page=True)
    target_row.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "cockpit-cluster.png"))
    assert not errors, errors
