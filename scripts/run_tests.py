#!/usr/bin/env python
"""Run the whole pytest suite on SQLite, then on a throwaway PostgreSQL cluster.

    uv run python scripts/run_tests.py [pytest args...]
    DIAODU_TEST_DB=sqlite|postgres|both   (default: both)
    DIAODU_TEST_WORKERS=N                 (default: 2; 1 = one process)

Each phase runs the tests in N worker processes (pytest-xdist, each with its own test database), then the tests
marked ``serial`` (they restart or kill servers the others share) on their own. Passing ``-n`` or ``-m``
yourself runs pytest once, as given.

Exits non-zero if any selected phase fails (pytest's "no tests collected" counts as a failure).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgcluster import ClusterError, throwaway_cluster

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("sqlite", "postgres")
EXIT_MEANINGS = {
    0: "passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass
class PhaseResult:
    name: str
    code: int
    seconds: float
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    counted: bool = False

    @property
    def ok(self) -> bool:
        return self.code == 0


def banner(text: str) -> None:
    line = "=" * 78
    print(f"\n{line}\n  {text}\n{line}", flush=True)


def _wants_own_junit(args: list[str]) -> bool:
    return any(a.startswith(("--junitxml", "--junit-xml")) for a in args)


def _count(junit: Path, result: PhaseResult) -> None:
    try:
        root = ET.parse(junit).getroot()  # noqa: S314 - our own junit file
    except (OSError, ET.ParseError):
        return
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for s in suites:
        total += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    result.passed, result.failed, result.skipped = total - failed - skipped, failed, skipped
    result.counted = True


_child: subprocess.Popen[bytes] | None = None


def run_pytest(name: str, args: list[str], env: dict[str, str]) -> PhaseResult:
    global _child
    with tempfile.TemporaryDirectory(prefix="diaodu-junit-") as tmp:
        junit = Path(tmp) / "junit.xml"
        extra = [] if _wants_own_junit(args) else [f"--junitxml={junit}"]
        cmd = [sys.executable, "-m", "pytest", *extra, *args]
        start = time.monotonic()
        _child = subprocess.Popen(cmd, cwd=ROOT, env=env)
        try:
            code = _child.wait()
        except KeyboardInterrupt:
            _child.send_signal(signal.SIGINT)
            try:
                _child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _child.kill()
                _child.wait()
            raise
        finally:
            _child = None
        result = PhaseResult(name, code, time.monotonic() - start)
        _count(junit, result)
        return result


def _workers(args: list[str]) -> int:
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "-m")) for a in args):
        return 1  # the caller chose
    try:
        return max(1, int(os.environ.get("DIAODU_TEST_WORKERS", "2")))
    except ValueError:
        sys.exit("DIAODU_TEST_WORKERS must be a whole number")


def run_phase(name: str, args: list[str], env: dict[str, str]) -> PhaseResult:
    """The phase's tests in parallel workers, then the serial ones alone; one result for both."""
    workers = _workers(args)
    if workers <= 1:
        return run_pytest(name, args, env)
    parallel = run_pytest(name, [*args, "-n", str(workers), "-m", "not serial"], env)
    serial = run_pytest(name, [*args, "-m", "serial"], env)
    parts = [parallel, serial]
    ran = [r for r in parts if r.code != 5]  # 5: nothing selected in that part (a subset was asked for)
    code = 5 if not ran else max((r.code for r in ran), key=lambda c: c != 0)
    merged = PhaseResult(name, code, parallel.seconds + serial.seconds, counted=all(r.counted for r in ran))
    for r in ran:
        merged.passed, merged.failed, merged.skipped = (
            merged.passed + r.passed,
            merged.failed + r.failed,
            merged.skipped + r.skipped,
        )
    return merged


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into the Ctrl-C path so the cluster is stopped and removed.
    if _child is not None and _child.poll() is None:
        _child.terminate()
    raise KeyboardInterrupt


def selected_phases() -> list[str]:
    choice = os.environ.get("DIAODU_TEST_DB", "both").strip().lower() or "both"
    if choice == "both":
        return list(PHASES)
    if choice in PHASES:
        return [choice]
    sys.exit(f"DIAODU_TEST_DB must be sqlite, postgres or both (got {choice!r})")


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _on_sigterm)
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results: list[PhaseResult] = []
    try:
        for phase in selected_phases():
            if phase == "sqlite":
                banner("Phase: SQLite  (DATABASE_URL unset)  /  阶段：SQLite")
                results.append(run_phase("sqlite", argv, dict(base_env)))
            else:
                banner("Phase: PostgreSQL  (throwaway cluster)  /  阶段：PostgreSQL 临时集群")
                start = time.monotonic()
                try:
                    with throwaway_cluster() as url:
                        print(f"DATABASE_URL={url}", flush=True)
                        results.append(run_phase("postgres", argv, {**base_env, "DATABASE_URL": url}))
                except ClusterError as exc:
                    print(f"Could not start PostgreSQL / 无法启动 PostgreSQL:\n{exc}", file=sys.stderr)
                    results.append(PhaseResult("postgres", 3, time.monotonic() - start))
    except KeyboardInterrupt:
        print("\nInterrupted / 已中断", file=sys.stderr)
        return 130

    banner("Summary / 汇总")
    for r in results:
        status = "OK  " if r.ok else "FAIL"
        counts = f"{r.passed} passed, {r.failed} failed, {r.skipped} skipped" if r.counted else "no counts"
        meaning = EXIT_MEANINGS.get(r.code, f"exit {r.code}")
        print(f"  {status} {r.name:<9} {counts:<40} {meaning} ({r.seconds:.1f}s)")
    if all(r.counted for r in results):
        passed = sum(r.passed for r in results)
        failed = sum(r.failed for r in results) + sum(1 for r in results if not r.ok and r.failed == 0)
        skipped = sum(r.skipped for r in results)
        print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
