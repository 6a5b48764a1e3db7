"""The supervision API: a whole flow over HTTP (with a multipart attachment), the timeline, constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from diaodu.supervision.tests.conftest import YANGJI, YISHAN

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_flow_over_http(personas, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    dcs, yishan = client_for(personas["dcs"]), client_for(personas["yishan"])
    created = dcs.post(
        "/api/supervision/items", {"title": "伊山镇工业集中区道路断头路打通"}, content_type="application/json"
    ).json()
    item_id = created["id"]
    assert created["status"] == "registered" and created["allowed_actions"] == ["assign"]
    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    r = dcs.post(
        f"/api/supervision/items/{item_id}/assign",
        {"lead_unit": YISHAN, "co_units": [YANGJI], "deadline": deadline},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["co_unit_codes"] == [YANGJI]
    assert (
        yishan.post(f"/api/supervision/items/{item_id}/sign", {}, content_type="application/json").status_code
        == 200
    )
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    r = yishan.post(f"/api/supervision/items/{item_id}/reply", {"text": "已开工", "files": [photo]})
    assert r.status_code == 200, r.content
    reply = r.json()["timeline"][-1]
    assert reply["action"] == "reply" and reply["attachments"][0]["name"] == "现场.png"
    bad = SimpleUploadedFile("脚本.sh", b"#!/bin/sh", content_type="text/x-sh")
    r = yishan.post(f"/api/supervision/items/{item_id}/reply", {"text": "附件", "files": [bad]})
    assert r.status_code == 422 and "文件类型不允许" in r.json()["detail"][0]["msg"]
    r = yishan.post(f"/api/supervision/items/{item_id}/request-closure", {"text": "道路已贯通"})
    assert r.json()["status"] == "closure_requested"
    r = dcs.post(
        f"/api/supervision/items/{item_id}/return",
        {"reason": "缺竣工验收材料"},
        content_type="application/json",
    )
    assert (r.json()["status"], r.json()["returned_count"]) == ("returned", 1)
    inbox = yishan.get("/api/notifications").json()
    assert [n["kind"] for n in inbox["items"]][:2] == ["returned", "assigned"]
    assert yishan.post(f"/api/notifications/{inbox['items'][0]['id']}/read").json()["read_at"]
    assert yishan.get("/api/notifications?unread=true").json()["count"] == 1


def test_item_list_queries_do_not_grow(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    c = client_for(personas["leader"])
    make_item()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/supervision/items").status_code == 200
        return len(ctx)

    few = count()
    for n in range(5):
        make_item(title=f"督办件{n}")
    assert count() == few


def test_timeliness_endpoint(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    from diaodu.supervision import services

    item = make_item(assigned=dt.date(2025, 9, 1), deadline=dt.date(2025, 9, 30))
    services.sign_item(item, actor=personas["yishan"], today=dt.date(2025, 9, 2))
    rows = (
        client_for(personas["dcs"]).get("/api/supervision/timeliness?start=2025-07-01&end=2025-12-31").json()
    )
    assert rows == [
        {
            "unit": "伊山镇",
            "assigned": 1,
            "signed": 1,
            "signed_on_time": 1,
            "avg_sign_workdays": 1.0,
            "sign_on_time_pct": 100.0,
            "due": 1,
            "completed_on_time": 0,
            "on_time_closure_pct": 0.0,
            "overdue": 1,
            "reopened": 0,
        }
    ]


def test_a_stale_step_answers_409_with_the_other_users_change(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    dcs, yishan, yangji = (client_for(personas[n]) for n in ("dcs", "yishan", "yangji"))
    url = f"/api/supervision/items/{item.pk}"
    read = yangji.get(url).json()["version"]
    signed = yishan.post(f"{url}/sign", {"expected_version": read}, content_type="application/json")
    assert signed.status_code == 200 and signed.json()["version"] == read + 1
    # A multipart step (the co-department's reply, based on what it read before the sign-for).
    stale = yangji.post(f"{url}/reply", {"text": "配合单位进展", "expected_version": str(read)})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["code"] == "stale_version" and body["changed_by"] == "yishan" and body["changed_at"]
    assert (body["expected_version"], body["current_version"]) == (read, read + 1)
    assert body["change"]["after"]["status"] == "signed" and body["change"]["before"]["status"] == "assigned"
    assert item.number in body["detail"] and "yishan" in body["detail"] and "您的修改未保存" in body["detail"]
    assert [e["action"] for e in yangji.get(url).json()["timeline"]][-1] == "sign"  # nothing written
    # A JSON step.
    r = dcs.post(
        f"{url}/return", {"reason": "重办", "expected_version": read}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["changed_by"] == "yishan"
    # The current version (or none at all) goes through.
    r = yangji.post(f"{url}/reply", {"text": "配合单位进展", "expected_version": str(read + 1)})
    assert r.status_code == 200 and r.json()["version"] == read + 2
    assert yangji.post(f"{url}/reply", {"text": "再次回复"}).status_code == 200
    bad = yishan.post(f"{url}/sign", {"expected_version": 0}, content_type="application/json")
    assert bad.status_code == 422
