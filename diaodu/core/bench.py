"""One ``diaodu bench`` command for every app's benchmarks: apps register subcommands here.

An app registers its benchmarks in a module ``diaodu/<app>/bench.py`` (or package ``bench/``), which
:func:`discover` imports for every installed app::

    from diaodu.core import bench

    def _arguments(parser):            # argparse options of the subcommand
        parser.add_argument("--rows", type=int, default=10_000)

    def _run(*, rows, **_options):     # returns the figures (a JSON-able dict)
        return {"rows": rows, "total_s": 1.23}

    bench.register("import", help="Excel 导入基准", arguments=_arguments, run=_run, rollback=True)

``diaodu bench import --rows 5000 --json`` then prints the dict as JSON (one line), or as ``key: value`` lines
without ``--json``. ``rollback=True`` runs the benchmark inside a transaction that is rolled back afterwards.
Speed goals live in BENCHMARKS.md, never in timed unit tests.
"""

from __future__ import annotations

import importlib
import importlib.util
from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Benchmark:
    name: str
    help: str
    arguments: Callable[[ArgumentParser], None]
    run: Callable[..., dict[str, Any]]
    rollback: bool = False


REGISTRY: dict[str, Benchmark] = {}


def register(
    name: str,
    *,
    help: str,
    arguments: Callable[[ArgumentParser], None] | None = None,
    run: Callable[..., dict[str, Any]],
    rollback: bool = False,
) -> Benchmark:
    """Add (or replace, on re-import) the subcommand ``diaodu bench <name>``."""
    bench = Benchmark(name, help, arguments or (lambda _parser: None), run, rollback)
    REGISTRY[name] = bench
    return bench


def discover() -> dict[str, Benchmark]:
    """Import ``<app>.bench`` of every installed diaodu app so that its benchmarks register themselves."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("diaodu."):
            continue
        module = f"{config.name}.bench"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return dict(sorted(REGISTRY.items()))
