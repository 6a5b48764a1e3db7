"""The throwaway PostgreSQL cluster used by scripts/run_tests.py starts, answers and cleans up."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import psycopg

_PATH = Path(__file__).resolve().parent.parent / "scripts" / "pgcluster.py"
_spec = importlib.util.spec_from_file_location("pgcluster", _PATH)
assert _spec and _spec.loader
pgcluster = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("pgcluster", pgcluster)
_spec.loader.exec_module(pgcluster)


def test_throwaway_cluster_answers_and_is_removed() -> None:
    with pgcluster.throwaway_cluster() as url:
        assert url.startswith("postgres://postgres@127.0.0.1:")
        with psycopg.connect(url) as conn:
            row = conn.execute("select version()").fetchone()
            assert row is not None
            assert "PostgreSQL" in row[0]
            encoding = conn.execute("show server_encoding").fetchone()
            assert encoding is not None and encoding[0] == "UTF8"
        port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    # Stopped: nothing listens on the port any more.
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        pass
    else:
        raise AssertionError(f"cluster on port {port} still answers after exit")
