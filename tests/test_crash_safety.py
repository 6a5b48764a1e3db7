"""Crash safety.

1. A large import is killed with SIGKILL half-way (together with the running server): no partial rows remain,
   the database is intact and the restarted server works. Twice: a plan file loaded by `diaodu plan load`, and
   a workbook of several thousand actuals uploaded and committed through the web import pages, whose rows the
   task worker writes (the server and the worker are killed together, as a power cut would). A restarted
   `diaodu worker` then marks that import failed (heartbeat older than DIAODU_IMPORT_STALE_SECONDS), audited, and
   its progress page says so instead of spinning for ever.
2. PostgreSQL restarts while clients keep submitting through the API: in-flight requests fail cleanly (5xx or
   a dropped connection, never a hang), the app recovers by itself (CONN_HEALTH_CHECKS with persistent
   connections), and every submission acknowledged with a 2xx is in the database afterwards.

All run real processes (`diaodu serve`, `diaodu db_worker`, `diaodu plan load`) against a scratch copy of the
test database.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.db import connection

from diaodu.core import backup
from diaodu.core.testing.roles import ensure_default_roles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from pgcluster import free_port, running_cluster  # noqa: E402

# serial: one test restarts the suite's PostgreSQL cluster, which other workers' tests are using.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


# ----------------------------------------------------------------------------- scratch databases


@dataclass
class Scratch:
    url: str
    vendor: str
    sqlite_path: Path | None = None
    pg_dsn: str = ""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.vendor == "sqlite":
            assert self.sqlite_path is not None
            with contextlib.closing(sqlite3.connect(self.sqlite_path)) as db:
                return list(db.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.pg_dsn, autocommit=True) as db:
            return list(db.execute(sql).fetchall())  # type: ignore[arg-type]


def _pg_url(settings: dict[str, Any], name: str) -> str:
    user, host, port = (
        settings.get("USER") or "postgres",
        settings.get("HOST") or "127.0.0.1",
        settings.get("PORT"),
    )
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def clone_test_database(tmp_path: Path) -> Iterator[Scratch]:
    """A committed copy of the test database (schema, roles, what the test created) for other processes."""
    if connection.vendor == "sqlite":
        path = tmp_path / "scratch.sqlite3"
        backup.backup(path)
        yield Scratch(f"sqlite:///{path}", "sqlite", sqlite_path=path)
        return
    import psycopg

    dump = tmp_path / "scratch.dump"
    backup.backup(dump)
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    admin_url = _pg_url(connection.settings_dict, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        url = _pg_url(connection.settings_dict, name)
        _pg_restore(dump, url)
        yield Scratch(url, "postgresql", pg_dsn=url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _pg_restore(dump: Path, url: str) -> None:
    subprocess.run(
        [backup.pg_program("pg_restore"), "--no-owner", "-d", url, str(dump)], check=True, capture_output=True
    )


# ----------------------------------------------------------------------------- processes


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return (
        env | {"DATABASE_URL": url, "DIAODU_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "diaodu.settings"} | extra
    )


@contextlib.contextmanager
def server(url: str, **extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="diaodu-serve-", suffix=".log")[1])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "diaodu", "serve", "--port", str(port)],
            cwd=ROOT,
            env=_env(url, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts Django slowly
        while True:
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.unlink(missing_ok=True)


def big_plan(path: Path, indicators: int = 500, targets: int = 1500) -> Path:
    units = ["320723", "320723-T02", "320723-T03"]
    lines = [
        "plan:",
        "  code: crash-test",
        "  title: 崩溃测试计划",
        "  year: 2025",
        '  org_unit: "320723"',
        "indicators:",
    ]
    for i in range(indicators):
        lines += [
            f"  - code: crash_ind_{i}",
            f"    name: 崩溃测试指标{i}",
            '    unit: "亿元"',
            "    measure: absolute",
            "    direction: higher",
            "    accumulation: ytd",
            "    rollup: none",
        ]
    lines.append("targets:")
    for t in range(targets):
        lines += [
            f"  - key: crash-{t}",
            "    section: 测试",
            f"    indicator: crash_ind_{t % indicators}",
            f'    org_unit: "{units[(t // indicators) % 3]}"',
            f"    value: {t + 1}",
            '    comparator: ">="',
            "    level: plain",
            f'    quote: "测试目标{t}"',
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class WriteWatch:
    """Tells when the import has held its write transaction for a while (so it is writing rows)."""

    def __init__(self, scratch: Scratch) -> None:
        self.scratch = scratch
        self.since: float | None = None

    def writing(self) -> bool:
        if self.scratch.vendor == "sqlite":
            held = self._sqlite_write_lock_held()
            if not held:
                self.since = None
                return False
            self.since = self.since or time.monotonic()
            return time.monotonic() - self.since > 0.3
        rows = self.scratch.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL "
            "AND state IN ('active', 'idle in transaction') AND now() - xact_start > interval '300 milliseconds'"
        )
        return bool(rows[0][0])

    def activity(self) -> Any:
        if self.scratch.vendor == "sqlite":
            return "sqlite"
        return self.scratch.query(
            "SELECT pid, state, backend_xid, xact_start, now(), left(query, 80) "
            "FROM pg_stat_activity WHERE datname = current_database()"
        )

    def _sqlite_write_lock_held(self) -> bool:
        assert self.scratch.sqlite_path is not None
        db = sqlite3.connect(self.scratch.sqlite_path, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": a writer is inside its transaction
            return True
        finally:
            db.close()


def _setup_people() -> None:
    from diaodu.core.demo.personas import ensure_demo_users
    from diaodu.orgunits.services import seed_guanyun

    ensure_default_roles()
    seed_guanyun()
    ensure_demo_users()


# ----------------------------------------------------------------------------- 1. SIGKILL during an import


def test_a_killed_import_leaves_no_partial_rows(tmp_path: Path) -> None:
    _setup_people()
    plan_file = big_plan(tmp_path / "big.yaml")
    for scratch in clone_test_database(tmp_path):
        watch = WriteWatch(scratch)
        with server(scratch.url) as (base, server_proc):
            loader = subprocess.Popen(
                [sys.executable, "-m", "diaodu", "plan", "load", str(plan_file)],
                cwd=ROOT,
                env=_env(scratch.url),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            started = time.monotonic()
            deadline = started + 150  # parsing the file first is slow on a loaded machine
            while not watch.writing():
                assert loader.poll() is None, (
                    f"the import ended before it could be killed: {loader.stderr.read()[-3000:]!r}"
                )  # type: ignore[union-attr]
                assert time.monotonic() < deadline, f"the import never started writing: {watch.activity()}"
                time.sleep(0.05)
            loader.send_signal(signal.SIGKILL)
            server_proc.send_signal(signal.SIGKILL)
            print(f"killed the import {time.monotonic() - started:.1f} s after it started")
            loader.wait()
            server_proc.wait()
            assert loader.returncode == -signal.SIGKILL

        counts = {
            "plans": "SELECT count(*) FROM plans_plan WHERE code = 'crash-test'",
            "indicators": "SELECT count(*) FROM plans_indicator WHERE code LIKE 'crash_ind_%'",
            "targets": "SELECT count(*) FROM plans_target WHERE key LIKE 'crash-%'",
            "audit": "SELECT count(*) FROM audit_auditevent WHERE object_repr LIKE '%崩溃测试%'",
        }
        assert {name: scratch.query(sql)[0][0] for name, sql in counts.items()} == dict.fromkeys(counts, 0)
        if scratch.vendor == "sqlite":
            assert scratch.query("PRAGMA integrity_check") == [("ok",)]

        # The database is usable: a restarted server logs a user in (which writes the audit trail).
        with server(scratch.url) as (base, _proc):
            assert _login_attempt_recorded(base, scratch)


# ----------------------------------------------------------------------------- 1b. SIGKILL during a web import

CRASH_INDICATORS = 20  # × the 12 towns × 12 months: 2,880 rows, written one by one through save_actual


def _actuals_world() -> tuple[Any, list[tuple[str, str]]]:
    """A plan with CRASH_INDICATORS indicators targeted on every town; returns the county officer (who enters
    data for all of them) and the (indicator name, town name) pairs."""
    from diaodu.accounts.models import User
    from diaodu.orgunits.models import OrgUnit, OrgUnitKind
    from diaodu.plans.models import Comparator, Indicator, Level, Plan, Target

    _setup_people()
    county = OrgUnit.objects.get(code="320723")
    towns = list(OrgUnit.objects.filter(kind=OrgUnitKind.TOWN, is_external=False).order_by("sort_order"))
    plan = Plan.objects.create(code="crash-import", title="崩溃测试计划（导入）", year=2025, org_unit=county)
    indicators = Indicator.objects.bulk_create(
        Indicator(code=f"crash_import_{i}", name=f"崩溃导入测试指标{i}", unit="亿元")
        for i in range(CRASH_INDICATORS)
    )
    Target.objects.bulk_create(
        Target(
            plan=plan,
            key=f"crash-import-{n}",
            indicator=ind,
            org_unit=town,
            year=2025,
            value=Decimal(100),
            comparator=Comparator.GE,
            level=Level.COMMITTED,
            quote=f"{town.name}{ind.name}目标",
            sort_order=n,
        )
        for n, (ind, town) in enumerate((ind, town) for ind in indicators for town in towns)
    )
    return User.objects.get(username="county"), [(i.name, t.name) for i in indicators for t in towns]


def actuals_workbook(pairs: list[tuple[str, str]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("实绩")
    sheet.write_row(0, 0, ["填报单位", "月份", "指标名称", "累计值", "数据来源"])
    row = 1
    for indicator, town in pairs:
        for month in range(1, 13):
            sheet.write_row(
                row, 0, [town, f"2025-{month:02d}", indicator, round(0.25 * month, 2), "崩溃测试"]
            )
            row += 1
    book.close()
    return buf.getvalue()


class WebSession:
    """A logged-in browser session against the scratch server: cookies, CSRF token, multipart uploads."""

    def __init__(self, base: str, session_key: str) -> None:
        self.base, self.cookies = base, {"sessionid": session_key}

    def _open(self, path: str, data: bytes | None = None, content_type: str = "") -> tuple[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers)  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - follows the redirect
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.geturl(), response.read().decode()

    def get(self, path: str) -> str:
        return self._open(path)[1]

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
    ) -> str:
        """POST a multipart form (with the CSRF token); returns the URL after the redirect."""
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in (fields | {"csrfmiddlewaretoken": self.cookies["csrftoken"]}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self._open(path, body, f"multipart/form-data; boundary={boundary}")[0]


@contextlib.contextmanager
def task_worker(url: str) -> Iterator[subprocess.Popen[bytes]]:
    log = Path(tempfile.mkstemp(prefix="diaodu-worker-", suffix=".log")[1])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "diaodu", "db_worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT,
            env=_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


def _job(scratch: Scratch) -> tuple[str, dict[str, Any]]:
    rows = scratch.query("SELECT status, result, error FROM workbooks_importjob")
    assert len(rows) == 1, rows
    status, result, error = rows[0]
    result = json.loads(result) if isinstance(result, str) else (result or {})
    return status, result | {"error": error}


def _wait_for(what: str, test: Any, procs: list[subprocess.Popen[bytes]], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert all(p.poll() is None for p in procs), f"a process ended while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_killed_web_import_leaves_no_partial_rows(tmp_path: Path) -> None:
    from django.test import Client

    officer, pairs = _actuals_world()
    data = actuals_workbook(pairs)
    browser = Client()
    browser.force_login(officer)  # the session row goes into the scratch copy with everything else
    session_key = browser.cookies["sessionid"].value
    for scratch in clone_test_database(tmp_path):
        job_path = _upload_commit_and_kill(scratch, session_key, data, rows=len(pairs) * 12)
        counts = {
            "actuals": "SELECT count(*) FROM plans_actual",
            "audit": "SELECT count(*) FROM audit_auditevent WHERE object_type IN ('plans.actual', 'workbooks.import')",
        }
        assert {name: scratch.query(sql)[0][0] for name, sql in counts.items()} == dict.fromkeys(counts, 0)
        status, result = _job(scratch)
        assert status == "writing" and not result.get("summary", {}).get("committed")  # never marked done
        # The check's task ended; the dead worker's claim of the write task: django-tasks never ends it.
        assert _import_tasks(scratch) == ["RUNNING", "SUCCESSFUL"]
        if scratch.vendor == "sqlite":
            assert scratch.query("PRAGMA integrity_check") == [("ok",)]
        _recover_and_show(scratch, session_key, job_path)


INTERRUPTED = "导入中断（后台任务异常终止），未写入任何数据，请重新导入。"


def _import_tasks(scratch: Scratch) -> list[str]:
    return sorted(
        row[0]
        for row in scratch.query(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%run_import_job'"
        )
    )


def _recover_and_show(scratch: Scratch, session_key: str, job_path: str) -> None:
    """A restarted worker fails the job (its heartbeat is older than the limit), audits it and ends the dead
    task; a second sweep finds nothing; the progress page shows the failure and stops polling."""
    time.sleep(1.2)  # the killed job's last heartbeat is now older than the 1 s limit given below
    worker = subprocess.run(
        [sys.executable, "-m", "diaodu", "worker", "--once"],
        cwd=ROOT,
        capture_output=True,
        env=_env(scratch.url, DIAODU_IMPORT_STALE_SECONDS="1"),
        timeout=300,
        text=True,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert "写入中 → 失败" in worker.stdout, worker.stdout
    status, result = _job(scratch)
    assert (status, result["error"]) == ("failed", INTERRUPTED)
    assert _import_tasks(scratch) == ["FAILED", "SUCCESSFUL"]
    audit = scratch.query(
        "SELECT action, actor_name, reason FROM audit_auditevent WHERE object_type = 'workbooks.importjob'"
    )
    assert [(a, n) for a, n, _r in audit] == [("update", "system")] and "判定导入中断" in audit[0][2], audit
    assert scratch.query("SELECT count(*) FROM plans_actual") == [(0,)]
    again = subprocess.run(
        [sys.executable, "-m", "diaodu", "workbooks", "recover", "--stale-after", "0"],
        cwd=ROOT,
        capture_output=True,
        env=_env(scratch.url),
        timeout=300,
        text=True,
    )
    assert again.returncode == 0 and "没有中断的导入任务" in again.stdout, again.stdout + again.stderr[-3000:]
    with server(scratch.url) as (base, _proc):
        web = WebSession(base, session_key)
        page = web.get(job_path)
        assert 'data-status="failed"' in page and INTERRUPTED in page and "hx-trigger" not in page


def _upload_commit_and_kill(scratch: Scratch, session_key: str, data: bytes, rows: int) -> str:
    """Returns the job page's path."""
    watch = WriteWatch(scratch)
    with server(scratch.url) as (base, server_proc), task_worker(scratch.url) as worker:
        procs = [server_proc, worker]
        started = time.monotonic()
        web = WebSession(base, session_key)
        assert "Excel文件" in web.get("/workbooks/import/actuals/")
        job_url = web.post(
            "/workbooks/import/actuals/",
            {"mode": "atomic", "unit": "", "month": "", "sheet": ""},
            {"file": ("实绩.xlsx", data)},
        )
        assert "/workbooks/jobs/" in job_url, job_url
        # The worker checks the file first (a background job: more rows than the inline limit).
        _wait_for("the dry run", lambda: _job(scratch)[0] in ("checked", "failed"), procs)
        status, result = _job(scratch)
        summary = result.get("summary", {})
        assert (status, summary.get("to_create"), summary.get("errors")) == ("checked", rows, []), result
        # Commit; kill the server and the worker once the write transaction has been open for a while.
        web.post(job_url.removeprefix(base) + "commit/", {"mode": "atomic"})
        _wait_for("the writes", lambda: _job(scratch)[0] == "writing" and watch.writing(), procs)
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait()
        print(f"killed the web import {time.monotonic() - started:.1f} s after the upload ({rows} rows)")
        return job_url.removeprefix(base)


