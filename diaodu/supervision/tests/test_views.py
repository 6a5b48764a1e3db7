"""The supervision pages: the loop through the forms, the steps each persona is offered, the scoped download,
the inbox and its notifications, the nav badge, the blocker and key-task entries, constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.projects import domain as project_domain
from diaodu.projects import services as project_services
from diaodu.supervision import services, worklists
from diaodu.supervision.models import Attachment, KeyTask, Notification, SupervisionItem
from diaodu.supervision.tests.conftest import YANGJI, YISHAN, ZIRAN

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 10, 20, 10, 0, tzinfo=dt.UTC)  # a Monday
TODAY = dt.date(2025, 10, 20)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def item_url(item: SupervisionItem, action: str | None = None) -> str:
    if action is None:
        return reverse("supervision:item", args=[item.pk])
    return reverse("supervision:item_step", args=[item.pk, action])


def steps_offered(client: Client, item: SupervisionItem) -> list[str]:
    html = client.get(item_url(item)).content.decode()
    return [a for a in services.domain.Action if f'data-testid="step-{a}"' in html]


def test_it_runs_the_loop_through_the_forms(personas, units) -> None:  # type: ignore[no-untyped-def]
    dcs, yishan = client_for(personas["dcs"]), client_for(personas["yishan"])
    r = dcs.post(
        reverse("supervision:item_create"),
        {"title": "伊山镇工业集中区道路断头路打通", "leader": "分管副县长"},
    )
    item = SupervisionItem.objects.get()
    assert r.status_code == 302 and r["Location"] == item_url(item)
    r = dcs.post(
        item_url(item, "assign"),
        {
            "assign-lead_unit": units[YISHAN].pk,
            "assign-co_units": [units[YANGJI].pk],
            "assign-deadline": "2025-12-31",
            "assign-sign_workdays": "3",
        },
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.sign_due) == ("assigned", dt.date(2025, 10, 23))

    assert yishan.post(item_url(item, "sign"), {"sign-note": "已签收，专人负责"}).status_code == 302
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    memo = SimpleUploadedFile("说明.txt", "施工组织方案".encode(), content_type="text/plain")
    r = yishan.post(item_url(item, "reply"), {"reply-text": "道路已开工", "reply-attachments": [photo, memo]})
    assert r.status_code == 302
    bad = SimpleUploadedFile("脚本.sh", b"#!/bin/sh", content_type="text/x-sh")
    r = yishan.post(item_url(item, "reply"), {"reply-text": "再传一个", "reply-attachments": [bad]})
    assert r.status_code == 400 and "文件类型不允许" in r.content.decode()
    assert (
        yishan.post(item_url(item, "request_closure"), {"request_closure-text": "道路已贯通"}).status_code
        == 302
    )
    assert dcs.post(item_url(item, "return"), {"return-reason": ""}).status_code == 400
    assert dcs.post(item_url(item, "return"), {"return-reason": "缺竣工验收材料"}).status_code == 302
    yishan.post(item_url(item, "request_closure"), {"request_closure-text": "补充了竣工验收材料"})
    dcs.post(item_url(item, "verify"), {"verify-note": "材料齐全"})
    r = dcs.post(item_url(item, "close"), {"close-note": ""}, follow=True)
    assert "已办结销号。" in r.content.decode()
    item.refresh_from_db()
    assert (item.status, item.returned_count, item.closed_on) == ("closed", 1, TODAY)

    html = client_for(personas["leader"]).get(item_url(item)).content.decode()
    for text in (
        "登记",
        "交办",
        "签收",
        "进展回复",
        "申请办结",
        "退回重办",
        "核验",
        "办结销号",
        "已签收，专人负责",
        "缺竣工验收材料",
        "伊山镇填报员（演示）",
        "督查室督查员（演示）",
        "现场.png",
        "说明.txt",
    ):
        assert text in html, text
    assert html.count('data-testid="event"') == 9
    assert 'data-testid="no-actions"' in html


def test_a_step_on_a_stale_page_shows_the_other_users_change(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = services.sign_item(make_item(), actor=personas["yishan"])
    yishan, yangji = client_for(personas["yishan"]), client_for(personas["yangji"])
    page = yangji.get(item_url(item)).content.decode()  # the co-department opens the page ...
    read = item.version
    assert f'name="reply-version" value="{read}"' in page
    # ... the lead department reports progress meanwhile ...
    r = yishan.post(item_url(item, "reply"), {"reply-text": "牵头单位的进展", "reply-version": str(read)})
    assert r.status_code == 302
    # ... and the co-department's reply, based on the page it saw, is refused with whose change it was.
    r = yangji.post(item_url(item, "reply"), {"reply-text": "配合单位的进展", "reply-version": str(read)})
    html = r.content.decode()
    assert r.status_code == 400
    assert "yishan" in html and "您的修改未保存" in html and item.number in html
    assert "配合单位的进展" in html  # what was typed is kept
    # A deliberate retry is based on the current version.
    assert f'name="reply-version" value="{read + 1}"' in html
    item.refresh_from_db()
    assert (item.version, item.events.filter(action="reply").count()) == (read + 1, 1)
    retry = yangji.post(
        item_url(item, "reply"), {"reply-text": "配合单位的进展", "reply-version": str(read + 1)}
    )
    item.refresh_from_db()
    assert (retry.status_code, item.version) == (302, read + 2)


def test_it_offers_only_the_steps_the_user_may_take(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item(assigned=TODAY, deadline=dt.date(2025, 12, 31))
    assert steps_offered(client_for(personas["dcs"]), item) == ["assign"]
    assert steps_offered(client_for(personas["yishan"]), item) == ["sign"]
    assert steps_offered(client_for(personas["yangji"]), item) == []  # co-department: nothing to sign
    services.sign_item(item, actor=personas["yishan"])
    assert steps_offered(client_for(personas["yangji"]), item) == ["reply"]
    assert steps_offered(client_for(personas["yishan"]), item) == ["reply", "request_closure"]
    assert (
        client_for(personas["yangji"])
        .post(item_url(item, "request_closure"), {"request_closure-text": "x"})
        .status_code
        == 403
    )
    assert client_for(personas["lingang"]).get(item_url(item)).status_code == 404


def test_the_download_is_scoped_and_never_inline(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item(assigned=TODAY)
    services.sign_item(item, actor=personas["yishan"])
    page = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    services.reply_item(item, actor=personas["yishan"], text="已召开协调会", files=[page])
    att = Attachment.objects.get()
    url = reverse("supervision:attachment", args=[att.pk])
    r = client_for(personas["yangji"]).get(url)
    assert r.status_code == 200 and r.getvalue() == b"%PDF-1.4 minutes"
    assert r["Content-Disposition"] == "attachment; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf"
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    assert client_for(personas["lingang"]).get(url).status_code == 404
    assert client_for(personas["sysadmin"]).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert Client().get("/media/" + att.file.name).status_code == 404  # not served from MEDIA_URL


def test_the_inbox_tabs_and_notifications(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    make_item(title="待签收的督办件", assigned=TODAY, deadline=dt.date(2025, 12, 31))
    late = make_item(title="逾期的督办件", assigned=dt.date(2025, 9, 1), deadline=dt.date(2025, 10, 10))
    services.sign_item(late, actor=personas["yishan"], today=dt.date(2025, 9, 2))
    soon = make_item(title="即将到期的督办件", assigned=dt.date(2025, 10, 9), deadline=dt.date(2025, 10, 22))
    services.sign_item(soon, actor=personas["yishan"], today=dt.date(2025, 10, 10))
    c = client_for(personas["yishan"])
    html = c.get(reverse("supervision:inbox")).content.decode()
    for tab, n in (("to_sign", 1), ("in_progress", 2), ("due_soon", 1), ("overdue", 1), ("to_verify", 0)):
        assert f'data-testid="count-{tab}">{n}<' in html, tab
    items = html.split('data-testid="notifications"')[0]
    assert "待签收的督办件" in items and "逾期的督办件" not in items  # first tab: to sign
    partial = c.get(reverse("supervision:inbox"), {"tab": "overdue"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "逾期的督办件" in partial
    assert "逾期7个工作日" in partial  # 10-10 → 10-20: the 11th (Saturday) was a 国庆 working day
    assert partial.count('data-testid="inbox-row"') == 1

    assert Notification.objects.inbox(personas["yishan"]).unread().count() == 3
    note = Notification.objects.inbox(personas["yishan"]).first()
    assert note is not None
    r = c.post(reverse("supervision:notification_read", args=[note.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-read="1"' in r.content.decode()
    for other in ("yangji", "lingang"):  # another unit's message
        assert (
            client_for(personas[other])
            .post(reverse("supervision:notification_read", args=[note.pk]))
            .status_code
            == 404
        )
    c.post(reverse("supervision:notifications_read_all"))
    assert Notification.objects.inbox(personas["yishan"]).unread().count() == 0


def test_the_nav_badge_is_one_query(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    yishan = personas["yishan"]
    item = make_item(assigned=TODAY)
    make_item(title="另一件", assigned=TODAY)
    with CaptureQueriesContext(connection) as ctx:
        assert worklists.badge_count(yishan) == 2
    assert len(ctx) == 1
    services.sign_item(item, actor=yishan)
    Notification.objects.inbox(yishan).update(read_at=NOW)
    assert worklists.badge_count(yishan) == 1  # the other one still waits to be signed for
    html = client_for(yishan).get(reverse("cockpit:home")).content.decode()
    assert 'data-testid="supervision-badge"' in html and "督查督办" in html
    admin_page = client_for(personas["sysadmin"]).get(reverse("accounts:password_change")).content.decode()
    assert 'data-testid="nav-supervision"' not in admin_page


def test_the_overdue_list_puts_the_longest_first(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    for title, deadline in (
        ("新近逾期", dt.date(2025, 10, 16)),
        ("早已逾期", dt.date(2025, 9, 20)),
        ("未逾期", dt.date(2025, 12, 31)),
    ):
        item = make_item(title=title, assigned=dt.date(2025, 9, 1), deadline=deadline)
        services.sign_item(item, actor=personas["yishan"], today=dt.date(2025, 9, 2))
    make_item(title="尚未签收的件", assigned=dt.date(2025, 10, 9), deadline=dt.date(2025, 12, 31))
    html = client_for(personas["leader"]).get(reverse("supervision:overdue")).content.decode()
    assert html.index("早已逾期") < html.index("新近逾期") < html.index("尚未签收的件")
    assert "未逾期" not in html


def test_the_board_groups_by_status(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item(assigned=TODAY)
    services.create_item(actor=personas["dcs"], title="尚未交办")
    services.sign_item(item, actor=personas["yishan"])
    html = client_for(personas["dcs"]).get(reverse("supervision:board")).content.decode()
    registered = html.split('data-testid="column-registered"')[1].split('data-testid="column-assigned"')[0]
    working = html.split('data-testid="column-working"')[1].split('data-testid="column-closure_requested"')[0]
    assert "尚未交办" in registered and item.title in working
    partial = client_for(personas["dcs"]).get(
        reverse("supervision:board"), {"unit": YANGJI}, HTTP_HX_REQUEST="true"
    )
    assert item.title in partial.content.decode() and "尚未交办" not in partial.content.decode()


@pytest.fixture
def blocker(personas, units):  # type: ignore[no-untyped-def]
    officer = personas["yishan"]
    project = project_services.create_project(
        actor=officer,
        org_unit=units[YISHAN],
        name="伊山智能装备产业园项目",
        total_investment_wan=Decimal(50_000),
    )
    project_services.record_signing(
        project, actor=officer, on=dt.date(2024, 11, 1), amount_wan=Decimal(50_000)
    )
    project_services.record_stage(
        project, actor=officer, stage=project_domain.Stage.STARTED, on=dt.date(2025, 1, 10)
    )
    report = project_services.save_report(
        actor=officer,
        project=project,
        year=2025,
        month=9,
        ytd_wan=Decimal(900),
        today=dt.date(2025, 10, 5),
        blockers=[project_services.BlockerInput("二期用地指标未落实", "land", department=units[ZIRAN])],
    )
    return report.blockers.get()


def test_an_item_from_a_project_blocker(personas, units, blocker) -> None:  # type: ignore[no-untyped-def]
    dcs = client_for(personas["dcs"])
    html = dcs.get(reverse("supervision:blockers")).content.decode()
    assert (
        "二期用地指标未落实" in html and reverse("supervision:blocker_supervise", args=[blocker.pk]) in html
    )
    form = dcs.get(reverse("supervision:blocker_supervise", args=[blocker.pk])).content.decode()
    assert f'<option value="{units[ZIRAN].pk}" selected>' in form
    r = dcs.post(
        reverse("supervision:blocker_supervise", args=[blocker.pk]),
        {"lead_unit": units[ZIRAN].pk, "co_units": [units[YISHAN].pk], "deadline": "2025-11-30"},
    )
    item = SupervisionItem.objects.get()
    assert r.status_code == 302 and r["Location"] == item_url(item)
    assert (item.lead_unit, item.blocker, item.source_type) == (units[ZIRAN], blocker, "blocker")
    blocker.refresh_from_db()
    assert blocker.status == "routed"
    assert "二期用地指标未落实" not in dcs.get(reverse("supervision:blockers")).content.decode()
    page = client_for(personas["ziran"]).get(item_url(item)).content.decode()
    assert "伊山智能装备产业园项目" in page and "卡点已交办" in page and 'data-testid="step-sign"' in page
    assert client_for(personas["yishan"]).get(reverse("supervision:blockers")).status_code == 403


def test_a_key_task_is_supervised_from_the_list(personas, units) -> None:  # type: ignore[no-untyped-def]
    from diaodu.plans.models import Plan

    plan = Plan.objects.create(code="gy-2025", title="灌云县2025年计划", year=2025, org_unit=units["320723"])
    task = KeyTask.objects.create(
        plan=plan,
        key="land",
        title="盘活闲置土地1000亩",
        quote="盘活闲置土地1000亩",
        owner=units[ZIRAN],
        leader="分管副县长",
        deadline=dt.date(2025, 12, 31),
    )
    html = client_for(personas["dcs"]).get(reverse("supervision:key_tasks")).content.decode()
    assert 'data-task-key="land" data-light="green"' in html and 'data-testid="supervise-task"' in html
    r = client_for(personas["dcs"]).post(reverse("supervision:key_task_supervise", args=[task.pk]))
    item = SupervisionItem.objects.get()
    assert r.status_code == 302 and (item.key_task, item.lead_unit) == (task, units[ZIRAN])
    html = client_for(personas["ziran"]).get(reverse("supervision:key_tasks")).content.decode()
    assert item.number in html and 'data-testid="supervise-task"' not in html


# ----------------------------------------------------------------------------- query counts


def _queries(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


LIST_PAGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("yishan", "supervision:inbox", {}),
    ("yishan", "supervision:inbox", {"tab": "in_progress"}),
    ("dcs", "supervision:board", {}),
    ("leader", "supervision:overdue", {}),
    ("dcs", "supervision:key_tasks", {}),
    ("dcs", "supervision:blockers", {}),
)


def test_list_pages_take_a_constant_number_of_queries(personas, units, make_item, blocker) -> None:  # type: ignore[no-untyped-def]
    from diaodu.plans.models import Plan

    plan = Plan.objects.create(code="gy-2025", title="灌云县2025年计划", year=2025, org_unit=units["320723"])

    def grow(n: int) -> None:
        for i in range(n):
            item = make_item(
                title=f"督办件{n}-{i}", assigned=dt.date(2025, 9, 1), deadline=dt.date(2025, 10, 10 + i)
            )
            services.sign_item(item, actor=personas["yishan"], today=dt.date(2025, 9, 2))
            services.reply_item(item, actor=personas["yangji"], text="进展")
            task = KeyTask.objects.create(
                plan=plan,
                key=f"t{n}-{i}",
                title=f"任务{n}-{i}",
                quote="原文",
                owner=units[YISHAN],
                leader="县长",
                deadline=dt.date(2025, 12, 31),
            )
            task.co_owners.set([units[YANGJI]])
            services.supervise_key_task(task, actor=personas["dcs"], today=TODAY)
        closed = make_item(title=f"已办结{n}", assigned=dt.date(2025, 9, 1))
        closed = services.sign_item(closed, actor=personas["yishan"])
        closed = services.request_closure(closed, actor=personas["yishan"], text="已办结")
        closed = services.verify_item(closed, actor=personas["dcs"])
        services.close_item(closed, actor=personas["dcs"])

    grow(1)
    clients = {name: client_for(personas[name]) for name in ("yishan", "dcs", "leader")}
    small = [_queries(clients[p], reverse(route), **params) for p, route, params in LIST_PAGES]
    grow(4)
    large = [_queries(clients[p], reverse(route), **params) for p, route, params in LIST_PAGES]
    assert small == large
