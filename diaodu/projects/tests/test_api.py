"""The project API: scope, the report workflow through the services, stage events, approvals, metrics, and list
endpoints whose query counts do not grow with the number of projects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from diaodu.projects.models import MonthlyReport, Project

from .conftest import CLUSTER, YANGJI, build_projects

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(client: Client, url: str, data: dict[str, Any] | None = None, method: str = "POST") -> Any:
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_endpoints_do_not_grow_with_projects(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    fgw = client_for(personas["fgw"])
    urls = [
        "/api/projects?limit=100",
        f"/api/projects?unit={CLUSTER}&tier=ge_1yi&level=county&year=2025",
        "/api/project-reports?year=2025&limit=200",
        "/api/project-metrics?as_of=2025-08",
    ]
    build_projects(2, orgunits, personas["yishan"], personas["fgw"])
    small = [count(fgw, u) for u in urls]
    build_projects(20, orgunits, personas["yishan"], personas["fgw"])
    large = [count(fgw, u) for u in urls]
    assert small == large, list(zip(urls, small, large, strict=True))
    body = fgw.get("/api/projects?limit=100").json()
    assert body["count"] == 22 and body["items"][0]["total_investment_wan"] == "20000"


def test_scope_of_reads_and_writes(personas, orgunits, make_project) -> None:  # type: ignore[no-untyped-def]
    other = make_project(unit=YANGJI, officer="yangji", name="杨集项目（测试）")
    yishan, leader = client_for(personas["yishan"]), client_for(personas["leader"])
    assert yishan.get(f"/api/projects/{other.pk}").status_code == 404
    assert yishan.get("/api/projects").json()["count"] == 0
    assert leader.get(f"/api/projects/{other.pk}").json()["name"] == "杨集项目（测试）"
    event = {"stage": "signed", "on": "2025-02-01"}
    assert post(yishan, f"/api/projects/{other.pk}/events", event).status_code == 404
    assert post(leader, f"/api/projects/{other.pk}/events", event).status_code == 403
    report = {"project": other.pk, "year": 2025, "month": 2, "ytd_wan": "100"}
    assert post(yishan, "/api/project-reports", report).status_code == 404
    assert post(leader, "/api/project-reports", report).status_code == 403
    assert client_for(personas["sysadmin"]).get("/api/projects").status_code == 403


def test_report_workflow_and_stage_change_through_the_api(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    (p,) = build_projects(1, orgunits, personas["yishan"], personas["fgw"])
    yishan, fgw, leader = (
        client_for(personas["yishan"]),
        client_for(personas["fgw"]),
        client_for(personas["leader"]),
    )
    payload = {"project": p.pk, "year": 2025, "month": 9, "month_wan": "900", "ytd_wan": "7000"}
    bad = post(yishan, "/api/project-reports", payload)
    assert bad.status_code == 422 and "与累计不一致" in bad.json()["detail"][0]["msg"]
    payload |= {"ytd_wan": "7300", "blockers": [{"description": "配套道路未贯通", "category": "utilities"}]}
    saved = post(yishan, "/api/project-reports", payload).json()
    assert (saved["month_wan"], saved["ytd_wan"], saved["status"]) == ("900", "7300", "draft")
    assert saved["blockers"][0]["description"] == "配套道路未贯通"
    rid = saved["id"]
    assert post(yishan, f"/api/project-reports/{rid}/submit").json()["status"] == "submitted"
    assert post(fgw, f"/api/project-reports/{rid}/return", {"comment": ""}).status_code == 422
    assert (
        post(fgw, f"/api/project-reports/{rid}/return", {"comment": "请核实"}).json()["status"] == "returned"
    )
    post(yishan, "/api/project-reports", payload | {"expected_version": 3, "progress": "已核实"})
    post(yishan, f"/api/project-reports/{rid}/submit")
    assert post(yishan, f"/api/project-reports/{rid}/approve").status_code == 403
    assert (
        post(fgw, f"/api/project-reports/{rid}/approve", {"comment": "同意"}).json()["status"] == "approved"
    )
    reopened = post(fgw, f"/api/project-reports/{rid}/reopen", {"reason": "统计局核减"})
    assert reopened.json()["status"] == "returned"
    assert leader.get(f"/api/project-reports?project={p.pk}&month=9").json()["count"] == 1

    # Stage events and approvals.
    event = post(
        yishan, f"/api/projects/{p.pk}/events", {"stage": "in_stats", "on": "2025-02-28", "note": "入库"}
    )
    assert event.status_code == 200 and event.json()["stage_label"] == "入库"
    back = post(yishan, f"/api/projects/{p.pk}/events", {"stage": "signed", "on": "2025-03-01"})
    assert back.status_code == 422 and "不能从“入库”退回到“签约”" in back.json()["detail"][0]["msg"]
    approvals = leader.get(f"/api/projects/{p.pk}/approvals").json()
    assert approvals[0]["missing_documents"][0]["state"] == "overdue"
    done = post(yishan, f"/api/approvals/{approvals[0]['id']}", {"status": "done"}, method="PATCH")
    assert done.status_code == 422 and "办结日期" in done.json()["detail"][0]["msg"]
    done = post(yishan, f"/api/approvals/{approvals[0]['id']}", {"planned_on": "2025-12-31"}, method="PATCH")
    assert done.json()["planned_on"] == "2025-12-31"
    detail = leader.get(f"/api/projects/{p.pk}").json()
    assert [e["stage"] for e in detail["events"]] == ["signed", "started", "in_stats"]
    assert detail["years"][0]["planned_investment_wan"] == "12000"


def test_metrics_endpoint_matches_the_cli_object(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    build_projects(2, orgunits, personas["yishan"], personas["fgw"])
    data = client_for(personas["leader"]).get("/api/project-metrics?as_of=2025-08").json()
    assert (data["year"], data["month"]) == (2025, 8)
    assert data["key_projects"]["count"] == 2 and data["key_projects"]["completed_ytd_wan"] == 12800
    assert data["continuing_on_schedule"]["continuing"] == 1
    assert data["start_rate"]["q1_target"] == 0.8
    bad = client_for(personas["leader"]).get("/api/project-metrics?as_of=2025-13")
    assert bad.status_code == 422
    only_yangji = (
        client_for(personas["leader"]).get(f"/api/project-metrics?as_of=2025-08&unit={YANGJI}").json()
    )
    assert only_yangji["key_projects"]["count"] == 0
    assert MonthlyReport.objects.count() == 16 and Project.objects.count() == 2
