"""``diaodu bench <what> ...``: measured benchmarks (figures go to BENCHMARKS.md; no timed unit tests).

    diaodu bench import --rows 10000 [--json]

Subcommands are registered in :data:`SUBCOMMANDS` (name -> :class:`Bench`); another app adds one with
``register(Bench(...))`` from its own module listed in :data:`EXTENSIONS` or by importing this module and
calling :func:`register` from its ``AppConfig.ready``. Every bench runs inside a transaction that is rolled back:
the database is left as it was.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction


@dataclass(frozen=True)
class Bench:
    name: str
    help: str
    add_arguments: Callable[[CommandParser], None]
    run: Callable[..., dict[str, Any]]  # (**options) -> the figures


SUBCOMMANDS: dict[str, Bench] = {}
EXTENSIONS: list[str] = []  # dotted modules that call register() when imported


def register(bench: Bench) -> None:
    SUBCOMMANDS[bench.name] = bench


def _import_args(parser: CommandParser) -> None:
    parser.add_argument("--rows", type=int, default=10_000, help="调度表行数 / rows in the dispatch workbook")
    parser.add_argument("--months", type=int, default=4, help="每个项目的月数 / months per project")
    parser.add_argument(
        "--no-peer", action="store_true", help="不跑 django-import-export 对照 / skip the peer"
    )


def _run_import(**options: Any) -> dict[str, Any]:
    from diaodu.workbooks.bench import run_import_bench

    return run_import_bench(rows=options["rows"], months=options["months"], peer=not options["no_peer"])


register(
    Bench("import", "导入调度表的速度 / speed of importing a dispatch workbook", _import_args, _run_import)
)


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "性能基准 / benchmarks (diaodu bench import --rows 10000 --json)"

    def add_arguments(self, parser: CommandParser) -> None:
        for module in EXTENSIONS:
            importlib.import_module(module)
        sub = parser.add_subparsers(dest="bench", required=True, parser_class=type(parser))
        for bench in SUBCOMMANDS.values():
            p = sub.add_parser(bench.name, help=bench.help, called_from_command_line=True)
            bench.add_arguments(p)
            p.add_argument("--json", action="store_true", help="输出JSON / print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        bench = SUBCOMMANDS.get(options["bench"])
        if bench is None:
            raise CommandError(f"unknown bench {options['bench']!r}")
        figures: dict[str, Any] = {}
        try:
            with transaction.atomic():
                figures = bench.run(**options)
                raise _Rollback
        except _Rollback:
            pass
        figures["database"] = connection.vendor
        if options.get("json"):
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key:>16}: {value}")
