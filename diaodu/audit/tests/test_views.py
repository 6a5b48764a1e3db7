"""The audit page: audit administrator only, filtered, paginated newest first, before/after shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_it_is_only_for_the_audit_administrator(personas) -> None:  # type: ignore[no-untyped-def]
    for name in ("leader", "fgw", "yishan", "sysadmin", "secadmin"):
        assert client_for(personas[name]).get(reverse("audit:list")).status_code == 403
    assert client_for(personas["auditadmin"]).get(reverse("audit:list")).status_code == 200


def test_it_shows_before_and_after_and_no_edit_controls(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    record(
        actor=personas["yishan"],
        action=AuditAction.UPDATE,
        object_type="plans.actual",
        object_id="7",
        object_repr="伊山镇 9月",
        org_unit_id=orgunits["320723-T02"].pk,
        before={"ytd_value": "3"},
        after={"ytd_value": "5"},
        reason="更正",
    )
    html = client_for(personas["auditadmin"]).get(reverse("audit:list")).content.decode()
    assert "伊山镇 9月" in html and "&quot;ytd_value&quot;: &quot;3&quot;" in html and "更正" in html
    assert "删除" not in html.split('data-testid="audit-filter"')[1].split("</form>")[1]  # no delete buttons


def test_it_filters(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    record(
        actor=personas["yishan"],
        action=AuditAction.SUBMIT,
        object_repr="提交的记录",
        org_unit_id=orgunits["320723-T02"].pk,
    )
    record(
        actor=None,
        actor_name="ghost",
        action=AuditAction.LOGIN_FAILED,
        success=False,
        object_repr="失败的登录",
    )
    client = client_for(personas["auditadmin"])

    def shown(**params: str) -> str:
        return client.get(reverse("audit:list"), params).content.decode()

    assert "失败的登录" in shown(success="0") and "提交的记录" not in shown(success="0")
    assert "提交的记录" in shown(actor="yishan") and "失败的登录" not in shown(actor="yishan")
    assert "提交的记录" in shown(action="submit") and "失败的登录" not in shown(action="submit")
    assert "提交的记录" in shown(org_unit="320723-T02") and "失败的登录" not in shown(org_unit="320723-T02")
    assert "提交的记录" not in shown(date_to="2000-01-01")
    event = AuditEvent.objects.get(object_repr="失败的登录")
    assert "提交的记录" not in shown(request_id=event.request_id or "none")


def test_it_paginates_newest_first(personas) -> None:  # type: ignore[no-untyped-def]
    for i in range(60):
        record(actor=None, actor_name="bulk", action=AuditAction.LOAD, object_repr=f"第{i:02d}条")
    client = client_for(personas["auditadmin"])
    first = client.get(reverse("audit:list"), {"actor": "bulk"}).content.decode()
    assert first.count('data-testid="audit-row"') == 50 and "第59条" in first and "第00条" not in first
    second = client.get(reverse("audit:list"), {"actor": "bulk", "page": "2"}).content.decode()
    assert second.count('data-testid="audit-row"') == 10 and "第00条" in second
    assert "actor=bulk&amp;page=2" in first
