"""``diaodu workbooks recover``: fail the imports whose background worker died, and say which.

    diaodu workbooks recover [--stale-after SECONDS] [--json]

``diaodu worker`` does the same at start-up and every minute (:mod:`diaodu.workbooks.recovery`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from diaodu.workbooks.recovery import recover, stale_seconds


def _seconds(value: str) -> float:
    seconds = float(value)
    if not seconds >= 0:
        raise argparse.ArgumentTypeError("须为不小于 0 的秒数 / must be zero or more seconds")
    return seconds


class Command(BaseCommand):
    help = "导入任务维护：recover 把后台进程异常终止的导入标记为失败 / fail imports whose worker died"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["recover"])
        parser.add_argument(
            "--stale-after",
            type=_seconds,
            default=None,
            help=f"多少秒没有进展即判定中断（默认 DIAODU_IMPORT_STALE_SECONDS，现为 {stale_seconds():g}）"
            " / seconds without progress before a job counts as dead",
        )
        parser.add_argument("--json", action="store_true", help="输出JSON / print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        result = recover(stale_after=opts["stale_after"])
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        for line in result.lines():
            self.stdout.write(line)
        if not result.jobs and not result.tasks and not result.busy:
            self.stdout.write("没有中断的导入任务 / no interrupted imports")
        elif result.jobs:
            self.stdout.write(
                f"共 {len(result.jobs)} 个导入任务标记为失败（已记入审计日志）/ "
                f"{len(result.jobs)} import job(s) marked failed (audited)"
            )
