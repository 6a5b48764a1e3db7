"""The accepted result as a plan file (计划文件), in the format of ``plans/guanyun-2025.yaml``.

A plan file describes a whole plan: ``diaodu plan load`` makes the plan's targets equal to the file's. So the
export is the document's plan as it stands after review — every target of the plan (those accepted from this
document and any it already had), the indicators they use, and its key tasks plus the task items accepted from
the document (which become key tasks when the file is loaded). Loading the file back changes no target.

The file names no ``source.file``: quotes are not re-checked on load, and quote positions already stored are kept
(``diaodu plan load FILE --source TEXT`` recomputes them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from django.apps import apps

from diaodu.compiler import domain
from diaodu.compiler.models import ExtractedItem, ItemKind, ItemStatus, SourceDocument
from diaodu.plans.models import Indicator, Target

INDICATOR_KEYS = (
    "code",
    "name",
    "unit",
    "value_unit",
    "measure",
    "direction",
    "accumulation",
    "rollup",
    "description",
    "computed_from",
)


def _number(value: Decimal) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _indicator(ind: Indicator) -> dict[str, Any]:
    out = {key: getattr(ind, key) for key in INDICATOR_KEYS}
    return {k: v for k, v in out.items() if v != "" or k in ("code", "name", "unit", "measure")}


def _target(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"key": t.key}
    if t.section:
        out["section"] = t.section
    out["indicator"] = t.indicator.code
    out["org_unit"] = t.org_unit.code
    if t.relative_to is not None:
        out["relative_to"] = t.relative_to.code
    else:
        assert t.value is not None
        out["value"] = _number(t.value)
    out["comparator"] = t.comparator
    out["level"] = t.level
    out["quote"] = t.quote
    if t.deadline:
        out["deadline"] = t.deadline
    if t.parent is not None:
        out["parent"] = t.parent.key
    return out


def _key_tasks(document: SourceDocument) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    if apps.is_installed("diaodu.supervision"):
        from diaodu.supervision.models import KeyTask

        for task in (
            KeyTask.objects.filter(plan=document.plan)
            .select_related("owner")
            .prefetch_related("co_owners", "milestones")
        ):
            entry: dict[str, Any] = {"key": task.key}
            if task.section:
                entry["section"] = task.section
            entry |= {"title": task.title, "quote": task.quote, "owner": task.owner.code}
            co_owners = [u.code for u in task.co_owners.all()]
            if co_owners:
                entry["co_owners"] = co_owners
            entry |= {"leader": task.leader, "deadline": task.deadline}
            milestones = [{"title": m.title, "due": m.due} for m in task.milestones.all()]
            if milestones:
                entry["milestones"] = milestones
            tasks.append(entry)
    known = {t["key"] for t in tasks}
    accepted = (
        ExtractedItem.objects.filter(document=document, kind=ItemKind.TASK, status=ItemStatus.ACCEPTED)
        .select_related("scope_unit")
        .order_by("position")
    )
    for item in accepted:
        if item.task_key in known or item.deadline is None:
            continue
        entry = {"key": item.task_key}
        section = domain.section_at(document.text, item.start)
        if section:
            entry["section"] = section
        entry |= {
            "title": item.indicator_name[:200],
            "quote": item.quote,
            "owner": (item.scope_unit or document.org_unit).code,
            "leader": item.leader or "待明确",
            "deadline": item.deadline,
        }
        tasks.append(entry)
    return tasks


def export_plan_file(document: SourceDocument) -> str:
    """The YAML text of the document's plan after review."""
    plan = document.plan
    targets = list(
        Target.objects.filter(plan=plan)
        .select_related("indicator", "org_unit", "relative_to", "parent")
        .order_by("sort_order", "pk")
    )
    used: dict[str, Indicator] = {}
    for t in targets:
        used.setdefault(t.indicator.code, t.indicator)
        if t.relative_to is not None:
            used.setdefault(t.relative_to.code, t.relative_to)
    data: dict[str, Any] = {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "year": plan.year,
            "org_unit": plan.org_unit.code,
            "source": {"title": plan.source_title or document.title},
        },
        "indicators": [_indicator(i) for i in used.values()],
        "targets": [_target(t) for t in targets],
    }
    tasks = _key_tasks(document)
    if tasks:
        data["tasks"] = tasks
    header = (
        f"# {plan.title}（计划文件，由调度从《{document.title}》审核采纳后导出）\n"
        f"# 导出时间的计划全貌：{len(targets)}个目标、{len(tasks)}项重点任务。\n"
        "# 载入：diaodu plan load 本文件 —— 计划的目标将与本文件一致（文件中没有的目标会被删除）。\n\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
