"""等保 authentication controls: lockout per account and per address (frozen time), password history, expiry
and forced change of initial passwords, absolute session lifetime, the TOTP second factor, the login log."""

from __future__ import annotations

import datetime as dt
import itertools

import pyotp
import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from diaodu.accounts import services
from diaodu.accounts.lockout import sliding_window
from diaodu.accounts.models import PasswordHistory, User
from diaodu.accounts.tests.logins import enrol, pending, post_login
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.core.demo.users import DEMO_PASSWORD

LOCKED = "连续登录失败次数过多，账号已锁定"
ADDRESS_LOCKED = "该地址连续登录失败次数过多"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# ----------------------------------------------------------------------------- the rule, without a database


def test_it_locks_on_the_fifth_failure_inside_the_window() -> None:
    window = dt.timedelta(minutes=15)
    failures: list[dt.datetime] = []
    for minute in range(4):
        failures, locked = sliding_window(failures, at(minute * 3), threshold=5, window=window)
        assert not locked
    assert sliding_window(failures, at(14.9), threshold=5, window=window)[1]
    # The first failure has left the window: four remain, no lock.
    assert not sliding_window(failures, at(15.5), threshold=5, window=window)[1]


# ----------------------------------------------------------------------------- lockout with frozen time


def test_it_locks_an_account_for_30_minutes_after_5_failures_in_15(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with time_machine.travel(at(0), tick=False) as traveller:
        for minute in (0, 3, 6, 9):
            traveller.move_to(at(minute))
            assert LOCKED not in post_login(client, "yangji", "wrong-password").content.decode()
        traveller.move_to(at(14))
        assert LOCKED in post_login(client, "yangji", "wrong-password").content.decode()
        traveller.move_to(at(14 + 29))
        html = post_login(client, "yangji").content.decode()  # right password, still locked
        assert LOCKED in html and "1分钟" in html
        traveller.move_to(at(14 + 31))
        assert post_login(client, "yangji").status_code == 302


def test_it_does_not_lock_failures_spread_over_more_than_15_minutes(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with time_machine.travel(at(0), tick=False) as traveller:
        for minute in (0, 4, 8, 12, 16, 20):
            traveller.move_to(at(minute))
            assert LOCKED not in post_login(client, "yangji", "wrong-password").content.decode()
        assert post_login(client, "yangji").status_code == 302


def test_it_locks_a_source_address_that_tries_many_accounts(personas) -> None:  # type: ignore[no-untyped-def]
    attacker = Client(REMOTE_ADDR="10.9.8.7")
    with time_machine.travel(at(0), tick=False):
        for name in ("leader", "fgw", "tjj", "yishan"):
            assert ADDRESS_LOCKED not in post_login(attacker, name, "Guess#2025").content.decode()
        html = post_login(attacker, "county", "Guess#2025").content.decode()
        assert ADDRESS_LOCKED in html and "30分钟" in html
        # Even the right password of an untouched account is refused from that address ...
        assert ADDRESS_LOCKED in post_login(attacker, "lingang").content.decode()
        # ... but not from another address, and the accounts themselves are not locked.
        assert post_login(Client(REMOTE_ADDR="10.9.8.8"), "lingang").status_code == 302
        assert post_login(Client(REMOTE_ADDR="10.9.8.8"), "leader").status_code == 302
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip_address="10.9.8.7")
    assert failed.count() == 6 and failed.filter(reason="来源地址已锁定").count() == 1


def test_it_locks_unknown_account_names_alike(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with time_machine.travel(at(0), tick=False):
        messages = [post_login(client, "nobody", "x").content.decode() for _ in range(5)]
    assert LOCKED in messages[-1] and all(LOCKED not in m for m in messages[:-1])


# ----------------------------------------------------------------------------- passwords


def change(client: Client, old: str, new: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_it_refuses_the_last_five_passwords(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert post_login(client, "yishan").status_code == 302
    passwords = [DEMO_PASSWORD] + [f"Yishan#{n}2025" for n in range(1, 6)]
    for old, new in itertools.pairwise(passwords):
        assert change(client, old, new).status_code == 302
    # Current password Yishan#52025; the last five are #1..#5, so #1 is refused and the demo one is free again.
    html = change(client, "Yishan#52025", "Yishan#12025").content.decode()
    assert "不能与最近5次使用过的密码相同" in html
    assert change(client, "Yishan#52025", DEMO_PASSWORD).status_code == 302
    assert PasswordHistory.objects.filter(user=personas["yishan"]).count() == 5
    events = AuditEvent.objects.filter(action=AuditAction.PASSWORD, actor=personas["yishan"])
    assert events.count() == 6 and all("pbkdf2" not in str(e.after) + str(e.before) for e in events)


def test_it_checks_length_and_classes_and_the_old_password(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["yishan"])
    assert "原密码不正确" in change(client, "nope", "Good#Pass2025").content.decode()
    assert "至少三类" in change(client, DEMO_PASSWORD, "alllowercase123").content.decode()
    assert (
        "密码长度太短" in change(client, DEMO_PASSWORD, "Ab#1").content.decode()
        or "too short" in change(client, DEMO_PASSWORD, "Ab#1").content.decode()
    )


def test_it_forces_an_initial_password_to_be_changed(personas) -> None:  # type: ignore[no-untyped-def]
    new = services.create_user(
        actor=personas["secadmin"],
        username="xinren",
        password="Chushi#2025",
        full_name="新人",
        org_unit=personas["yishan"].org_unit,
        roles=[],
    )
    assert new.must_change_password
    assert not personas["yishan"].must_change_password  # demo accounts stay usable
    client = Client()
    response = post_login(client, "xinren", "Chushi#2025")
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("cockpit:home"))
    assert page.status_code == 302 and page["Location"] == reverse("accounts:password_change")
    assert client.get("/api/me").status_code == 403
    assert 'data-testid="password-forced"' in client.get(reverse("accounts:password_change")).content.decode()
    assert change(client, "Chushi#2025", "Xinmima#2025").status_code == 302
    assert client.get("/api/me").status_code == 200
    new.refresh_from_db()
    assert not new.must_change_password


def test_it_expires_passwords_after_the_configured_days(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(username="leader").update(password_changed_at=T0)
    with time_machine.travel(T0 + dt.timedelta(days=89), tick=False):
        assert post_login(Client(), "leader")["Location"] == reverse("cockpit:home")
    with time_machine.travel(T0 + dt.timedelta(days=91), tick=False):
        assert post_login(Client(), "leader")["Location"] == reverse("accounts:password_change")


def test_it_marks_accounts_made_in_the_admin_as_initial(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["secadmin"])
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "zhangsan",
            "password1": "Chushi#2025",
            "password2": "Chushi#2025",
            "full_name": "张三",
            "org_unit": personas["yishan"].org_unit_id,
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="zhangsan").must_change_password


# ----------------------------------------------------------------------------- sessions


def test_it_ends_a_busy_session_after_its_absolute_lifetime(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_SESSION_MAX_AGE_SECONDS = 8 * 3600
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        post_login(client, "leader")
        for step in range(1, 20):  # a request every 25 minutes: never idle for 30
            traveller.move_to(T0 + dt.timedelta(minutes=25 * step))
            assert client.get(reverse("cockpit:home")).status_code == 200
        traveller.move_to(T0 + dt.timedelta(minutes=25 * 20))  # 8 h 20 min after login
        response = client.get(reverse("cockpit:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, reason="会话达到最长时限").exists()


# ----------------------------------------------------------------------------- TOTP second factor


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditadmin"])
def test_it_makes_administrators_bind_a_second_factor(personas, name) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = post_login(client, name)
    assert response["Location"] == reverse("accounts:otp_enrol") and pending(client)
    assert client.get(reverse("audit:list")).status_code == 302  # not logged in yet
    html = client.get(reverse("accounts:otp_enrol")).content.decode()
    assert "<svg" in html and "管理员账号须使用动态口令" in html
    assert "动态口令错误" in client.post(reverse("accounts:otp_enrol"), {"code": "000000"}).content.decode()
    secret, response = enrol(client, name)
    assert response.status_code == 302 and not pending(client)
    user = User.objects.get(username=name)
    assert user.has_second_factor and user.totp_secret == secret
    assert AuditEvent.objects.filter(action=AuditAction.OTP, actor=user, reason="绑定动态口令").exists()


def test_it_asks_for_the_code_after_the_password(personas) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        secret, _ = enrol(Client(), "auditadmin")
        totp = pyotp.TOTP(secret)
        traveller.move_to(T0 + dt.timedelta(minutes=2))
        client = Client()
        assert post_login(client, "auditadmin")["Location"] == reverse("accounts:otp_verify")
        html = client.post(reverse("accounts:otp_verify"), {"code": "123456"}).content.decode()
        assert "动态口令错误" in html
        code = totp.now()
        response = client.post(reverse("accounts:otp_verify"), {"code": code})
        assert response["Location"] == reverse("audit:list")
        assert client.get(reverse("audit:list")).status_code == 200
        # The same code cannot be used again (replay), even on a fresh password step.
        other = Client()
        post_login(other, "auditadmin")
        assert "已使用" in other.post(reverse("accounts:otp_verify"), {"code": code}).content.decode()
    login = AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_name="auditadmin").last()
    assert login is not None and login.reason == "口令+动态口令"


def test_it_counts_wrong_codes_towards_the_lockout(personas) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        _secret, _ = enrol(Client(), "secadmin")
        client = Client()
        post_login(client, "secadmin")
        for _n in range(4):
            assert (
                LOCKED not in client.post(reverse("accounts:otp_verify"), {"code": "000000"}).content.decode()
            )
        assert LOCKED in client.post(reverse("accounts:otp_verify"), {"code": "000001"}).content.decode()
        assert LOCKED in post_login(Client(), "secadmin").content.decode()


def test_it_forgets_a_pending_login_after_five_minutes(personas) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        secret, _ = enrol(Client(), "sysadmin")
        traveller.move_to(T0 + dt.timedelta(minutes=1))
        client = Client()
        post_login(client, "sysadmin")
        traveller.move_to(T0 + dt.timedelta(minutes=7))
        response = client.post(reverse("accounts:otp_verify"), {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == reverse("accounts:login")


def test_others_may_bind_a_second_factor_and_then_need_it(personas) -> None:  # type: ignore[no-untyped-def]
    assert post_login(Client(), "fgw")["Location"] == reverse("cockpit:home")  # optional: not asked
    client = Client()
    client.force_login(personas["fgw"])
    html = client.get(reverse("accounts:otp_setup")).content.decode()
    from diaodu.accounts.tests.logins import secret_on_page

    secret = secret_on_page(html)
    assert client.post(reverse("accounts:otp_setup"), {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert post_login(Client(), "fgw")["Location"] == reverse("accounts:otp_verify")


def test_the_security_administrator_resets_a_lost_authenticator(personas) -> None:  # type: ignore[no-untyped-def]
    enrol(Client(), "auditadmin")
    client = Client()
    client.force_login(personas["secadmin"])
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "reset_second_factor",
            "_selected_action": [personas["auditadmin"].pk],
        },
    )
    assert response.status_code == 302
    assert post_login(Client(), "auditadmin")["Location"] == reverse("accounts:otp_enrol")
    assert AuditEvent.objects.filter(
        action=AuditAction.OTP, reason="重置动态口令", actor=personas["secadmin"]
    ).exists()


# ----------------------------------------------------------------------------- the login log


def test_the_login_log_shows_time_account_address_and_result(personas) -> None:  # type: ignore[no-untyped-def]
    post_login(Client(REMOTE_ADDR="10.1.2.3"), "yishan", "wrong-password")
    post_login(Client(REMOTE_ADDR="10.1.2.4"), "yangji")
    for reader in ("secadmin", "auditadmin"):
        client = Client()
        client.force_login(personas[reader])
        html = client.get(reverse("accounts:login_log")).content.decode()
        assert html.count('data-testid="login-log-row"') == 2
        assert "10.1.2.3" in html and "10.1.2.4" in html and "yishan" in html and "登录失败" in html
        html = client.get(reverse("accounts:login_log"), {"success": "0"}).content.decode()
        assert html.count('data-testid="login-log-row"') == 1
    for other in ("sysadmin", "leader", "yishan"):
        client = Client()
        client.force_login(personas[other])
        assert client.get(reverse("accounts:login_log")).status_code == 403


def test_it_hashes_user_passwords_only_once_per_change(personas) -> None:  # type: ignore[no-untyped-def]
    user = personas["county"]
    before = PasswordHistory.objects.filter(user=user).count()
    user.password = make_password("Other#2025")  # a rehash-like assignment does not count as a change
    user.save(update_fields=["password"])
    assert PasswordHistory.objects.filter(user=user).count() == before
