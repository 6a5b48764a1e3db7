"""`diaodu backup FILE`: a consistent copy of the whole database (SQLite online backup / pg_dump -Fc)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.core import backup


class Command(BaseCommand):
    help = "备份整个数据库到文件 / Back up the whole database to FILE (SQLite: online backup API; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force", action="store_true", help="覆盖已存在的文件 / overwrite an existing file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} 已存在（用 --force 覆盖）/ exists (use --force)")
        if path.exists():
            path.unlink()
        try:
            backup.backup(path, using=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = backup.fingerprint(options["database"])
        rows = sum(n for n, _ in counts.values())
        self.stdout.write(
            f"已备份到 {path}：{len(counts)} 张表，{rows} 行 / backed up {len(counts)} tables, {rows} rows"
        )
