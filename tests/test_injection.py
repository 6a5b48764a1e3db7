"""Injection and escaping: XSS payloads in text fields are stored as typed and shown escaped on every page that
shows them; SQL-injection strings in filter and sort parameters are harmless (no error, no extra rows)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.audit.models import AuditEvent
from diaodu.core.security_sorting import safe_ordering
from diaodu.core.testing.authz import YISHAN, World, build_world
from diaodu.plans.models import Actual

XSS = """<script>alert("xss")</script><img src=x onerror=alert(1)>"'><svg/onload=alert(2)>"""
SQLI = [
    "' OR '1'='1",
    "1; DROP TABLE plans_actual; --",
    '" OR 1=1 --',
    "320723' UNION SELECT password FROM accounts_user --",
    "%' OR '%'='",
    "\\x00",
    "1) OR (1=1",
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def assert_escaped(html: str, where: str) -> None:
    assert XSS not in html, f"raw payload on {where}"
    assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), (
        where
    )
    assert "&lt;script&gt;alert(" in html, f"payload not shown (escaped) on {where}"


def test_xss_in_text_fields_is_stored_verbatim_and_shown_escaped(world: World) -> None:
    officer, reviewer, auditor = (client_for(world, n) for n in ("yishan", "fgw", "auditadmin"))
    body = {
        "indicator": world.revenue.code,
        "unit": YISHAN,
        "year": world.year,
        "month": 3,
        "ytd_value": "1.5",
        "note": XSS[:200],
        "expected_version": world.draft_yishan.version,
    }
    assert officer.post("/api/actuals", json.dumps(body), content_type="application/json").status_code == 200
    actual = Actual.objects.get(pk=world.draft_yishan.pk)
    assert actual.note == XSS[:200]  # stored as typed, not "sanitised"
    assert officer.post(f"/api/actuals/{actual.pk}/submit").status_code == 200
    # The reviewer returns it with the payload as the comment.
    response = reviewer.post(
        f"/api/actuals/{actual.pk}/return", json.dumps({"comment": XSS}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["review_comment"] == XSS

    pages = {
        "entry (officer)": officer.get(reverse("plans:entry"), {"unit": YISHAN, "month": f"{world.year}-03"}),
        "audit list": auditor.get(reverse("audit:list")),
    }
    for where, page in pages.items():
        assert page.status_code == 200, where
        assert_escaped(page.content.decode(), where)


def test_xss_in_a_login_name_is_escaped_in_the_login_log(world: World) -> None:
    page = Client().post(reverse("accounts:login"), {"username": XSS[:150], "password": "x"})
    assert page.status_code == 200
    html = page.content.decode()
    assert XSS[:150] not in html
    assert AuditEvent.objects.filter(actor_name=XSS[:150]).exists()
    for reader in ("secadmin", "auditadmin"):
        log = client_for(world, reader).get(reverse("accounts:login_log")).content.decode()
        assert XSS[:150] not in log and "&lt;script&gt;alert(" in log


@pytest.mark.parametrize("payload", SQLI)
def test_sql_injection_in_api_filters_is_harmless(world: World, payload: str) -> None:
    officer = client_for(world, "yishan")
    visible = officer.get("/api/actuals").json()["count"]
    for params in (
        {"unit": payload},
        {"indicator": payload},
        {"status": payload},
        {"year": payload},
        {"month": payload},
        {"unit": YISHAN, "indicator": payload},
    ):
        response = officer.get("/api/actuals", params)
        assert response.status_code in (200, 404, 422), (params, response.status_code)
        if response.status_code == 200:
            assert response.json()["count"] <= visible
    for params in ({"unit": payload}, {"as_of": payload}, {"year": payload}):
        response = officer.get("/api/targets", params)
        assert response.status_code in (200, 404, 422), (params, response.status_code)
    assert Actual.objects.count() == 6  # nothing dropped


@pytest.mark.parametrize("payload", SQLI)
def test_sql_injection_in_page_filters_is_harmless(world: World, payload: str) -> None:
    auditor, officer, leader = (client_for(world, n) for n in ("auditadmin", "yishan", "leader"))
    total = AuditEvent.objects.count()
    for field in ("actor", "object_type", "request_id", "action", "org_unit", "success", "date_from"):
        response = auditor.get(reverse("audit:list"), {field: payload})
        assert response.status_code == 200, field
        assert response.context["page"].paginator.count in (0, total), field
    for field in ("account", "address", "success", "date_to"):
        assert auditor.get(reverse("accounts:login_log"), {field: payload}).status_code == 200
    for route in ("plans:entry", "plans:targets"):
        assert officer.get(reverse(route), {"unit": payload, "month": payload}).status_code in (200, 404)
    assert leader.get(
        reverse("cockpit:home"), {"unit": payload, "month": payload, "below": payload}
    ).status_code in (200, 404)
    assert Actual.objects.count() == 6


def test_sort_keys_are_whitelisted() -> None:
    allowed = {"time": ("-created_at", "-id"), "account": ("actor_name", "-id")}
    assert safe_ordering("account", allowed, default="time") == ("actor_name", "-id")
    for payload in [*SQLI, None, "", "password", "-created_at"]:
        assert safe_ordering(payload, allowed, default="time") == ("-created_at", "-id")
