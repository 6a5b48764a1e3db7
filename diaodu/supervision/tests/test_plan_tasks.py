"""Key tasks in a plan file: located Chinese errors, and an idempotent, audited sync."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.plans.planfile import PlanFileError, PlanSpec, parse_plan
from diaodu.plans.services import load_plan
from diaodu.supervision import services
from diaodu.supervision.models import KeyTask

SOURCE = "一季度前完成总体规划、产业规划编制和区域环评,6月底前基本拉开3平方公里先试先行区的整体框架。"
HEADER = """\
plan: {code: t-2025, title: 测试计划, year: 2025, org_unit: "320723"}
indicators:
  - {code: gdp, name: 地区生产总值, unit: "%", measure: growth}
targets:
  - {key: gdp, indicator: gdp, org_unit: "320723", value: 7, comparator: ">=", level: committed, quote: 一季度前}
"""
TASKS = """\
tasks:
  - key: pilot
    title: 基本拉开3平方公里先试先行区的整体框架
    quote: 6月底前基本拉开3平方公里先试先行区的整体框架
    owner: 320723-Z01
    co_owners: [320723-D06]
    leader: 分管临港产业区的县级领导
    deadline: 2025-06-30
    milestones:
      - {title: 完成总体规划, due: 2025-03-31}
"""


def parse(tasks: str = TASKS) -> PlanSpec:
    return parse_plan(HEADER + textwrap.dedent(tasks), source_text=SOURCE)


def test_a_valid_task_parses() -> None:
    spec = parse()
    assert spec.tasks is not None
    [task] = spec.tasks
    assert (task.owner, task.co_owners, task.deadline) == (
        "320723-Z01",
        ("320723-D06",),
        dt.date(2025, 6, 30),
    )
    assert task.quote_position == SOURCE.index("6月底前") and task.milestones[0].due == dt.date(2025, 3, 31)


def test_no_tasks_list_means_none() -> None:
    assert parse_plan(HEADER, source_text=SOURCE).tasks is None


def test_errors_are_located_in_chinese() -> None:
    bad = TASKS.replace("6月底前基本", "7月底前基本").replace("2025-06-30", "2026-06-30")
    bad = bad.replace("co_owners: [320723-D06]", "co_owners: [320723-Z01, 320723-D06, 320723-D06]")
    bad = bad.replace("due: 2025-03-31", "due: 2025-13-01").replace(
        "    leader: 分管临港产业区的县级领导\n", ""
    )
    with pytest.raises(PlanFileError) as exc:
        parse(
            bad
            + "  - {key: pilot, title: x, quote: 一季度前, owner: 320723-Z01, leader: y, deadline: 2025-03-31}\n"
        )
    messages = [str(p) for p in exc.value.errors]
    line = HEADER.count("\n")
    assert f"第{line + 2}行 tasks[0].leader：缺少必填字段" in messages
    assert f"第{line + 4}行 tasks[0].quote：原文中找不到这句引文" in messages
    assert any(
        m.startswith(f"第{line + 6}行 tasks[0].co_owners[0]：配合单位") and "与牵头单位相同" in m
        for m in messages
    )
    assert any("tasks[0].co_owners[2]：配合单位“320723-D06”重复" in m for m in messages)
    assert f"第{line + 7}行 tasks[0].deadline：期限 2026-06-30 不在计划年度 2025 年内" in messages
    assert any("tasks[0].milestones[0].due：无法识别的值“2025-13-01”" in m for m in messages)
    assert any("tasks[1].key：任务键“pilot”重复" in m for m in messages)


@pytest.mark.django_db
def test_sync_is_idempotent_audited_and_protects_supervised_tasks(orgunits, personas) -> None:  # type: ignore[no-untyped-def]
    first = load_plan(parse())
    assert (first.tasks.created, first.tasks.updated) == (1, 0)  # type: ignore[union-attr]
    task = KeyTask.objects.get(key="pilot")
    assert list(task.co_owners.values_list("code", flat=True)) == ["320723-D06"]
    audit_rows = AuditEvent.objects.count()
    again = load_plan(parse())
    assert (again.tasks.unchanged, AuditEvent.objects.count()) == (1, audit_rows)  # type: ignore[union-attr]

    changed = load_plan(
        parse(TASKS.replace("2025-06-30", "2025-07-31").replace("[320723-D06]", "[320723-D07]"))
    )
    assert changed.tasks.updated == 1  # type: ignore[union-attr]
    update = AuditEvent.objects.get(object_type="supervision.keytask", action=AuditAction.UPDATE)
    assert update.before == {"deadline": "2025-06-30", "co_owners": ["320723-D06"]}
    assert update.after == {"deadline": "2025-07-31", "co_owners": ["320723-D07"]}

    services.supervise_key_task(
        KeyTask.objects.get(key="pilot"), actor=personas["dcs"], today=dt.date(2025, 4, 1)
    )
    with pytest.raises(PlanFileError, match="已有督办件"):
        load_plan(parse("tasks: []\n"))
    assert KeyTask.objects.filter(key="pilot").exists()
