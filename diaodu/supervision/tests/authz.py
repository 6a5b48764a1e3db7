"""Authorization rows of the supervision API (pages are in ``authz_pages.py``).

Each row's object is created inside the row's rolled-back savepoint (the kwargs callables run there): an item led
by 伊山镇 with 杨集镇 as co-department, in the state the step needs. Scope recap: the county leader, the reviewers
(fgw, tjj) and the county officer read everything in scope; dcs (督查室) reads everything and alone registers,
assigns, verifies, returns and closes; 伊山镇 (lead) signs, replies and requests closure; 杨集镇 (co) may only reply;
the zones cannot see the item (404); the administrators hold no data permission (403).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from diaodu.core.testing.authz import ADMINS, YANGJI, YISHAN, Case, World, each

FAR = dt.date(2099, 12, 31)
READERS = {"anonymous": 401, **each(ADMINS, 403)}  # everyone else who reads: 200
ITEM_INVISIBLE = each(("lingang", "kaifaqu"), 404)


def item(w: World, status: str) -> Any:
    from diaodu.supervision.models import SupervisionItem

    assigned = status != "registered"
    obj = SupervisionItem.objects.create(
        number=f"AUTHZ-{uuid.uuid4().hex[:12]}",
        title="伊山镇污水管网接入滞后（授权测试）",
        status=status,
        lead_unit=w.yishan if assigned else None,
        deadline=FAR if assigned else None,
        assigned_on=dt.date(2025, 9, 1) if assigned else None,
        sign_due=dt.date(2025, 9, 4) if assigned else None,
        signed_on=dt.date(2025, 9, 2) if status not in ("registered", "assigned") else None,
        completed_on=dt.date(2025, 9, 20) if status in ("closure_requested", "verified") else None,
    )
    if assigned:
        obj.co_units.set([w.yangji])
    return obj


def item_kwargs(status: str) -> Any:
    return lambda w: {"item_id": item(w, status).pk}


def task_kwargs(w: World) -> dict[str, int]:
    from diaodu.supervision.models import KeyTask

    task = KeyTask.objects.create(
        plan=w.plan,
        key=f"authz-{uuid.uuid4().hex[:8]}",
        title="伊山镇工业集中区扩区",
        quote="授权测试",
        owner=w.yishan,
        leader="分管工业的副县长",
        deadline=FAR,
    )
    return {"task_id": task.pk}


def notification_kwargs(w: World) -> dict[str, int]:
    from diaodu.supervision.models import Notification

    n = Notification.objects.create(
        recipient_unit=w.yishan, kind="assigned", title="新交办督办件（授权测试）"
    )
    return {"notification_id": n.pk}


LEAD_WRITES = {"anonymous": 401, "yishan": 200, "county": 200, **ITEM_INVISIBLE}  # others: 403
OFFICE_WRITES = {"anonymous": 401, "dcs": 200, **ITEM_INVISIBLE}  # others: 403

CASES = [
    Case("api:key_tasks", expect=READERS, default=200),
    Case(
        "api:key_task_detail",
        kwargs=task_kwargs,
        expect=READERS | each(("yangji", "lingang", "kaifaqu"), 404),
        default=200,
    ),
    Case("api:supervision_items", expect=READERS, default=200),
    Case(
        "api:supervision_items",
        data={"overdue": "true", "unit": YISHAN},
        expect=READERS | ITEM_INVISIBLE | {"yangji": 404},
        default=200,
        note="overdue in 伊山镇",
    ),
    Case(
        "api:supervision_item_detail",
        kwargs=item_kwargs("in_progress"),
        expect=READERS | ITEM_INVISIBLE,
        default=200,
    ),
    Case(
        "api:supervision_timeliness",
        data={"start": "2025-01-01", "end": "2025-12-31"},
        expect=READERS,
        default=200,
    ),
    Case(
        "api:supervision_item_create",
        method="POST",
        json=True,
        data={"title": "图河镇工业集中区供电线路迁改", "source_type": "manual"},
        expect={"anonymous": 401, **each(ADMINS, 403), "dcs": 200},
        default=403,
    ),
    Case(
        "api:supervision_item_create",
        method="POST",
        json=True,
        data={"title": "用地报批卡点", "source_type": "blocker", "source_id": "7"},
        expect={"anonymous": 401, **each(ADMINS, 403), "dcs": 200},
        default=403,
        note="from a blocker",
    ),
    Case(
        "api:supervision_item_assign",
        method="POST",
        json=True,
        kwargs=item_kwargs("registered"),
        data={"lead_unit": YISHAN, "co_units": [YANGJI], "deadline": FAR.isoformat()},
        # not yet assigned: only the county-wide roles see it
        expect={
            "anonymous": 401,
            "dcs": 200,
            **each(("yishan", "yangji", "lingang", "kaifaqu", "county"), 404),
        },
        default=403,
    ),
    Case(
        "api:supervision_item_sign",
        method="POST",
        json=True,
        kwargs=item_kwargs("assigned"),
        data={},
        expect=LEAD_WRITES,
        default=403,
    ),
    Case(
        "api:supervision_item_sign",
        method="POST",
        json=True,
        kwargs=item_kwargs("signed"),
        data={},
        expect=LEAD_WRITES | {"yishan": 422, "county": 422},
        default=403,
        note="already signed",
    ),
    Case(
        "api:supervision_item_reply",
        method="POST",
        kwargs=item_kwargs("signed"),
        data={"text": "管网施工过半"},
        expect=LEAD_WRITES | {"yangji": 200},
        default=403,
    ),
    Case(
        "api:supervision_item_request_closure",
        method="POST",
        kwargs=item_kwargs("in_progress"),
        data={"text": "管网已接通"},
        expect=LEAD_WRITES,
        default=403,
    ),
    Case(
        "api:supervision_item_verify",
        method="POST",
        json=True,
        kwargs=item_kwargs("closure_requested"),
        data={},
        expect=OFFICE_WRITES,
        default=403,
    ),
    Case(
        "api:supervision_item_return",
        method="POST",
        json=True,
        kwargs=item_kwargs("closure_requested"),
        data={"reason": "缺少验收材料"},
        expect=OFFICE_WRITES,
        default=403,
    ),
    Case(
        "api:supervision_item_close",
        method="POST",
        json=True,
        kwargs=item_kwargs("verified"),
        data={},
        expect=OFFICE_WRITES,
        default=403,
    ),
    Case(
        "api:supervision_item_close",
        method="POST",
        json=True,
        kwargs=item_kwargs("in_progress"),
        data={},
        expect=OFFICE_WRITES | {"dcs": 422},
        default=403,
        note="not verified yet",
    ),
    Case("api:notifications", expect={"anonymous": 401}, default=200),
    Case(
        "api:notification_read",
        method="POST",
        kwargs=notification_kwargs,
        expect={"anonymous": 401, "yishan": 200},
        default=404,
    ),
]
