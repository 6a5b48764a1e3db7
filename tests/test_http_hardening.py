"""HTTP hardening on every page: security headers, a CSP that forbids inline scripts and pages that need none,
CSRF on every state change (htmx included), the HTTPS production switch, and upload limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from diaodu.core.security_uploads import UploadKind, validate_upload
from diaodu.core.testing.authz import ALL_PERSONAS, ANONYMOUS, World, build_world, collect_cases

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class InlineCode(HTMLParser):
    """Collects inline <script> bodies (without src, other than JSON data blocks) and on* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name.lower() in ("href", "src", "action") and (_value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and not names.get("src"):
            self._in_inline_script = names.get("type") not in ("application/json", "application/ld+json")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


def _admin_pages(world: World) -> list[tuple[str, str]]:
    from django.contrib import admin

    pages = [("sysadmin", reverse("admin:index")), ("secadmin", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        persona = (
            "secadmin" if str(getattr(model_admin, "required_perm", "")) == "accounts.manage" else "sysadmin"
        )
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages.append((persona, reverse(f"admin:{info}_changelist")))
        first = model.objects.first()
        if first is not None:
            pages.append((persona, reverse(f"admin:{info}_change", args=[first.pk])))
    return pages


def test_every_page_has_the_headers_and_no_inline_code(world) -> None:  # type: ignore[no-untyped-def]
    """Each GET row of the authorization matrix, as one persona that may see it, plus the admin pages."""
    pages: list[tuple[str, str]] = []
    for case in collect_cases():
        if case.method != "GET" or case.route.startswith("api:"):
            continue
        persona = next((p for p in ALL_PERSONAS if case.expected(p) == 200), None)
        if persona is None:
            continue
        url = reverse(case.route, kwargs=case.resolve_kwargs(world) or None)
        query = case.resolve_data(world)
        pages.append((persona, url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")))
    pages += _admin_pages(world)
    clients: dict[str, Client] = {}
    problems: list[str] = []
    checked = 0
    for persona, url in pages:
        client = clients.get(persona)
        if client is None:
            client = clients[persona] = Client()
            if persona != ANONYMOUS:
                client.force_login(world.users[persona])
        response = client.get(url)
        for header, value in HEADERS.items():
            if response.headers.get(header) != value:
                problems.append(f"{url} ({persona}): {header}={response.headers.get(header)!r}")
        csp = response.headers.get("Content-Security-Policy", "")
        if "script-src 'self'" not in csp or "unsafe-inline" in csp.split("script-src")[1].split(";")[0]:
            problems.append(f"{url} ({persona}): CSP {csp!r}")
        if response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
            checked += 1
            problems += [f"{url} ({persona}): {p}" for p in inline_code(response.content.decode())]
    assert checked >= 20, checked
    assert not problems, "\n".join(problems)


def test_the_parser_catches_inline_code() -> None:
    assert inline_code('<script>alert(1)</script><a onclick="x()">a</a><a href="javascript:x()">b</a>')
    assert not inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>')


def test_logged_in_pages_are_not_cached(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["leader"])
    assert "no-store" in client.get(reverse("cockpit:home")).headers["Cache-Control"]


# ----------------------------------------------------------------------------- CSRF, htmx included


def test_htmx_requests_carry_the_csrf_token(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["fgw"])
    html = client.get(reverse("cockpit:home")).content.decode()
    token = client.cookies["csrftoken"].value
    body = html.split("<body", 1)[1].split(">", 1)[0]
    assert "hx-headers=" in body
    hx_headers = json.loads(body.split("hx-headers='", 1)[1].split("'", 1)[0])
    assert set(hx_headers) == {"X-CSRFToken"} and hx_headers["X-CSRFToken"]
    url = reverse("plans:actual_approve", args=[999999])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403  # no token: refused
    # With the page's token in the header (as htmx sends it) the request passes CSRF (and finds no such row).
    assert (
        client.post(url, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=hx_headers["X-CSRFToken"]).status_code
        == 404
    )
    assert token


def test_the_api_needs_the_csrf_token_with_a_session(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["yishan"])
    payload = json.dumps({"name": "脚本"})
    assert client.post("/api/tokens", payload, content_type="application/json").status_code == 403


@pytest.mark.parametrize("route", ["accounts:login", "accounts:password_change", "accounts:otp_setup"])
def test_forms_refuse_posts_without_the_token(personas, route) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    if route != "accounts:login":
        client.force_login(personas["yishan"])
    assert client.post(reverse(route), {}).status_code == 403


# ----------------------------------------------------------------------------- production switch


def _settings_with(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "diaodu.settings", **env},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_switch_turns_on_hsts_and_secure_cookies() -> None:
    names = ("SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT")
    on = _settings_with({"DIAODU_HTTPS": "1"}, *names)
    assert on["SECURE_HSTS_SECONDS"] >= 31536000 and on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"]  # type: ignore[operator]
    assert on["SECURE_SSL_REDIRECT"]
    off = _settings_with({"DIAODU_HTTPS": "0"}, *names)
    assert not off["SESSION_COOKIE_SECURE"] and not off["SECURE_HSTS_SECONDS"]


def test_hsts_is_sent_over_https(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get(reverse("accounts:login"), secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# ----------------------------------------------------------------------------- uploads


def test_request_bodies_over_the_limit_get_413(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_UPLOAD_MAX_BYTES = 1024
    response = Client().post(reverse("accounts:login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413 and "上传内容过大" in response.json()["detail"]


def test_the_upload_validator(settings) -> None:  # type: ignore[no-untyped-def]
    xlsx = SimpleUploadedFile("月报.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    assert validate_upload(xlsx, kinds=[UploadKind.XLSX]) is UploadKind.XLSX
    assert (
        validate_upload(SimpleUploadedFile("计划.yaml", "年度: 2025\n".encode()), kinds=[UploadKind.YAML])
        is UploadKind.YAML
    )
    cases = {
        "不支持的文件类型": SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
        "文件内容与扩展名": SimpleUploadedFile("fake.xlsx", b"<html><script>alert(1)</script>"),
        "文件为空": SimpleUploadedFile("empty.xlsx", b""),
    }
    for message, upload in cases.items():
        with pytest.raises(ValidationError, match=message):
            validate_upload(upload, kinds=[UploadKind.XLSX])
    with pytest.raises(ValidationError, match="文件内容与扩展名"):
        validate_upload(SimpleUploadedFile("bin.csv", b"a,b\x00c"), kinds=[UploadKind.CSV])
    with pytest.raises(ValidationError, match="文件过大"):
        validate_upload(
            SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * 5000),
            kinds=[UploadKind.XLSX],
            max_bytes=1000,
        )
