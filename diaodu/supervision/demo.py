"""Demo supervision items (演示数据) in every state, some overdue, written through the services.

Dates are relative to today so that the lights in the demo look like a live county: some items are due soon,
some overdue, one still unsigned after its sign-for deadline. Idempotent: nothing is written when the demo
items exist already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from diaodu.core.workdays import add_workdays
from diaodu.orgunits.models import OrgUnit
from diaodu.supervision import services
from diaodu.supervision.models import KeyTask, SupervisionItem

DEMO_MARK = "（演示数据）"

# title, lead unit, co-units, acting officer, days before today assigned, deadline offset (days), steps
DEMO_ITEMS: list[tuple[str, str, tuple[str, ...], str, int, int, tuple[str, ...]]] = [
    ("图河镇工业集中区供电线路迁改", "320723-T10", (), "county", 1, 40, ()),
    (
        "伊山镇工业集中区污水管网接入滞后",
        "320723-T02",
        ("320723-T03",),
        "yishan",
        12,
        30,
        (),
    ),  # unsigned, late
    ("杨集镇标准厂房消防验收", "320723-T03", (), "yangji", 10, 25, ("sign",)),
    ("开发区林源一期项目用地报批", "320723-Z02", ("320723-D06",), "kaifaqu", 30, 2, ("sign", "reply")),
    ("临港产业区物料管廊建设进度滞后", "320723-Z01", ("320723-D07",), "lingang", 60, -12, ("sign", "reply")),
    (
        "临港产业区深海排放工程环评批复",
        "320723-Z01",
        ("320723-D08",),
        "lingang",
        45,
        10,
        ("sign", "reply", "request_closure"),
    ),
    (
        "开发区闲置低效用地清理（银华春翔地块）",
        "320723-Z02",
        (),
        "kaifaqu",
        50,
        5,
        ("sign", "reply", "request_closure", "verify"),
    ),
    (
        "杨集镇工业集中区道路断头路打通",
        "320723-T03",
        (),
        "yangji",
        70,
        -20,
        ("sign", "reply", "request_closure", "verify", "close"),
    ),
    ("伊山镇企业用工对接专场", "320723-T02", (), "yishan", 40, 15, ("sign", "request_closure", "return")),
]


def load_demo_supervision(*, users: dict[str, Any], log: Callable[[str], Any] = print) -> int:
    """Create the demo items; returns how many were created (0 if they exist already)."""
    if SupervisionItem.objects.filter(title__endswith=DEMO_MARK).exists():
        log("演示督办件：已存在，无变更。")
        return 0
    today = timezone.localdate()
    office = users["dcs"]
    units = {u.code: u for u in OrgUnit.objects.all()}
    created = 0
    with transaction.atomic():
        for title, lead, co, officer_name, ago, due_in, steps in DEMO_ITEMS:
            officer = users[officer_name]
            assigned = today - dt.timedelta(days=ago)
            item = services.create_item(
                actor=office,
                title=title + DEMO_MARK,
                leader="分管工业的副县长",
                leader_user=users.get("leader"),
                description="演示数据，非真实督办事项。",
            )
            if ago <= 1 and not steps:
                created += 1
                continue  # stays registered
            item = services.assign_item(
                item,
                actor=office,
                lead_unit=units[lead],
                co_units=[units[c] for c in co],
                deadline=today + dt.timedelta(days=due_in),
                today=assigned,
            )
            for step in steps:
                day = min(today, add_workdays(assigned, 1))
                if step == "sign":
                    item = services.sign_item(item, actor=officer, today=day)
                elif step == "reply":
                    item = services.reply_item(item, actor=officer, text="已召开专题协调会，正在推进。")
                elif step == "request_closure":
                    item = services.request_closure(
                        item,
                        actor=officer,
                        text="事项已办结，附相关材料。",
                        today=today - dt.timedelta(days=3),
                    )
                elif step == "verify":
                    item = services.verify_item(item, actor=office, note="经核实已办结。")
                elif step == "close":
                    item = services.close_item(item, actor=office, today=today - dt.timedelta(days=1))
                elif step == "return":
                    item = services.return_item(item, actor=office, reason="佐证材料不全，请补充。")
            created += 1
        task = KeyTask.objects.filter(key="small-chemical-exit").first()
        if task is not None and not task.items.exists():
            services.supervise_key_task(task, actor=office, leader_user=users.get("leader"), today=today)
            created += 1
    services.run_reminder_scan(today)
    log(f"演示督办件：新建 {created} 件（登记、交办、签收、办理、申请办结、核验、办结、退回各状态均有）。")
    return created
