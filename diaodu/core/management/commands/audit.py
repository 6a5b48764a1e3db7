"""`diaodu audit verify` checks the hash chain; `diaodu audit purge --before DATE` applies the retention rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.audit import chain
from diaodu.audit.services import RetentionError, purge_before


class Command(BaseCommand):
    help = (
        "审计日志：verify 校验哈希链；purge --before DATE 清理（至少保留180天）/ audit trail: verify, purge"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="校验哈希链，报告第一处断点 / check the hash chain, report the first break"
        )
        purge = sub.add_parser("purge", help="删除某日期之前的记录（至少保留180天）/ delete rows before DATE")
        purge.add_argument("--before", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
        for p in sub.choices.values():
            p.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        if options["action"] == "verify":
            checked, broken = chain.verify(using)
            if broken is not None:
                raise CommandError(
                    f"审计哈希链断裂 / audit hash chain broken at {broken} (前 {checked} 条完好 / "
                    f"{checked} rows intact before it)"
                )
            self.stdout.write(f"审计哈希链完好：{checked} 条 / audit hash chain intact: {checked} rows")
            return
        try:
            count = purge_before(options["before"], using=using)
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已清理 {count} 条审计记录 / purged {count} audit rows")
