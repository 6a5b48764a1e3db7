"""``diaodu bench <name> [options] [--json]``: run a benchmark registered through :mod:`diaodu.core.bench`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diaodu.core import bench


class Command(BaseCommand):
    help = "运行性能基准（各应用注册的子命令），结果记入 BENCHMARKS.md"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
        for name, b in bench.discover().items():
            p = sub.add_parser(name, help=b.help, description=b.help)
            b.arguments(p)
            p.add_argument("--json", action="store_true", help="以一行 JSON 输出结果")

    def handle(self, *args: Any, **options: Any) -> None:
        b = bench.REGISTRY.get(options["benchmark"])
        if b is None:
            raise CommandError(f"未知基准：{options['benchmark']}")
        kwargs = {k: v for k, v in options.items() if k not in _DJANGO_OPTIONS}
        as_json = kwargs.pop("json", False)
        if b.rollback:
            with transaction.atomic():
                result = b.run(**kwargs)
                transaction.set_rollback(True)
        else:
            result = b.run(**kwargs)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")


_DJANGO_OPTIONS = {
    "verbosity",
    "settings",
    "pythonpath",
    "traceback",
    "no_color",
    "force_color",
    "skip_checks",
    "benchmark",
}
