"""The supervision loop in a real browser: the supervision office (督查室) routes a project blocker to
自然资源和规划局; its officer signs for it, replies with an attachment and requests closure; the office verifies
and closes it; the project page shows the blocker resolved.

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_monthly_cycle import ARTIFACTS, browser, log_in, log_out  # noqa: F401 (fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

ZIRAN = "320723-D06"  # 自然资源和规划局
YISHAN = "320723-T02"
BLOCKER = "二期用地指标未落实，需自然资源和规划局协调"


@pytest.fixture
def project(transactional_db, orgunits, personas) -> Any:  # type: ignore[no-untyped-def]
    from diaodu.projects import domain as project_domain
    from diaodu.projects import services as project_services

    officer, today = personas["yishan"], timezone.localdate()
    project = project_services.create_project(
        actor=officer,
        org_unit=orgunits[YISHAN],
        name="伊山智能装备产业园项目",
        total_investment_wan=Decimal(50_000),
    )
    project_services.record_signing(
        project, actor=officer, on=today - dt.timedelta(days=200), amount_wan=Decimal(50_000)
    )
    project_services.record_stage(
        project, actor=officer, stage=project_domain.Stage.STARTED, on=today - dt.timedelta(days=100)
    )
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    project_services.save_report(
        actor=officer,
        project=project,
        year=last_month.year,
        month=last_month.month,
        ytd_wan=Decimal(900),
        blockers=[project_services.BlockerInput(BLOCKER, "land", department=orgunits[ZIRAN])],
    )
    return project


def step(page: Any, action: str, **fields: str) -> None:
    card = page.locator(f"[data-testid=step-{action}]")
    for name, value in fields.items():
        card.locator(f"[name={action}-{name}]").fill(value)
    card.locator(f"[data-testid=submit-{action}]").click()
    page.wait_for_load_state()


def status(page: Any) -> str:
    return str(page.locator("[data-testid=item]").get_attribute("data-status"))


def test_supervision_loop(project, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    # 1. 督查室 opens the project page and routes the open blocker to 自然资源和规划局 (pre-selected: the blocker's
    #    department). The same blockers are listed under 督查督办 › 项目卡点.
    log_in(page, base, "dcs")
    project_url = f"{base}{reverse('projects:detail', args=[project.pk])}"
    page.goto(project_url)
    row = page.locator("[data-testid=blocker-row]", has_text=BLOCKER)
    assert row.locator("[data-testid=blocker-status]").inner_text() == "待交办"
    row.locator("[data-testid=supervise-blocker]").click()
    assert (
        page.locator("select[name=lead_unit] option:checked")
        .inner_text()
        .startswith("灌云县自然资源和规划局")
    )
    page.fill("input[name=deadline]", deadline)
    page.fill("input[name=leader]", "分管自然资源工作的副县长")
    page.click("[data-testid=submit-blocker]")
    page.wait_for_selector("[data-testid=item][data-status=assigned]")
    item_url = page.url
    assert "灌云县自然资源和规划局" in page.locator("[data-testid=lead-unit]").inner_text()
    assert "卡点已交办" in page.locator("[data-testid=item-source]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "supervision-assigned.png"), full_page=True)
    log_out(page)

    # 2. The department's officer finds it in the inbox (badge), signs for it, replies with a file, asks to close.
    log_in(page, base, "ziran")
    assert page.locator("[data-testid=supervision-badge]").inner_text() == "1"
    page.click("[data-testid=nav-supervision]")
    assert page.locator("[data-testid=count-to_sign]").inner_text() == "1"
    page.locator("[data-testid=inbox-row]").locator("[data-testid=item-link]").click()
    step(page, "sign", note="已签收，由用地科办理")
    assert status(page) == "signed"
    evidence = tmp_path / "用地指标批复.pdf"
    evidence.write_bytes("%PDF-1.4\n% 灌云县用地指标批复（演示）\n".encode())
    card = page.locator("[data-testid=step-reply]")
    card.locator("[name=reply-text]").fill("已纳入四季度用地报批批次，正在组卷。")
    card.locator("[name=reply-attachments]").set_input_files(str(evidence))
    card.locator("[data-testid=submit-reply]").click()
    page.wait_for_selector("[data-testid=attachment]:has-text('用地指标批复.pdf')")
    assert status(page) == "in_progress"
    download = page.request.get(base + str(page.locator("[data-testid=attachment]").get_attribute("href")))
    assert download.ok and download.headers["content-disposition"].startswith("attachment;")
    assert download.body().startswith(b"%PDF")
    step(page, "request_closure", text="用地指标已下达，项目二期可开工。")
    assert status(page) == "closure_requested"
    page.screenshot(path=str(ARTIFACTS / "supervision-department.png"), full_page=True)
    log_out(page)

    # 3. 督查室 verifies and closes (the closure request is in its inbox).
    log_in(page, base, "dcs")
    page.goto(f"{base}{reverse('supervision:inbox')}?tab=to_verify")
    page.locator("[data-testid=inbox-row]").locator("[data-testid=item-link]").click()
    assert page.url == item_url
    step(page, "verify", note="经核实，用地指标已下达。")
    assert status(page) == "verified"
    step(page, "close")
    assert status(page) == "closed"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for text in (
        "登记",
        "交办",
        "签收",
        "进展回复",
        "申请办结",
        "核验",
        "办结销号",
        "自然资源和规划局经办人（演示）",
        "督查室督查员（演示）",
        "用地指标批复.pdf",
    ):
        assert text in timeline, text
    assert "卡点已解决" in page.locator("[data-testid=item-source]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "supervision-closed.png"), full_page=True)

    # 4. The project page shows the blocker resolved, with a link to its item.
    page.goto(project_url)
    row = page.locator("[data-testid=blocker-row]", has_text=BLOCKER)
    assert row.locator("[data-testid=blocker-status]").inner_text() == "已解决"
    assert "已办结" in row.locator("[data-testid=blocker-item]").inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "supervision-project.png"), full_page=True)
    assert not errors, errors