def _login_attempt_recorded(base: str, scratch: Scratch) -> bool:
    """A (failed) login through the restarted server writes its audit row: the database takes writes."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=20).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": "crashcheck", "password": "wrong", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/accounts/login/",
        data=data,
        headers={"Referer": f"{base}/accounts/login/"},
    )
    with opener.open(request, timeout=20) as response:
        page = response.read().decode()
    rows = scratch.query("SELECT count(*) FROM audit_auditevent WHERE actor_name = 'crashcheck'")
    return "用户名或密码错误" in page and rows[0][0] == 1


# ----------------------------------------------------------------------------- 2. PostgreSQL restart under load


@dataclass
class Tally:
    acked: dict[tuple[str, str, int], str] = field(default_factory=dict)
    failed_cleanly: int = 0
    unexpected: list[str] = field(default_factory=list)
    ok_after_restart: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def test_the_app_recovers_from_a_postgres_restart_under_load(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("restarts a PostgreSQL cluster; runs in the PostgreSQL phase")
    from diaodu.accounts.models import User
    from diaodu.accounts.scope import Perm
    from diaodu.accounts.services import issue_api_token
    from diaodu.orgunits.models import OrgUnit
    from diaodu.plans.models import Indicator

    _setup_people()
    for i in range(10):
        Indicator.objects.create(code=f"load_{i}", name=f"压力测试指标{i}", unit="亿元")
    county = User.objects.get(username="county")
    token = issue_api_token(actor=county, user=county, name="压力测试")
    # Only units the account may enter data for: a fast server otherwise reaches the peer counties (404).
    units = list(OrgUnit.objects.editable_by(county, Perm.ENTER_DATA).values_list("code", flat=True))
    combos = iter(itertools.product([f"load_{i}" for i in range(10)], units, range(1, 13)))
    combo_lock = threading.Lock()
    dump = tmp_path / "db.dump"
    backup.backup(dump)

    with running_cluster() as cluster:
        _pg_restore(dump, cluster.url)
        tally = Tally()
        restarted = threading.Event()
        with server(cluster.url, DIAODU_CONN_MAX_AGE="60") as (base, _proc):
            deadline = time.monotonic() + 9

            def client() -> None:
                while time.monotonic() < deadline:
                    with combo_lock:
                        indicator, unit, month = next(combos)
                    value = f"{month}.{len(unit)}"
                    body = json.dumps(
                        {
                            "indicator": indicator,
                            "unit": unit,
                            "year": 2025,
                            "month": month,
                            "ytd_value": value,
                            "note": "压力测试",
                        }
                    ).encode()
                    request = urllib.request.Request(  # noqa: S310 - loopback
                        f"{base}/api/actuals",
                        data=body,
                        method="POST",
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    )
                    after = restarted.is_set()
                    try:
                        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                            status = response.status
                    except urllib.error.HTTPError as exc:
                        status = exc.code
                    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                            with tally.lock:
                                tally.unexpected.append(f"hang: {exc}")
                        else:
                            with tally.lock:
                                tally.failed_cleanly += 1
                        continue
                    with tally.lock:
                        if 200 <= status < 300:
                            tally.acked[(indicator, unit, month)] = value
                            tally.ok_after_restart += after
                        elif status >= 500:
                            tally.failed_cleanly += 1
                        else:
                            tally.unexpected.append(f"HTTP {status}")

            threads = [threading.Thread(target=client) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(3)
            cluster.restart("fast")
            restarted.set()
            for t in threads:
                t.join(timeout=30)
            assert not any(t.is_alive() for t in threads), "a client hung"

        assert not tally.unexpected, tally.unexpected[:10]
        assert tally.ok_after_restart >= 10, (
            f"the app did not recover: {tally.ok_after_restart} after restart"
        )
        import psycopg

        with psycopg.connect(cluster.url, autocommit=True) as db:
            stored = {
                (ind, unit, month): value
                for ind, unit, month, value in db.execute(
                    "SELECT i.code, u.code, a.month, a.ytd_value FROM plans_actual a "
                    "JOIN plans_indicator i ON i.id = a.indicator_id JOIN orgunits_orgunit u ON u.id = a.org_unit_id "
                    "WHERE i.code LIKE 'load_%'"
                ).fetchall()
            }
        missing = [k for k, v in tally.acked.items() if stored.get(k) != Decimal(v)]
        assert not missing, f"{len(missing)} acknowledged submissions lost: {missing[:5]}"
        print(
            f"acknowledged {len(tally.acked)}, failed cleanly {tally.failed_cleanly}, "
            f"ok after restart {tally.ok_after_restart}"
        )
