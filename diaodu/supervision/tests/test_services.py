"""The 督办 flow through the services: every transition, the return path, scope, attachments, audit and inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.supervision import services
from diaodu.supervision.models import (
    EventAction,
    ItemStatus,
    KeyTask,
    Notification,
    SourceType,
    SupervisionItem,
    TaskStatus,
)
from diaodu.supervision.tests.conftest import OFFICE, YANGJI, YISHAN

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def pdf(name: str = "现场照片说明.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def actions(item: SupervisionItem) -> list[str]:
    return list(item.events.values_list("action", flat=True))


def test_it_runs_the_whole_flow(personas, units, make_item, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    item = make_item(assigned=dt.date(2025, 9, 30))
    assert item.number.startswith("DB") and item.status == ItemStatus.ASSIGNED
    assert item.sign_due == dt.date(2025, 10, 11)  # 3 working days across 国庆
    assert set(item.co_units.values_list("code", flat=True)) == {YANGJI}

    item = services.sign_item(item, actor=personas["yishan"], today=dt.date(2025, 10, 9))
    assert (item.status, item.signed_on) == (ItemStatus.SIGNED, dt.date(2025, 10, 9))
    item = services.reply_item(
        item, actor=personas["yangji"], text="杨集镇已完成管网勘测。"
    )  # a co-department
    item = services.reply_item(item, actor=personas["yishan"], text="管网施工过半。", files=[pdf()])
    assert item.status == ItemStatus.IN_PROGRESS
    item = services.request_closure(
        item,
        actor=personas["yishan"],
        text="管网已接通，附验收单。",
        files=[pdf("验收单.pdf")],
        today=dt.date(2025, 10, 20),
    )
    assert (item.status, item.completed_on) == (ItemStatus.CLOSURE_REQUESTED, dt.date(2025, 10, 20))
    item = services.verify_item(item, actor=personas["dcs"], note="现场核实无误")
    item = services.close_item(item, actor=personas["dcs"], today=dt.date(2025, 10, 22))
    assert (item.status, item.closed_on) == (ItemStatus.CLOSED, dt.date(2025, 10, 22))

    assert actions(item) == [
        "register",
        "assign",
        "sign",
        "reply",
        "reply",
        "request_closure",
        "verify",
        "close",
    ]
    reply = item.events.get(action=EventAction.REPLY, actor=personas["yishan"])
    attachment = reply.attachments.get()
    assert attachment.name == "现场照片说明.pdf" and attachment.size == len(PDF)
    assert attachment.file.read() == PDF and attachment.content_type == "application/pdf"
    audit = list(
        AuditEvent.objects.filter(object_type="supervision.supervisionitem", object_id=str(item.pk))
        .order_by("pk")
        .values_list("action", "after")
    )
    assert [a for a, _after in audit] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.SUBMIT,
        AuditAction.APPROVE,
        AuditAction.UPDATE,
    ]
    assert audit[2][1] == {"status": "signed", "signed_on": "2025-10-09"}
    # inboxes: both units got the assignment, the office the closure request, 伊山镇 the closing
    assert set(
        Notification.objects.filter(kind="assigned").values_list("recipient_unit__code", flat=True)
    ) == {YISHAN, YANGJI}
    assert Notification.objects.filter(kind="closure_requested").values_list(
        "recipient_unit__code"
    ).get() == (OFFICE,)
    assert Notification.objects.filter(kind="closed").values_list("recipient_unit__code").get() == (YISHAN,)


def test_it_returns_for_more_work(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    item = services.sign_item(item, actor=personas["yishan"])
    item = services.request_closure(item, actor=personas["yishan"], text="已办结", today=dt.date(2025, 10, 9))
    with pytest.raises(ValidationError):
        services.return_item(item, actor=personas["dcs"], reason=" ")
    item = services.return_item(item, actor=personas["dcs"], reason="缺少验收材料")
    assert (item.status, item.returned_count, item.completed_on) == (ItemStatus.RETURNED, 1, None)
    assert Notification.objects.get(kind="returned").body.endswith("缺少验收材料")
    event = AuditEvent.objects.get(action=AuditAction.RETURN)
    assert event.before == {"status": "closure_requested", "completed_on": "2025-10-09", "returned_count": 0}
    assert event.after == {"status": "returned", "completed_on": None, "returned_count": 1}
    assert event.reason == "缺少验收材料"
    item = services.reply_item(item, actor=personas["yishan"], text="已补充验收材料")
    item = services.request_closure(item, actor=personas["yishan"], text="再次申请办结")
    item = services.verify_item(item, actor=personas["dcs"])
    item = services.return_item(
        item, actor=personas["dcs"], reason="复核发现问题未整改到位"
    )  # after verification
    assert (item.status, item.returned_count) == (ItemStatus.RETURNED, 2)


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("sign", "yangji"),  # a co-department cannot sign for the lead
        ("sign", "dcs"),
        ("sign", "leader"),
        ("request_closure", "yangji"),
        ("reply", "lingang"),
        ("verify", "yishan"),
        ("verify", "leader"),
    ],
)
def test_steps_are_scope_checked(personas, make_item, step: str, who: str) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    if step in ("request_closure", "reply"):
        item = services.sign_item(item, actor=personas["yishan"])
    if step == "verify":
        item = services.sign_item(item, actor=personas["yishan"])
        item = services.request_closure(item, actor=personas["yishan"], text="已办结")
    call = {
        "sign": lambda: services.sign_item(item, actor=personas[who]),
        "reply": lambda: services.reply_item(item, actor=personas[who], text="进展"),
        "request_closure": lambda: services.request_closure(item, actor=personas[who], text="已办结"),
        "verify": lambda: services.verify_item(item, actor=personas[who]),
    }[step]
    with pytest.raises(PermissionDenied):
        call()


def test_only_the_supervision_office_registers_and_assigns(personas, units, make_item) -> None:  # type: ignore[no-untyped-def]
    for who in ("yishan", "leader", "fgw", "sysadmin"):
        with pytest.raises(PermissionDenied):
            services.create_item(actor=personas[who], title="自行登记")
    item = services.create_item(actor=personas["dcs"], title="手工登记的督办件")
    with pytest.raises(PermissionDenied):
        services.assign_item(
            item, actor=personas["yishan"], lead_unit=units[YISHAN], deadline=dt.date(2099, 1, 1)
        )


def test_steps_out_of_order_are_refused(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    with pytest.raises(services.WorkflowError):
        services.reply_item(item, actor=personas["yishan"], text="未签收就回复")
    with pytest.raises(services.WorkflowError):
        services.close_item(item, actor=personas["dcs"])
    item.refresh_from_db()
    assert item.status == ItemStatus.ASSIGNED and item.version == 2


def test_reassigning_before_sign_for_moves_the_item(personas, units, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    item = services.assign_item(
        item,
        actor=personas["dcs"],
        lead_unit=units[YANGJI],
        co_units=[],
        deadline=dt.date(2025, 11, 30),
        today=dt.date(2025, 9, 2),
    )
    assert item.lead_unit == units[YANGJI] and not item.co_units.exists()
    services.sign_item(item, actor=personas["yangji"])
    with pytest.raises(services.WorkflowError):
        services.assign_item(
            item,
            actor=personas["dcs"],
            lead_unit=units[YISHAN],
            deadline=dt.date(2025, 12, 1),
            today=dt.date(2025, 9, 3),
        )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00", "文件类型不允许"),
        ("伪装.pdf", b"<html>", "内容与扩展名不符"),
        ("空.pdf", b"", "空文件"),
        ("大.pdf", PDF + b"0" * 2048, "超过大小限制"),
    ],
)
def test_attachments_are_limited(personas, make_item, settings, name: str, data: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_ATTACHMENT_MAX_BYTES = 1024
    item = services.sign_item(make_item(), actor=personas["yishan"])
    with pytest.raises(ValidationError) as exc:
        services.reply_item(item, actor=personas["yishan"], text="附件", files=[pdf(name, data)])
    assert message in "".join(exc.value.messages)
    item.refresh_from_db()
    assert item.status == ItemStatus.SIGNED  # nothing written


def test_key_task_item_completes_the_task(personas, units) -> None:  # type: ignore[no-untyped-def]
    from diaodu.plans.models import Plan

    plan = Plan.objects.create(code="t-2025", title="测试计划", year=2025, org_unit=units["320723"])
    task = KeyTask.objects.create(
        plan=plan,
        key="pilot",
        title="基本拉开3平方公里先试先行区的整体框架",
        quote="6月底前基本拉开3平方公里先试先行区的整体框架",
        owner=units["320723-Z01"],
        leader="分管临港产业区的县级领导",
        deadline=dt.date(2025, 6, 30),
    )
    task.co_owners.set([units["320723-D06"]])
    item = services.supervise_key_task(task, actor=personas["dcs"], today=dt.date(2025, 4, 1))
    assert (item.source_type, item.key_task, item.lead_unit) == (
        SourceType.KEY_TASK,
        task,
        units["320723-Z01"],
    )
    assert list(item.co_units.values_list("code", flat=True)) == ["320723-D06"]
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    item = services.sign_item(item, actor=personas["lingang"], today=dt.date(2025, 4, 2))
    item = services.request_closure(
        item, actor=personas["lingang"], text="先试先行区框架已拉开", today=dt.date(2025, 6, 27)
    )
    item = services.verify_item(item, actor=personas["dcs"])
    services.close_item(item, actor=personas["dcs"], today=dt.date(2025, 7, 2))
    task.refresh_from_db()
    assert (task.status, task.completed_on) == (TaskStatus.DONE, dt.date(2025, 6, 27))
    assert task.evidence.endswith("先试先行区框架已拉开")


def test_blocker_items_keep_their_source(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.create_item(actor=personas["dcs"], title="项目卡点", source_type=SourceType.BLOCKER)
    item = services.create_item(
        actor=personas["dcs"], title="用地报批卡点", source_type=SourceType.BLOCKER, source_id="42"
    )
    assert (item.source_type, item.source_id) == ("blocker", "42")


def test_numbers_are_sequential(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    a, b = make_item(), make_item(title="第二件")
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1


def test_scoping_lead_and_co_units(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    item = make_item()
    visible = {
        name: SupervisionItem.objects.visible_to(u).filter(pk=item.pk).exists()
        for name, u in personas.items()
    }
    assert visible == {
        "leader": True,
        "fgw": True,
        "tjj": True,
        "yishan": True,
        "yangji": True,
        "lingang": False,
        "kaifaqu": False,
        "county": True,
        "sysadmin": False,
        "secadmin": False,
        "auditadmin": False,
        "dcs": True,
        "ziran": False,
    }


def test_a_step_on_a_stale_version_is_refused_naming_the_other_user(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    from diaodu.core.versioning import StaleVersion

    item = make_item()
    read = item.version  # what both departments saw on the page
    services.sign_item(item, actor=personas["yishan"], expected_version=read)
    events, audit = item.events.count(), AuditEvent.objects.count()
    with pytest.raises(StaleVersion) as caught:
        services.reply_item(item, actor=personas["yangji"], text="配合单位的进展", expected_version=read)
    message = caught.value.messages[0]
    assert item.number in message and "yishan" in message and "您的修改未保存" in message
    assert (caught.value.expected, caught.value.current) == (read, read + 1)
    assert caught.value.change is not None and caught.value.change.after["status"] == ItemStatus.SIGNED
    item.refresh_from_db()
    assert (item.version, item.status, item.events.count()) == (read + 1, ItemStatus.SIGNED, events)
    assert AuditEvent.objects.count() == audit  # nothing written for the refused step
    for step in (
        lambda v: services.verify_item(item, actor=personas["dcs"], expected_version=v),
        lambda v: services.return_item(item, actor=personas["dcs"], reason="重办", expected_version=v),
        lambda v: services.close_item(item, actor=personas["dcs"], expected_version=v),
        lambda v: services.request_closure(item, actor=personas["yishan"], text="已办结", expected_version=v),
    ):
        with pytest.raises(StaleVersion):  # the version is checked before the state: the conflict is the news
            step(read)
    # The current version goes through.
    item = services.reply_item(
        item, actor=personas["yangji"], text="配合单位的进展", expected_version=read + 1
    )
    assert item.version == read + 2
