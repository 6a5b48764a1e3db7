"""Authorization rows of the supervision pages (the API rows are in ``authz.py``).

Same scope as the API: the item is led by 伊山镇 with 杨集镇 as co-department. Anonymous users are sent to the
login page (302); the administrators hold no business permission (403); the zones and 自然资源和规划局 (ziran,
falls back to lingang) cannot see the item (404). A step that succeeds redirects back to the item (302); a step
the role may not take is 403 before its form is even read; a step the state does not allow redirects with a
message (302); an invalid form re-renders the page (400).
"""

from __future__ import annotations

from typing import Any

from diaodu.core.testing.authz import ADMINS, YANGJI, YISHAN, Case, World, each
from diaodu.supervision.tests.authz import FAR, item, task_kwargs

ANON = {"anonymous": 302}
READERS = ANON | each(ADMINS, 403)  # everyone else: 200
INVISIBLE = each(("lingang", "kaifaqu"), 404)
OFFICE_ONLY = ANON | {"dcs": 200}  # others: 403
LEAD_STEP = ANON | {"yishan": 302, "county": 302} | INVISIBLE  # others: 403
OFFICE_STEP = ANON | {"dcs": 302} | INVISIBLE  # others: 403


def step(status: str, action: str) -> Any:
    return lambda w: {"pk": item(w, status).pk, "action": action}


def notification(w: World) -> dict[str, int]:
    from diaodu.supervision.models import Notification

    n = Notification.objects.create(
        recipient_unit=w.yishan, kind="assigned", title="新交办督办件（授权测试）"
    )
    return {"pk": n.pk}


def attachment(w: World) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from diaodu.supervision.models import Attachment, ItemEvent

    event = ItemEvent.objects.create(item=item(w, "in_progress"), action="reply", text="管网施工过半")
    a = Attachment(event=event, name="进展.txt", size=6, content_type="text/plain", sha256="0" * 64)
    a.file.save("进展.txt", ContentFile("进展".encode()), save=False)
    a.save()
    return {"pk": a.pk}


def plan_with_task(w: World) -> dict[str, str]:
    task_kwargs(w)
    return {"plan": w.plan.code}


def blocker(w: World) -> dict[str, int]:
    from decimal import Decimal

    from diaodu.projects.models import Blocker, MonthlyReport, Project

    project = Project.objects.create(
        name="伊山智能装备产业园项目（授权测试）", org_unit=w.yishan, total_investment_wan=Decimal(50_000)
    )
    report = MonthlyReport.objects.create(
        project=project,
        year=2025,
        month=2,
        ytd_wan=Decimal(900),
        month_wan=Decimal(900),
        created_by=w.users["yishan"],
    )
    b = Blocker.objects.create(
        report=report,
        project=project,
        description="二期用地指标未落实",
        department=w.units["320723-D06"],
        category="land",
    )
    return {"pk": b.pk}


def assign_data(w: World) -> dict[str, Any]:
    return {
        "assign-lead_unit": w.yishan.pk,
        "assign-co_units": [w.yangji.pk],
        "assign-deadline": FAR.isoformat(),
    }


def blocker_data(w: World) -> dict[str, Any]:
    return {"lead_unit": w.units["320723-D06"].pk, "co_units": [w.yishan.pk], "deadline": FAR.isoformat()}


