"""The monthly project dispatch (月度调度) in a real browser.

伊山镇's officer fills October's dispatch sheet for three projects of 伊山镇工业集中区 on one screen (one of them
starts construction) and submits; the reviewer (fgw) returns one and approves two; after correction it is approved;
the key-project overview then shows the higher completed investment, and the plan target computed from projects
(新开工投资过亿元工业项目, 伊山镇工业集中区 ≥ 5) counts the new start.

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

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

CLUSTER = "320723-T02-IZ"  # 伊山镇工业集中区
MONTH = "2025-10"
TARGET_KEY = "iz-t02-new-industrial-projects-started"
MARINE = "伊山海洋生物项目22（演示）"  # key project, continuing
RESIN = "伊山高端聚烯烃项目32（演示）"  # key project, new
FOOD = "伊山预制菜招商项目081（演示）"  # signed, 12.3亿: starts construction this month


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
def world(transactional_db, orgunits, personas) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from diaodu.projects.demo import load_demo_projects
    from diaodu.projects.models import Project

    call_command("plan", "load", str(PLAN_FILE))
    load_demo_projects(users=personas, through_month=9)
    return dict(Project.objects.filter(name__in=[MARINE, RESIN, FOOD]).values_list("name", "pk"))


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("[data-testid=current-user]")


def overview(page: Any, base: str) -> tuple[str, str]:
    """(completed key-project investment, the computed target's actual) on the cluster's overview."""
    page.goto(f"{base}/projects/overview/?unit={CLUSTER}&month={MONTH}")
    target = page.locator(f"[data-testid=linked-target][data-target-key={TARGET_KEY}]")
    return page.locator("[data-testid=metric-ytd]").inner_text(), target.locator(
        "[data-testid=linked-actual]"
    ).inner_text()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_projects_dispatch(world, personas, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    ids = world
    errors: list[str] = []

    def page_for(username: str) -> Any:
        # One browser context per person, signed in once (the officer through the login form; the others with
        # a session made by the test client, to keep the test fast): no log-out/log-in round trips.
        context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="zh-CN")
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if username == "yishan":
            log_in(page, base, username)
        else:
            client = Client()
            client.force_login(personas[username])
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        return page

    officer, reviewer, leader = page_for("yishan"), page_for("fgw"), page_for("leader")
    sheet = f"{base}/projects/dispatch/?unit={CLUSTER}&month={MONTH}"
    ytd_before, started_before = overview(leader, base)

    # 1. The town officer fills the month's sheet for three projects on one screen.
    page = officer
    page.click("[data-testid=nav-projects]")
    page.wait_for_selector("[data-testid=project-list]")
    page.goto(sheet)
    assert page.locator("[data-testid=dispatch-row]").count() >= 3

    def field(name: str, key: str) -> Any:
        return officer.locator(f"[name=p{ids[name]}-{key}]")

    field(MARINE, "month_wan").fill("4200")
    field(MARINE, "progress").fill("主厂房设备安装调试")
    field(RESIN, "ytd_wan").fill("40513")
    assert field(RESIN, "month_wan").input_value() == "4500"  # kept consistent while typing (36013 + 4500)
    field(RESIN, "problems").fill("二期用地指标尚未落实")
    field(FOOD, "month_wan").fill("3000")
    field(FOOD, "progress").fill("桩基施工")
    field(FOOD, "new_stage").select_option("started")
    page.click("[data-testid=submit-sheet]")
    error = page.locator(f"[data-testid=dispatch-row][data-project='{ids[FOOD]}'] [data-testid=field-error]")
    assert error.inner_text() == "请填写阶段变化的日期。"  # located on the row and field, nothing saved
    assert "本次未保存任何数据" in page.content()
    shot(page, "projects-dispatch-error.png")
    field(FOOD, "new_stage_on").fill("2025-10-15")
    page.click("[data-testid=submit-sheet]")
    page.wait_for_selector("text=已提交 3 个项目，等待审核。")

    # 2. The reviewer returns one with a comment and approves two (htmx swaps each row).
    page = reviewer
    page.goto(f"{base}/projects/review/")

    def review_row(name: str) -> Any:
        return reviewer.locator(f"[data-testid=review-row][data-project='{ids[name]}']")

    assert "阶段变更为 开工" in review_row(FOOD).inner_text()
    assert "二期用地指标尚未落实" in review_row(RESIN).inner_text()
    review_row(RESIN).locator("input[name=comment]").fill("累计完成投资与现场进度不符，请核实后重报")
    review_row(RESIN).locator("[data-testid=return]").click()
    page.wait_for_selector(f"[data-testid=review-row][data-project='{ids[RESIN]}'][data-status=returned]")
    for name in (MARINE, FOOD):
        review_row(name).locator("[data-testid=approve]").click()
        page.wait_for_selector(f"[data-testid=review-row][data-project='{ids[name]}'][data-status=approved]")
    shot(page, "projects-review.png")

    # 3. The officer sees the comment, corrects and resubmits.
    page = officer
    page.goto(sheet)
    row = page.locator(f"[data-testid=dispatch-row][data-project='{ids[RESIN]}']")
    assert (
        "累计完成投资与现场进度不符，请核实后重报" in row.locator("[data-testid=review-comment]").inner_text()
    )
    field(RESIN, "month_wan").fill("3500")
    assert field(RESIN, "ytd_wan").input_value() == "39513"
    page.click("[data-testid=submit-sheet]")
    page.wait_for_selector("text=已提交 1 个项目，等待审核。")
    shot(page, "projects-dispatch-submitted.png")

    # 4. The reviewer approves the correction.
    page = reviewer
    page.goto(f"{base}/projects/review/")
    assert "3,500" in review_row(RESIN).inner_text()
    review_row(RESIN).locator("[data-testid=approve]").click()
    page.wait_for_selector(f"[data-testid=review-row][data-project='{ids[RESIN]}'][data-status=approved]")

    # 5. The county leader: the overview's figures and the computed plan target moved; the project has started.
    page = leader
    ytd_after, started_after = overview(page, base)
    as_number = lambda text: int(text.replace(",", "").removesuffix("个"))  # noqa: E731
    assert as_number(ytd_after) - as_number(ytd_before) == 4200 + 3500  # the two key projects
    assert (
        as_number(started_after) == as_number(started_before) + 1
    )  # 新开工投资过亿元工业项目: the 12.3亿 start
    shot(page, "projects-overview.png")
    page.goto(f"{base}/projects/{ids[FOOD]}/")
    assert page.locator("[data-testid=project-stage]").inner_text() == "开工"
    assert "2025年10月调度报告" in page.locator("[data-testid=stage-timeline]").inner_text()
    page.goto(f"{base}/projects/{ids[RESIN]}/?month={MONTH}")
    page.wait_for_selector("#project-investment-chart canvas")
    shot(page, "projects-detail.png")
    page.goto(f"{base}/projects/pipeline/?unit=320723")
    page.wait_for_selector("#project-funnel-chart canvas")
    page.locator("#funnel").screenshot(path=str(ARTIFACTS / "projects-funnel.png"))
    assert not errors, errors
