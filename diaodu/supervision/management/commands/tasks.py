"""``diaodu tasks list``: the key tasks (重点任务) of a year with their status and light.

    diaodu tasks list --year 2025 --as-of 2025-09-30 [--plan CODE] [--unit CODE] [--json]

``--json`` prints a JSON array of objects with exactly the keys ``title``, ``quote``, ``owner_units`` (unit names,
lead first), ``deadline`` (ISO date), ``status`` (not_started / in_progress / done, as of the date) and
``light`` (green / yellow / red, as of the date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from diaodu.orgunits.models import OrgUnit
from diaodu.plans.services import org_unit_lookup
from diaodu.supervision.models import KeyTask, TaskStatus
from diaodu.supervision.reports import TaskRow, key_task_rows

LIGHT_LABELS = {"green": "绿", "yellow": "黄", "red": "红"}


class Command(BaseCommand):
    help = "查看计划中的重点任务及其红黄绿灯（tasks list）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{list}")
        ls = sub.add_parser("list", help="列出重点任务")
        ls.add_argument("--year", type=int, help="计划年度（默认取 --as-of 的年份）")
        ls.add_argument("--as-of", dest="as_of", help="评价日期，如 2025-09-30（默认今天）")
        ls.add_argument("--plan", help="只看某个计划（计划编码）")
        ls.add_argument("--unit", help="只看某个牵头或配合单位（编码、全称或简称）")
        ls.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of 应为日期（如 2025-09-30），而不是“{options['as_of']}”") from None
        year = options["year"] or as_of.year
        tasks = KeyTask.objects.filter(plan__year=year)
        if options["plan"]:
            tasks = tasks.filter(plan__code=options["plan"])
        if options["unit"]:
            codes = org_unit_lookup()(options["unit"])
            if len(codes) != 1:
                raise CommandError(f"{'找不到' if not codes else '有多个'}单位“{options['unit']}”")
            tasks = tasks.involving(OrgUnit.objects.get(code=codes[0]).pk)
        rows = key_task_rows(tasks, as_of=as_of)
        if options["json"]:
            self.stdout.write(json.dumps([self._row(r) for r in rows], ensure_ascii=False, indent=2))
            return
        counts = {light: sum(1 for r in rows if r.light == light) for light in LIGHT_LABELS}
        tally = " ".join(f"{label}{counts[light]}" for light, label in LIGHT_LABELS.items())
        self.stdout.write(f"{year}年重点任务{len(rows)}项（截至{as_of.isoformat()}）：{tally}")
        status_labels = dict(TaskStatus.choices)
        for r in rows:
            self.stdout.write(
                f"{LIGHT_LABELS[r.light]}  {r.task.deadline.isoformat()}  "
                f"{status_labels[r.status]}  {r.task.title}（{'、'.join(r.owner_units)}）"
            )

    @staticmethod
    def _row(row: TaskRow) -> dict[str, Any]:
        return {
            "title": row.task.title,
            "quote": row.task.quote,
            "owner_units": row.owner_units,
            "deadline": row.task.deadline.isoformat(),
            "status": str(row.status),
            "light": str(row.light),
        }
