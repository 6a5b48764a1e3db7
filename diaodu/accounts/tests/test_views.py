"""Login and logout pages: audited, locked after repeated failures, idle sessions end."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.accounts.middleware import SessionPolicyMiddleware
from diaodu.accounts.tests.logins import enrol
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.core.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "连续登录失败次数过多，账号已锁定"


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client: Client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_it_shows_the_login_form(db) -> None:  # type: ignore[no-untyped-def]
    html = Client().get(reverse("accounts:login")).content.decode()
    assert 'name="username"' in html and 'type="password"' in html and "登录" in html


def test_it_logs_in_and_records_it(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = login(client, "yishan", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("cockpit:home")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == personas["yishan"] and event.success
    assert "伊山镇填报员（演示）" in client.get(reverse("cockpit:home")).content.decode()


def test_it_sends_administrators_to_their_own_tools(personas) -> None:  # type: ignore[no-untyped-def]
    # Administrators first bind a TOTP authenticator (second factor), then land on their tool.
    assert enrol(Client(), "auditadmin")[1]["Location"] == reverse("audit:list")
    assert enrol(Client(), "sysadmin")[1]["Location"] == reverse("admin:index")
    assert enrol(Client(), "secadmin")[1]["Location"] == reverse("admin:index")


def test_it_follows_a_safe_next_only(personas) -> None:  # type: ignore[no-untyped-def]
    response = login(Client(), "leader", DEMO_PASSWORD, next="/plans/targets/")
    assert response["Location"] == "/plans/targets/"
    response = login(Client(), "leader", DEMO_PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("cockpit:home")


def test_it_records_a_failed_login_in_chinese(personas) -> None:  # type: ignore[no-untyped-def]
    response = login(Client(), "yishan", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误。" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert not event.success and event.actor_name == "yishan"


def test_it_locks_the_account_after_five_failures(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(4):
        assert LOCKED not in login(client, "yangji", "wrong-password").content.decode()
    assert LOCKED in login(client, "yangji", "wrong-password").content.decode()
    html = login(client, "yangji", DEMO_PASSWORD).content.decode()  # even the right password is refused now
    assert LOCKED in html and "30分钟" in html
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="yangji").count() == 6
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_it_logs_out_by_post_only_and_records_it(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["leader"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=personas["leader"]).exists()
    assert client.get(reverse("cockpit:home")).status_code == 302


def test_it_ends_idle_sessions(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_IDLE_TIMEOUT_SECONDS = 600
    client = Client()
    client.force_login(personas["leader"])
    assert client.get(reverse("cockpit:home")).status_code == 200
    session = client.session
    session[SessionPolicyMiddleware.SESSION_KEY] = int(time.time()) - 601
    session.save()
    response = client.get(reverse("cockpit:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.reason == "会话超时"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "长时间未操作，已自动退出，请重新登录。" in html


def test_it_shows_the_demo_badge_only_when_flagged(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DIAODU_DEMO", raising=False)
    assert "演示数据" not in Client().get(reverse("accounts:login")).content.decode()
    monkeypatch.setenv("DIAODU_DEMO", "1")
    assert "演示数据" in Client().get(reverse("accounts:login")).content.decode()


def test_it_switches_the_language(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in html and "Log in" in html
