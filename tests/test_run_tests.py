"""scripts/run_tests.py: each phase runs the parallel part, then the serial tests alone, and reports both as one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("run_tests_under_test", SCRIPTS / "run_tests.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "run_tests_under_test", module)
    spec.loader.exec_module(module)
    return module


def fake(
    runner: Any, monkeypatch: pytest.MonkeyPatch, outcomes: dict[str, tuple[int, int, int, int]]
) -> list:
    calls: list[list[str]] = []

    def run_pytest(name: str, args: list[str], env: dict[str, str]) -> Any:
        calls.append(args)
        part = "serial" if args[-1] == "serial" else ("parallel" if "-n" in args else "whole")
        code, passed, failed, skipped = outcomes[part]
        return runner.PhaseResult(name, code, 1.0, passed, failed, skipped, counted=True)

    monkeypatch.setattr(runner, "run_pytest", run_pytest)
    return calls


def test_the_parts_add_up(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake(runner, monkeypatch, {"parallel": (0, 100, 0, 3), "serial": (0, 4, 0, 1)})
    result = runner.run_phase("sqlite", ["-q"], {})
    assert calls == [["-q", "-n", "2", "-m", "not serial"], ["-q", "-m", "serial"]]
    assert (result.code, result.passed, result.failed, result.skipped, result.seconds) == (0, 104, 0, 4, 2.0)


def test_a_failure_in_either_part_fails_the_phase(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake(runner, monkeypatch, {"parallel": (0, 100, 0, 0), "serial": (1, 3, 1, 0)})
    result = runner.run_phase("postgres", [], {})
    assert (result.ok, result.code, result.failed) == (False, 1, 1)


def test_a_subset_without_serial_tests_is_fine(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake(runner, monkeypatch, {"parallel": (0, 7, 0, 0), "serial": (5, 0, 0, 0)})
    result = runner.run_phase("sqlite", ["diaodu/plans"], {})
    assert (result.ok, result.passed) == (True, 7)
    fake(runner, monkeypatch, {"parallel": (5, 0, 0, 0), "serial": (5, 0, 0, 0)})
    assert runner.run_phase("sqlite", ["-k", "nothing"], {}).code == 5


def test_choosing_workers_or_markers_runs_pytest_once(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake(runner, monkeypatch, {"whole": (0, 5, 0, 0)})
    runner.run_phase("sqlite", ["-m", "browser"], {})
    monkeypatch.setenv("DIAODU_TEST_WORKERS", "1")
    runner.run_phase("sqlite", ["-q"], {})
    assert calls == [["-m", "browser"], ["-q"]]