PAGE_CASES = [
    Case("supervision:inbox", expect=READERS, default=200),
    Case("supervision:inbox", data={"tab": "overdue"}, expect=READERS, default=200, note="overdue tab"),
    Case(
        "supervision:notification_read",
        method="POST",
        kwargs=notification,
        expect=ANON | {"yishan": 302},
        default=404,
    ),
    Case("supervision:notifications_read_all", method="POST", expect=READERS, default=302),
    Case("supervision:board", expect=READERS, default=200),
    Case(
        "supervision:board",
        data={"unit": YANGJI, "light": "red"},
        expect=READERS | each(("yishan", "lingang", "kaifaqu"), 404),
        default=200,
        note="unit=杨集镇",
    ),
    Case("supervision:overdue", expect=READERS, default=200),
    Case(
        "supervision:overdue",
        data={"unit": YISHAN},
        expect=READERS | each(("yangji", "lingang", "kaifaqu"), 404),
        default=200,
        note="unit=伊山镇",
    ),
    Case("supervision:key_tasks", expect=READERS, default=200),
    Case(
        "supervision:key_tasks",
        data=plan_with_task,
        expect=READERS | each(("yangji", "lingang", "kaifaqu"), 404),
        default=200,
        note="plan with a 伊山镇 task",
    ),
    Case(
        "supervision:key_task_supervise",
        method="POST",
        kwargs=lambda w: {"pk": task_kwargs(w)["task_id"]},
        expect=ANON | {"dcs": 302},
        default=403,
    ),
    Case("supervision:item_create", expect=OFFICE_ONLY, default=403),
    Case(
        "supervision:item_create",
        method="POST",
        data={"title": "图河镇工业集中区供电线路迁改"},
        expect=ANON | {"dcs": 302},
        default=403,
    ),
    Case(
        "supervision:item",
        kwargs=lambda w: {"pk": item(w, "in_progress").pk},
        expect=READERS | INVISIBLE,
        default=200,
    ),
    Case(
        "supervision:item",
        kwargs=lambda w: {"pk": item(w, "registered").pk},
        expect=READERS | each(("yishan", "yangji", "lingang", "kaifaqu", "county"), 404),
        default=200,
        note="registered: county-wide roles only",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("registered", "assign"),
        data=assign_data,
        expect=ANON
        | {"dcs": 302}
        | each(ADMINS, 403)
        | each(("yishan", "yangji", "lingang", "kaifaqu", "county"), 404),
        default=403,
        note="assign",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("assigned", "sign"),
        expect=LEAD_STEP,
        default=403,
        note="sign",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("signed", "sign"),
        expect=LEAD_STEP,
        default=403,
        note="sign: already signed: message",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("signed", "reply"),
        data={"reply-text": "管网施工过半"},
        expect=LEAD_STEP | {"yangji": 302},
        default=403,
        note="reply",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("in_progress", "request_closure"),
        data={"request_closure-text": "管网已接通"},
        expect=LEAD_STEP,
        default=403,
        note="request_closure",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("in_progress", "request_closure"),
        expect=LEAD_STEP | {"yishan": 400, "county": 400},
        default=403,
        note="request_closure: no text",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("closure_requested", "verify"),
        expect=OFFICE_STEP,
        default=403,
        note="verify",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("closure_requested", "return"),
        data={"return-reason": "缺少验收材料"},
        expect=OFFICE_STEP,
        default=403,
        note="return",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("closure_requested", "return"),
        expect=OFFICE_STEP | {"dcs": 400},
        default=403,
        note="return: no reason",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("verified", "close"),
        expect=OFFICE_STEP,
        default=403,
        note="close",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("in_progress", "close"),
        expect=OFFICE_STEP,
        default=403,
        note="close: not verified yet: message",
    ),
    Case(
        "supervision:item_step",
        method="POST",
        kwargs=step("in_progress", "archive"),
        expect=ANON,
        default=404,
        note="archive: unknown step",
    ),
    Case("supervision:item_step", kwargs=step("assigned", "sign"), default=405, note="sign: GET"),
    Case("supervision:attachment", kwargs=attachment, expect=READERS | INVISIBLE, default=200),
    Case("supervision:blockers", expect=OFFICE_ONLY, default=403),
    Case("supervision:blocker_supervise", kwargs=blocker, expect=OFFICE_ONLY, default=403),
    Case(
        "supervision:blocker_supervise",
        method="POST",
        kwargs=blocker,
        data=blocker_data,
        expect=ANON | {"dcs": 302},
        default=403,
    ),
]
