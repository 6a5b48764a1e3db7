"""``diaodu import KIND FILE``: import a workbook (.xlsx, .xls, .csv) with a dry run first.

    diaodu import actuals FILE [--user yishan] [--unit CODE] [--month 2025-09] [--sheet NAME]
                  [--mode atomic|partial] [--dry-run] [--json]

With ``--json`` one object is printed: rows_total, rows_valid, to_create, to_update, unchanged, errors (each with
sheet, row, column, value, message) and committed; for projects also records. Exit status 1 when there are
errors and nothing was written (a dry run with errors, or an atomic import refused); a partial import that
wrote its valid rows exits 0 and lists the rejected rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.plans.periods import parse_period
from diaodu.workbooks.importers import Mode, kinds
from diaodu.workbooks.importers.base import ACTION_LABELS, Action
from diaodu.workbooks.management.commands._actor import cli_actor


class Command(BaseCommand):
    help = "导入Excel（先试导入检查，再写入）/ import a workbook (dry run, then atomic or partial commit)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="actuals | projects | progress")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="以此账号的权限导入 / act as this user (default: $DIAODU_CLI_USER, else the command-line account cli)",
        )
        parser.add_argument("--unit", help="未写单位的行归入此单位（编码）/ org unit for rows that name none")
        parser.add_argument("--month", help="未写月份的行的月份，如 2025-09 / month for rows that name none")
        parser.add_argument("--sheet", help="工作表名称（默认按内容识别）/ sheet name (default: by content)")
        parser.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.ATOMIC.value)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only")
        parser.add_argument("--json", action="store_true", help="输出JSON / print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        from diaodu.orgunits.models import OrgUnit

        importer_cls = kinds().get(opts["kind"])
        if importer_cls is None:
            raise CommandError(f"不支持的导入类型“{opts['kind']}”（可用：{'、'.join(kinds())}）")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        actor = cli_actor(opts["user"])
        unit = None
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"找不到单位编码“{opts['unit']}”")
        extra: dict[str, Any] = {}
        if opts["month"]:
            period = parse_period(opts["month"])
            if period is None:
                raise CommandError("--month 应为 YYYY-MM")
            extra["month"] = (period.year, period.month)
        importer = importer_cls(actor, unit=unit, sheet=opts["sheet"], **extra)
        plan = importer.run(path.read_bytes(), path.name, mode=opts["mode"], dry_run=opts["dry_run"])
        if opts["json"]:
            self.stdout.write(json.dumps(plan.summary(), ensure_ascii=False, default=str))
        else:
            self._report(plan, dry_run=opts["dry_run"])
        if plan.has_errors and not plan.committed:
            raise SystemExit(1)

    def _report(self, plan: Any, *, dry_run: bool) -> None:
        counts = "，".join(f"{ACTION_LABELS[a]} {plan.count(a)}" for a in Action)
        self.stdout.write(
            f"{plan.filename} · {plan.sheet or '—'}：共 {len(plan.rows)} 行（{counts}），"
            f"跳过合计/空行 {plan.skipped} 行"
        )
        for p in plan.problems:
            where = f"{p.sheet}!{p.cell}" if p.cell else p.sheet
            self.stdout.write(f"  ✗ {where} {('“' + p.value + '”') if p.value else ''} {p.message}")
        if dry_run:
            self.stdout.write("试导入：未写入任何数据。")
        elif plan.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：写入 {plan.written} 行。"))
        else:
            self.stdout.write(
                self.style.ERROR("有错误，未写入任何数据（可用 --mode partial 只导入正确的行）。")
            )
