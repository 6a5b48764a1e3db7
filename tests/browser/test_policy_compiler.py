"""The policy compiler in a real browser: a reviewer uploads the seed speech from the targets page into a new plan,
accepts three extracted items (editing one first), and sees them in the target list with their quotes.

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.core.demo.users import DEMO_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILE = ROOT / "plans" / "guanyun-2025.yaml"
SPEECH = ROOT.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"
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
NEW_PLAN = "灌云县2025年目标（讲话生成）"


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
    if not SPEECH.is_file():
        pytest.skip(f"seed speech not available at {SPEECH}")
    call_command("plan", "load", str(PLAN_FILE))  # the indicator catalogue the suggestions come from


def card(page: Any, name: str) -> Any:
    title = page.locator("[data-testid=item-name]", has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator("[data-testid=item][data-status=pending]", has=title).first


def accept(page: Any, name: str) -> None:
    item = card(page, name)
    pk = item.get_attribute("data-item")
    assert name in item.locator("[data-testid=item-indicator]").inner_text()  # the catalogue suggestion
    item.locator("[data-testid=accept]").click()
    page.wait_for_selector(f"#item-{pk}[data-status=accepted] [data-testid=item-done]")


def test_policy_compiler(world, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page = browser.new_page(viewport={"width": 1500, "height": 950}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "fgw")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("[data-testid=current-user]")

    # 1. From the target list to the upload form; the speech goes into a new plan.
    page.goto(f"{base}/plans/targets/")
    page.click("[data-testid=compile-link]")
    page.click("[data-testid=upload-link]")
    page.set_input_files("input[name=file]", str(SPEECH))
    page.select_option("select[name=plan]", "new")
    page.fill("input[name=new_plan_code]", "guanyun-2025-speech")
    page.fill("input[name=new_plan_title]", NEW_PLAN)
    page.select_option("select[name=new_plan_unit]", label="灌云县")
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=document-text]")
    assert "请逐条审核" in page.content()
    total = page.locator("[data-testid=item]").count()
    assert total >= 60
    marks = page.locator("[data-testid=document-text] mark")
    assert marks.count() >= 50 and "地区生产总值增长7%以上" in marks.first.inner_text()

    # 2. Accept two items as extracted (htmx swaps each card in place).
    accept(page, "地区生产总值")
    accept(page, "实际利用外资")

    # 3. Edit one (20% → 22%, 力争) and accept it.
    item = card(page, "规上工业总产值")
    pk = item.get_attribute("data-item")
    item.locator("[data-testid=edit]").click()
    form = page.locator(f"#item-{pk} [data-testid=item-form]")
    form.wait_for()
    form.locator(f"input[name=item{pk}-value]").fill("22")
    form.locator(f"select[name=item{pk}-level]").select_option("stretch")
    form.locator("[data-testid=save-accept]").click()
    done = page.locator(f"#item-{pk}[data-status=accepted]")
    done.wait_for()
    assert (
        "22%" in done.inner_text() and "value" in done.locator("[data-testid=edited-field]").all_inner_texts()
    )
    assert page.locator("[data-testid=item][data-status=accepted]").count() == 3
    # The quote link scrolls the document to the highlighted sentence.
    done.locator(".in-context a").click()
    assert page.locator(f"mark#q-{pk}").is_visible()
    assert "规上工业总产值增长20%以上" in page.locator(f"mark#q-{pk}").inner_text()
    done.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "policy-compiler-review.png"), full_page=False)

    # 4. The three targets are in the new plan, each with its quote.
    page.goto(f"{base}/plans/targets/")
    plan_card = page.locator(".card", has=page.locator(".card-title", has_text=NEW_PLAN))
    rows = plan_card.locator("tbody tr")
    assert rows.count() == 3
    text = plan_card.inner_text()
    for quote in ("地区生产总值增长7%以上", "实际利用外资5000万美元以上", "规上工业总产值增长20%以上"):
        assert quote in text
    edited = plan_card.locator("tr", has_text="规上工业总产值增长20%以上")
    assert "22%" in edited.inner_text() and "力争" in edited.inner_text()
    plan_card.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "policy-compiler-targets.png"), full_page=False)
    assert not errors, errors
