"""Login security in a real browser (Debian chromium): six wrong passwords lock the account with the Chinese
message; an administrator binds a TOTP authenticator at first login and then logs in with a code generated here.
No page logs a Content-Security-Policy violation."""

from __future__ import annotations

import os
import time
from typing import Any

import pyotp
import pytest

from diaodu.core.demo.users import DEMO_PASSWORD
from tests.browser.test_monthly_cycle import browser  # noqa: F401 - the shared chromium fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

LOCKED = "连续登录失败次数过多，账号已锁定，请30分钟后再试或联系安全管理员。"


@pytest.fixture
def people(transactional_db, orgunits, personas):  # type: ignore[no-untyped-def]
    return personas


def watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    return problems


def submit_login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_load_state()


def test_six_wrong_passwords_lock_the_account(people, live_server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser.new_page(locale="zh-CN")
    problems = watch(page)
    for attempt in range(1, 7):
        submit_login(page, live_server.url, "yangji", f"Wrong#{attempt}pass")
        error = page.locator("[data-testid=login-error]").inner_text()
        if attempt < 5:
            assert error == "用户名或密码错误。", (attempt, error)
        else:
            assert error == LOCKED, (attempt, error)
    submit_login(page, live_server.url, "yangji", DEMO_PASSWORD)  # the right password is refused while locked
    assert page.locator("[data-testid=login-error]").inner_text() == LOCKED
    assert page.locator("[data-testid=current-user]").count() == 0
    assert not problems, problems


def test_an_administrator_logs_in_with_totp(people, live_server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base = live_server.url
    page = browser.new_page(locale="zh-CN")
    problems = watch(page)

    # First login: password, then bind an authenticator (QR code and secret shown), then in.
    submit_login(page, base, "auditadmin", DEMO_PASSWORD)
    page.wait_for_selector("text=管理员账号须使用动态口令")
    assert page.locator("[data-testid=otp-qr] svg").count() == 1
    secret = page.locator("[data-testid=otp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]:has-text('绑定')")
    assert "动态口令错误" in page.locator("[data-testid=login-error]").inner_text()
    page.fill("input[name=code]", totp.now())
    page.click("button[type=submit]:has-text('绑定')")
    page.wait_for_selector("[data-testid=current-user]")
    assert page.url.endswith("/audit/")
    page.click("button:has-text('退出')")
    page.wait_for_selector("input[name=username]")

    # Next login: password, then the code of the next 30-second step (the current one is used up).
    submit_login(page, base, "auditadmin", DEMO_PASSWORD)
    page.wait_for_selector("text=请输入动态口令")
    assert page.locator("[data-testid=current-user]").count() == 0
    page.fill("input[name=code]", totp.at(time.time() + 30))
    page.click("button[type=submit]:has-text('验证')")
    page.wait_for_selector("[data-testid=current-user]")
    assert "审计管理员（演示）" in page.locator("[data-testid=current-user]").inner_text()
    page.goto(f"{base}/accounts/login-log/")
    rows = page.locator("[data-testid=login-log-row]")
    assert rows.count() >= 2 and "auditadmin" in rows.first.inner_text()
    assert not problems, problems
