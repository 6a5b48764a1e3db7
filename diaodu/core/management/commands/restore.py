"""`diaodu restore FILE --yes`: replace the whole database with a backup made by `diaodu backup`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.core import backup


class Command(BaseCommand):
    help = "用备份文件替换整个数据库 / Replace the whole database with a backup FILE (asks unless --yes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="不再确认 / do not ask")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} 不存在 / does not exist")
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(
                    "恢复会覆盖当前全部数据，请加 --yes 确认 / restoring replaces all data: pass --yes"
                )
            answer = input("恢复会覆盖当前全部数据，确定吗？输入 yes 继续 / replace all data? type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消 / cancelled")
        try:
            backup.restore(path, using=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = backup.fingerprint(options["database"])
        rows = sum(n for n, _ in counts.values())
        self.stdout.write(
            f"已从 {path} 恢复：{len(counts)} 张表，{rows} 行 / restored {len(counts)} tables, {rows} rows"
        )
