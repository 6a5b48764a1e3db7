"""Excel import in a real browser: upload a workbook with two bad cells, see them located in the preview,
download the error workbook, fix, upload again, commit; then a 5,000-row dispatch sheet imported in the
background with the progress bar moving (a db_worker runs in a thread of the test process).

Uses Debian's chromium (``make setup`` installs it); never a browser downloaded by Playwright.
"""

from __future__ import annotations

import os
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from diaodu.core.demo.users import DEMO_PASSWORD
from diaodu.core.testing.authz import World, build_world
from diaodu.workbooks.read import read_workbook
from diaodu.workbooks.tests.books import xlsx

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Roles removed by an earlier test's flush come back through the personas fixture (ensure_default_roles).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
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
HEADER = ["填报单位", "月份", "指标名称", "累计值", "数据来源"]


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
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def worker(db: Any) -> Any:
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        # The shared in-memory test database refuses a second writing thread ("database table is locked");
        # a deployed SQLite file (WAL, busy timeout) takes the separate db_worker process. PostgreSQL phase runs it.
        pytest.skip("background worker thread needs PostgreSQL in tests")
    from django_tasks_db.management.commands.db_worker import Worker

    w = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            w.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield w
    w.running = False
    thread.join(timeout=10)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("[data-testid=current-user]")


def upload(page: Any, base: str, kind: str, path: Path) -> None:
    page.goto(f"{base}/workbooks/import/{kind}/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")


def test_upload_fix_and_commit(world: World, live_server: Any, browser: Any, tmp_path: Path) -> None:
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "yishan")

    bad = tmp_path / "伊山镇实绩.xlsx"
    bad.write_bytes(
        xlsx(
            {
                "实绩": [
                    HEADER,
                    ["伊山镇", "2025-04", "测试一般公共预算收入", "待统计", "财政局"],
                    ["杨集镇", "2025-04", "测试一般公共预算收入", 1.6, "财政局"],
                ]
            }
        )
    )
    upload(page, base, "actuals", bad)
    page.wait_for_selector("[data-testid=problems]")
    assert page.locator("[data-testid=count-errors]").inner_text() == "2"
    d2 = page.locator("[data-testid=problem][data-cell=D2]")
    assert "累计值：“待统计”不是有效的数字" in d2.inner_text()
    a3 = page.locator("[data-testid=problem][data-cell=A3]")
    assert "无权向“杨集镇”导入数据" in a3.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    with page.expect_download() as info:
        page.click("[data-testid=error-workbook]")
    marked = read_workbook(Path(info.value.path()).read_bytes(), "e.xlsx")
    assert [(r[1], r[2]) for r in marked.sheets[0].rows[1:]] == [(2, "D"), (3, "A")]

    fixed = tmp_path / "伊山镇实绩-修改.xlsx"
    fixed.write_bytes(
        xlsx({"实绩": [HEADER, ["伊山镇", "2025-04", "测试一般公共预算收入", "1.5亿元", "财政局"]]})
    )
    upload(page, base, "actuals", fixed)
    page.wait_for_selector("[data-testid=commit]")
    assert page.locator("[data-testid=count-create]").inner_text() == "1"
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=result]:has-text('导入完成')")
    page.goto(f"{base}/plans/entry/?unit=320723-T02&month=2025-04")
    row = page.locator("[data-testid=entry-row][data-indicator=authz-revenue]")
    assert row.locator("input[name=authz-revenue-ytd_value]").input_value() == "1.5"
    assert not errors, errors


def test_background_import_shows_progress(
    world: World, worker: Any, live_server: Any, browser: Any, tmp_path: Path
) -> None:
    from diaodu.projects.models import MonthlyReport, Project, ProjectYear

    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"伊山镇测试项目{i:04d}",
                code=f"2501-320723-01-01-{i:06d}",
                org_unit=world.yishan,
                total_investment_wan=Decimal(100000),
            )
            for i in range(1250)
        ]
    )
    projects = list(Project.objects.filter(org_unit=world.yishan).order_by("pk"))
    ProjectYear.objects.bulk_create(
        [ProjectYear(project=p, year=2025, planned_investment_wan=Decimal(30000)) for p in projects]
    )
    rows = [[p.code, p.name, f"2025-{m:02d}", 1000 * m, "施工中"] for p in projects for m in range(1, 5)]
    path = tmp_path / "调度表.xlsx"
    path.write_bytes(
        xlsx({"调度": [["项目代码", "项目名称", "月份", "累计完成投资（万元）", "形象进度"], *rows]})
    )

    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    log_in(page, base, "yishan")
    upload(page, base, "progress", path)
    page.wait_for_selector("[data-testid=progress]")  # the background check shows a progress bar
    page.wait_for_selector("[data-testid=job][data-status=checked]", timeout=120_000)
    assert page.locator("[data-testid=count-create]").inner_text() == "5000"
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=progress]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-progress.png"))
    page.wait_for_selector("[data-testid=job][data-status=done]", timeout=120_000)
    assert "导入完成" in page.locator("[data-testid=result]").inner_text()
    assert MonthlyReport.objects.filter(project__org_unit=world.yishan).count() == 5000
