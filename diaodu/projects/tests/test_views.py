"""The project pages: library filters and sorting, detail, funnel, overview, dispatch sheet and review queue.

Query counts of the list pages and the dispatch sheet are measured at two sizes and must not grow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from diaodu.audit.models import AuditEvent
from diaodu.projects import domain, services
from diaodu.projects.models import Blocker, MonthlyReport, Project, StageEvent

from .conftest import CLUSTER, YANGJI, build_projects

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def submitted_in_september(projects: list[Project], officer: Any) -> None:
    """September reports waiting in the review queue (written directly: only the reads are measured here)."""
    MonthlyReport.objects.bulk_create(
        MonthlyReport(
            project=p,
            year=2025,
            month=9,
            month_wan=D(900),
            ytd_wan=D(7300),
            status="submitted",
            created_by=officer,
            submitted_by=officer,
        )
        for p in projects
    )


LIST_URLS = [
    "/projects/?month=2025-08",
    "/projects/?month=2025-08&behind=1&overdue=1&tier=ge_1yi&sort=-total&town=320723-T02",
    "/projects/overview/?unit=320723&month=2025-08",
    "/projects/pipeline/?unit=320723",
    "/projects/review/",
]


def test_list_pages_and_the_dispatch_sheet_do_not_grow_with_projects(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    fgw, yishan = client_for(personas["fgw"]), client_for(personas["yishan"])
    projects = build_projects(3, orgunits, personas["yishan"], personas["fgw"])
    sheet = f"/projects/dispatch/?unit={CLUSTER}&month=2025-09"
    submitted_in_september(projects, personas["yishan"])
    small = [count_queries(fgw, url) for url in LIST_URLS] + [count_queries(yishan, sheet)]
    submitted_in_september(
        build_projects(30, orgunits, personas["yishan"], personas["fgw"]), personas["yishan"]
    )
    large = [count_queries(fgw, url) for url in LIST_URLS] + [count_queries(yishan, sheet)]
    assert small == large, list(zip([*LIST_URLS, sheet], small, large, strict=True))
    page = fgw.get("/projects/?month=2025-08").content.decode()
    assert page.count('data-testid="project-row"') == 30 and 'data-testid="next-page"' in page


def test_library_filters_sorts_and_flags(personas, orgunits, make_project) -> None:  # type: ignore[no-untyped-def]
    build_projects(3, orgunits, personas["yishan"], personas["fgw"])
    make_project(unit=YANGJI, officer="yangji", name="杨集纺织项目（测试）", total="5000")
    leader = client_for(personas["leader"])
    body = leader.get("/projects/?month=2025-08&sort=-total").content.decode()
    names = [line for line in body.splitlines() if "（测试）</a>" in line]
    assert len(names) == 4 and "伊山健康食品项目002" in names[0] and "杨集纺织项目" in names[-1]
    assert body.count('data-testid="flag-behind"') == 3  # 6400 of 12000 by August is behind 8000
    assert body.count('data-testid="flag-overdue"') == 3  # the 容缺 document was due on 30 June
    filtered = leader.get("/projects/", {"tier": "ge_1yi", "town": "320723-T02"}).content.decode()
    assert filtered.count('data-testid="project-row"') == 3
    assert 'data-total="0"' in leader.get("/projects/", {"stage": "completed"}).content.decode()
    assert 'data-total="1"' in leader.get("/projects/", {"level": "none"}).content.decode()
    assert (
        'data-total="3"' in leader.get("/projects/", {"level": "county", "month": "2025-08"}).content.decode()
    )
    # An unknown sort key falls back to the default order instead of reaching order_by().
    assert leader.get("/projects/", {"sort": "password"}).status_code == 200
    # htmx gets the list partial only.
    partial = leader.get("/projects/", {"chain": "food"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="project-list"') and "<html" not in partial


def test_a_town_officer_sees_only_their_towns_projects(personas, orgunits, make_project) -> None:  # type: ignore[no-untyped-def]
    mine = make_project()
    other = make_project(unit=YANGJI, officer="yangji", name="杨集项目（测试）")
    yishan = client_for(personas["yishan"])
    body = yishan.get("/projects/").content.decode()
    assert mine.name in body and other.name not in body
    assert yishan.get(f"/projects/{other.pk}/").status_code == 404
    assert yishan.get("/projects/", {"town": YANGJI}).status_code == 404
    assert yishan.get("/projects/dispatch/", {"unit": YANGJI}).status_code == 404
    assert client_for(personas["leader"]).get(f"/projects/{other.pk}/").status_code == 200
    assert client_for(personas["leader"]).get("/projects/dispatch/").status_code == 403  # leaders read only


def test_detail_shows_timeline_approvals_prereview_chart_and_blockers(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.projects.models import RuleSet

    p = build_projects(1, orgunits, personas["yishan"], personas["fgw"])[0]
    p = services.update_project(p, actor=personas["yishan"], land_area_mu=D(100), expected_tax_wan=D(1500))
    admin = personas["sysadmin"]
    ruleset = services.save_ruleset(
        actor=admin,
        org_unit=orgunits[CLUSTER],
        name="集中区准入",
        rules=[services.RuleInput(domain.RuleKind.MIN_INTENSITY, "投资强度", D(420))],
    )
    assert isinstance(ruleset, RuleSet)
    review = services.run_prereview(p, actor=personas["yishan"])
    assert review.outcome == domain.Outcome.FAIL  # 20000 / 100 = 200 万元/亩 < 420
    services.save_report(
        actor=personas["yishan"],
        project=p,
        year=2025,
        month=9,
        ytd_wan=D(7000),
        blockers=[services.BlockerInput("施工用电增容未到位（测试）", "utilities")],
    )
    page = client_for(personas["fgw"]).get(f"/projects/{p.pk}/?month=2025-08").content.decode()
    assert "签约" in page and "开工" in page and 'data-testid="stage-timeline"' in page
    assert "投资强度200万元/亩，低于420万元/亩，原则上不引不建。" in page
    assert 'data-testid="override-form"' in page  # fgw reviews above the cluster
    assert 'data-testid="doc-overdue"' in page and "环境影响评价" in page
    assert "施工用电增容未到位（测试）" in page
    assert 'id="project-investment-data"' in page and "时序计划" in page
    assert "<script>" not in page  # data via json_script only
    # The town officer sees the result but cannot override it (their own unit).
    own = client_for(personas["yishan"]).get(f"/projects/{p.pk}/").content.decode()
    assert "原则上不引不建" in own and 'data-testid="override-form"' not in own
    response = client_for(personas["fgw"]).post(f"/projects/prereviews/{review.pk}/override/", {"reason": ""})
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.overridden
    client_for(personas["fgw"]).post(
        f"/projects/prereviews/{review.pk}/override/", {"reason": "联席会议同意"}
    )
    review.refresh_from_db()
    assert review.overridden and review.override_reason == "联席会议同意"
    assert (
        client_for(personas["yishan"]).post(f"/projects/prereviews/{review.pk}/override/").status_code == 403
    )


def test_funnel_and_overview(personas, orgunits, make_project) -> None:  # type: ignore[no-untyped-def]
    build_projects(3, orgunits, personas["yishan"], personas["fgw"])
    make_project(name="伊山在谈项目（测试）")
    leader = client_for(personas["leader"])
    funnel = leader.get("/projects/pipeline/", {"unit": "320723-T02"}).content.decode()
    assert 'data-stage="negotiating"><td>在谈</td><td class="num">4</td>' in funnel
    assert 'data-stage="started"><td>开工</td><td class="num">3</td>' in funnel
    overview = leader.get("/projects/overview/", {"unit": "320723-T02", "month": "2025-08"}).content.decode()
    assert 'data-testid="metric-key-count">3<' in overview
    assert 'data-testid="metric-ytd">19,200<' in overview  # 3 × 6400
    assert "53.3%" in overview  # 19200 / 36000
    assert "一季度末" in overview and "二季度末" in overview and "≥ 80.0%" in overview
    assert "按规模" in overview and "按板块" in overview and "伊山镇" in overview
    partial = leader.get(
        "/projects/overview/", {"unit": "320723-T02", "month": "2025-08"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<div id="overview"')


def _row(project: Project, **values: str) -> dict[str, str]:
    return {f"p{project.pk}-{k}": v for k, v in values.items()}


def test_dispatch_sheet_saves_submits_and_locates_errors(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    a, b, c = build_projects(3, orgunits, personas["yishan"], personas["fgw"])
    a = services.update_project(a, actor=personas["yishan"], total_investment_wan=D(200_000))
    yishan = client_for(personas["yishan"])
    url = f"/projects/dispatch/?unit={CLUSTER}&month=2025-09"
    page = yishan.get(url).content.decode()
    assert page.count('data-testid="dispatch-row"') == 3 and 'data-prev-ytd="6400.00"' in page

    # A ×100 jump without a note, a month and YTD that disagree, and a future month: nothing is saved.
    data = {"action": "submit"}
    data |= _row(a, month_wan="80000")
    data |= _row(b, month_wan="500", ytd_wan="9999")
    data |= _row(
        c,
        month_wan="700",
        progress="厂房封顶",
        problems="供电线路迁改\n用地指标不足",
        problem_category="land",
    )
    body = yishan.post(url, data).content.decode()
    assert "本次未保存任何数据" in body
    assert "是上月（800万元）的100倍" in body and "请核实单位（万元/亿元）" in body
    assert "与累计不一致：上月累计6400万元 + 本月500万元 = 6900万元" in body
    assert not MonthlyReport.objects.filter(month=9).exists()

    data |= _row(a, confirm_note="设备集中到货安装，属实") | _row(b, ytd_wan="6900")
    response = yishan.post(url, data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line or "alert" in line
    ]
    reports = {r.project_id: r for r in MonthlyReport.objects.filter(month=9)}
    assert {r.status for r in reports.values()} == {"submitted"}
    assert (reports[a.pk].ytd_wan, reports[a.pk].month_wan) == (D(86400), D(80000))
    assert (reports[b.pk].ytd_wan, reports[b.pk].month_wan) == (D(6900), D(500))
    assert reports[c.pk].ytd_wan == D(7100)
    assert list(Blocker.objects.filter(project=c).values_list("description", "category")) == [
        ("供电线路迁改", "land"),
        ("用地指标不足", "land"),
    ]
    page = yishan.get(url).content.decode()
    assert (
        page.count(">已提交<") == 3 and 'name="p' not in page.split("dispatch-form")[1].split("</tbody>")[0]
    )


def test_dispatch_stage_change_is_recorded_when_approved(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    p = services.create_project(
        actor=personas["yishan"],
        org_unit=orgunits[CLUSTER],
        name="伊山预制菜项目（测试）",
        total_investment_wan=D(120_000),
        stage=domain.Stage.SIGNED,
        stage_on=dt.date(2025, 3, 1),
    )
    yishan = client_for(personas["yishan"])
    url = f"/projects/dispatch/?unit={CLUSTER}&month=2025-09"
    bad = _row(p, month_wan="3000", new_stage="in_stats", new_stage_on="2025-09-20") | {"action": "save"}
    assert "须在开工之后" in yishan.post(url, bad).content.decode()
    late = _row(p, month_wan="3000", new_stage="started", new_stage_on="2025-10-02") | {"action": "save"}
    assert "晚于2025年9月" in yishan.post(url, late).content.decode()
    ok = _row(p, month_wan="3000", new_stage="started", new_stage_on="2025-09-16") | {"action": "submit"}
    assert yishan.post(url, ok).status_code == 302
    p.refresh_from_db()
    assert p.stage == domain.Stage.SIGNED  # not before the review
    report = MonthlyReport.objects.get(project=p, month=9)
    fgw = client_for(personas["fgw"])
    row = fgw.post(f"/projects/reports/{report.pk}/approve/", HTTP_HX_REQUEST="true").content.decode()
    assert row.startswith("<tr") and 'data-status="approved"' in row
    p.refresh_from_db()
    assert (p.stage, p.stage_on) == (domain.Stage.STARTED, dt.date(2025, 9, 16))
    event = StageEvent.objects.get(project=p, stage=domain.Stage.STARTED)
    assert event.actor == personas["fgw"] and "2025年9月调度报告" in event.note


def test_review_queue_returns_with_a_comment_and_approves(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    (p,) = build_projects(1, orgunits, personas["yishan"], personas["fgw"])
    report = services.submit_report(
        services.save_report(actor=personas["yishan"], project=p, year=2025, month=9, ytd_wan=D(7200)),
        actor=personas["yishan"],
    )
    fgw = client_for(personas["fgw"])
    queue = fgw.get("/projects/review/").content.decode()
    assert 'data-testid="queue-count">1<' in queue and p.name in queue
    row = fgw.post(f"/projects/reports/{report.pk}/return/", {"comment": ""}, HTTP_HX_REQUEST="true")
    assert "退回时请填写退回意见" in row.content.decode()
    row = fgw.post(
        f"/projects/reports/{report.pk}/return/", {"comment": "请补充形象进度"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-status="returned"' in row.content.decode()
    sheet = (
        client_for(personas["yishan"])
        .get(f"/projects/dispatch/?unit={CLUSTER}&month=2025-09")
        .content.decode()
    )
    assert "请补充形象进度" in sheet and 'data-testid="review-comment"' in sheet
    report.refresh_from_db()
    services.submit_report(
        services.save_report(
            actor=personas["yishan"], project=p, year=2025, month=9, ytd_wan=D(7200), progress="主体完工"
        ),
        actor=personas["yishan"],
    )
    response = fgw.post(f"/projects/reports/{report.pk}/approve/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"
    actions = AuditEvent.objects.filter(object_type="projects.monthlyreport", object_id=str(report.pk))
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "create",
        "submit",
        "return",
        "update",
        "submit",
        "approve",
    ]
