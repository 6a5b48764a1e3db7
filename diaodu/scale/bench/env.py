"""Where a benchmark runs: the configured database, or a fresh one of another kind in a child process."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db import connection

VENDORS = {"sqlite": "sqlite", "postgres": "postgresql"}


def pgcluster() -> ModuleType:
    """scripts/pgcluster.py (not a package), loaded by path."""
    path = Path(settings.BASE_DIR) / "scripts" / "pgcluster.py"
    spec = importlib.util.spec_from_file_location("pgcluster", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("pgcluster", module)
    spec.loader.exec_module(module)
    return module


def configured(db: str) -> bool:
    return connection.vendor == VENDORS[db]


@contextlib.contextmanager
def fresh_database(db: str) -> Iterator[dict[str, str]]:
    """Environment variables for a child process using a new, empty database of kind ``db``."""
    with tempfile.TemporaryDirectory(prefix="diaodu-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DIAODU_VAR_DIR": tmp}
        if db == "sqlite":
            yield env | {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        else:
            with pgcluster().throwaway_cluster() as url:
                yield env | {"DATABASE_URL": url}


def diaodu(env: dict[str, str], *args: str) -> str:
    """Run ``diaodu ARGS`` in a child process with ``env``; its standard output (stderr passes through)."""
    result = subprocess.run(
        [sys.executable, "-m", "diaodu", *args], env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"diaodu {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-2000:]}")
    return result.stdout


def last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])
