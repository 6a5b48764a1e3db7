"""Every write service records exactly one audit event per change, with the actor and before/after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory

from diaodu.accounts import services as accounts
from diaodu.accounts.models import Role
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.orgunits import services as orgunits_services
from diaodu.plans import services as plans
from diaodu.plans.models import Indicator

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self) -> None:
        self.start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new(self) -> list[AuditEvent]:
        rows = list(AuditEvent.objects.filter(id__gt=self.start).order_by("id"))
        self.start = rows[-1].id if rows else self.start
        return rows


def _one(counter: Counter, action: str, *, before: bool, after: bool) -> AuditEvent:
    rows = counter.new()
    assert [r.action for r in rows] == [action], rows
    event = rows[0]
    assert (event.before is not None) == before
    assert (event.after is not None) == after
    return event


def test_plan_actual_services(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    ind = Indicator.objects.create(code="fdi", name="实际利用外资", unit="万美元", measure="absolute")
    c = Counter()
    actual = plans.save_actual(
        actor=personas["lingang"],
        indicator=ind,
        org_unit=orgunits["320723-Z01"],
        year=2025,
        month=4,
        ytd_value=Decimal("1200"),
    )
    e = _one(c, AuditAction.CREATE, before=False, after=True)
    assert e.actor == personas["lingang"] and e.org_unit_id == orgunits["320723-Z01"].pk
    actual = plans.save_actual(
        actor=personas["lingang"],
        indicator=ind,
        org_unit=orgunits["320723-Z01"],
        year=2025,
        month=4,
        ytd_value=Decimal("1250"),
    )
    e = _one(c, AuditAction.UPDATE, before=True, after=True)
    assert e.before == {"ytd_value": "1200"} and e.after == {"ytd_value": "1250"}
    actual = plans.submit_actual(actual, actor=personas["lingang"])
    _one(c, AuditAction.SUBMIT, before=True, after=True)
    actual = plans.return_actual(actual, actor=personas["tjj"], comment="请附外汇局来源")
    _one(c, AuditAction.RETURN, before=True, after=True)
    actual = plans.submit_actual(actual, actor=personas["lingang"])
    _one(c, AuditAction.SUBMIT, before=True, after=True)
    actual = plans.approve_actual(actual, actor=personas["tjj"])
    _one(c, AuditAction.APPROVE, before=True, after=True)
    plans.reopen_actual(actual, actor=personas["fgw"], reason="外汇局数据更正")
    e = _one(c, AuditAction.REOPEN, before=True, after=True)
    assert e.reason == "外汇局数据更正"


def test_account_services(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    c = Counter()
    officer = Role.objects.get(code="unit_officer")
    user = accounts.create_user(
        actor=personas["secadmin"],
        username="tonghing",
        password="Tongxing#2025",
        full_name="同兴镇填报员",
        org_unit=orgunits["320723-T05"],
        roles=[officer],
    )
    e = _one(c, AuditAction.CREATE, before=False, after=True)
    assert e.after is not None
    assert e.after["roles"] == ["unit_officer"] and "password" not in e.after
    accounts.set_roles(actor=personas["secadmin"], user=user, roles=[Role.objects.get(code="unit_viewer")])
    e = _one(c, AuditAction.UPDATE, before=True, after=True)
    assert e.before == {"roles": ["unit_officer"]} and e.after == {"roles": ["unit_viewer"]}
    key = accounts.issue_api_token(actor=user, user=user, name="脚本")
    e = _one(c, AuditAction.TOKEN, before=False, after=True)
    assert key not in str(e.after)


def test_login_logout_and_failed_login(personas) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    c = Counter()
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.8")
    request.session = SessionStore()
    request.user = AnonymousUser()
    with pytest.raises(accounts.LoginError):
        accounts.login_user(request, "yishan", "wrong-Password1")
    e = _one(c, AuditAction.LOGIN_FAILED, before=False, after=False)
    assert not e.success and e.actor_name == "yishan"
    accounts.login_user(request, "yishan", "Diaodu@2025")
    e = _one(c, AuditAction.LOGIN, before=False, after=False)
    assert e.success and e.actor == personas["yishan"]
    accounts.logout_user(request)
    _one(c, AuditAction.LOGOUT, before=False, after=False)


def test_org_unit_upsert(orgunits) -> None:  # type: ignore[no-untyped-def]
    c = Counter()
    _unit, changed = orgunits_services.upsert_unit(
        actor=None, code="320723-T02", name="伊山镇", short_name="伊山新"
    )
    assert changed
    e = _one(c, AuditAction.UPDATE, before=True, after=True)
    assert e.before == {"short_name": "伊山"} and e.after == {"short_name": "伊山新"}
    _unit, changed = orgunits_services.upsert_unit(
        actor=None, code="320723-T02", name="伊山镇", short_name="伊山新"
    )
    assert not changed and c.new() == []
