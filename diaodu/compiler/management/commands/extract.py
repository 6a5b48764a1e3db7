"""diaodu extract FILE [--year YEAR] [--json] [--compare PLANFILE]

Prints the targets and dated tasks found in a work report or speech (.txt or .docx): a JSON array with
``--json``, otherwise a table. With ``--compare PLANFILE`` prints precision, recall and the mismatches
against a hand-built plan file instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.compiler.extract import extract, read_document


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # pure text processing: no database, no models
    help = "从工作报告或讲话中提取目标与任务 / extract targets and dated tasks from a report or speech"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="讲话或报告原文 (.txt / .docx)")
        parser.add_argument("--year", type=int, default=None, help="计划年度（默认：文中出现最多的年份）")
        parser.add_argument("--json", action="store_true", help="输出 JSON 数组")
        parser.add_argument("--compare", metavar="PLANFILE", help="与计划文件比对，输出查准率、查全率与差异")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        if path.suffix.lower() not in (".txt", ".docx", ".md", ""):
            raise CommandError("只支持 .txt 或 .docx 文件")
        items = extract(read_document(path), year=options["year"])
        if options["compare"]:
            from diaodu.compiler.extract.compare import compare, load_plan_targets
            from diaodu.plans.planfile import PlanFileError

            try:
                targets = load_plan_targets(options["compare"])
            except PlanFileError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(compare(items, targets).report())
            return
        if options["json"]:
            self.stdout.write(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=2))
            return
        self.stdout.write(_table(items))


def _table(items: list[Any]) -> str:
    header = ("类型", "指标", "比较", "数值", "单位", "层级", "范围", "期限", "上级指标", "原文")
    rows = [header]
    for item in items:
        d = item.as_dict()
        rows.append(
            (
                "目标" if d["kind"] == "target" else "任务",
                d["indicator"],
                d["comparator"] or "",
                "" if d["value"] is None else str(d["value"]),
                d["unit"] or "",
                {"committed": "确保", "stretch": "力争", "plain": "一般"}[d["level"]],
                d["scope"] or "全域",
                d["deadline"] or "",
                d["parent_indicator"] or "",
                d["quote"] if len(d["quote"]) <= 30 else d["quote"][:29] + "…",
            )
        )
    lines = ["\t".join(row) for row in rows]
    lines.append(
        f"共 {len(items)} 项（目标 {sum(i.kind == 'target' for i in items)}，任务 {sum(i.kind == 'task' for i in items)}）"
    )
    return "\n".join(lines)
