"""``diaodu bench http``: the deadline rush (5th of the month) against the production setup on loopback.

granian (Rust HTTP, WSGI worker processes; or gunicorn with gthread workers, ``--server gunicorn``), with
persistent database connections, DEBUG off, hashed static files via whitenoise after ``collectstatic`` and the page
cache in files shared by the worker processes, on PostgreSQL with the synthetic province; locust, headless and
bounded in users and time, runs the mix of :mod:`diaodu.scale.bench.locustfile`. Afterwards every acknowledged submission is looked up in
the database. With ``--warm``, every leader first opens the cockpit, the target list and the API target list
once, untimed, so the timed run starts with those pages cached (as after the day's first visits; without it the
run starts with an empty page cache). Leaders get a session made directly in the session store (their synthetic accounts have no
password); officers get an API token through the accounts service.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Q

from diaodu.accounts import services as accounts
from diaodu.accounts.models import User
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans.models import Actual, ActualStatus, Indicator
from diaodu.scale.bench.env import pgcluster
from diaodu.scale.synth import BEARING, INDICATORS


def _session(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[accounts.LOGIN_AT_KEY] = int(time.time())
    store.create()
    assert store.session_key
    return store.session_key


def make_plan(prefix: str, directory: Path, *, leaders: int = 200) -> Path:
    """Sessions for county and city leaders, tokens and free slots for the officers of towns and zones."""
    regions = list(
        OrgUnit.objects.filter(
            code__startswith=prefix, kind__in=[OrgUnitKind.COUNTY, OrgUnitKind.CITY]
        ).order_by("kind", "code")[:leaders]
    )
    users = {
        u.username: u
        for u in User.objects.filter(username__endswith="-leader", username__startswith=prefix.lower())
    }
    leader_rows = [
        {"session": _session(users[f"{r.code.lower()}-leader"]), "unit": r.code}
        for r in regions
        if f"{r.code.lower()}-leader" in users
    ]
    latest = (
        Actual.objects.filter(org_unit__code__startswith=prefix)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if latest is None or not leader_rows:
        raise SystemExit("没有合成数据：先运行 diaodu synth。")
    year, month = latest
    entered = [s.code for s in INDICATORS if s.for_units and not s.computed_from]
    taken = set(
        Actual.objects.filter(
            year=year, month=month, org_unit__code__startswith=prefix, indicator__code__in=entered
        ).values_list("indicator__code", "org_unit__code")
    )
    officers = []
    for officer in (
        User.objects.filter(
            username__startswith=prefix.lower(), username__endswith="-officer", org_unit__kind__in=BEARING
        )
        .select_related("org_unit")
        .order_by("username")
    ):
        unit = officer.org_unit
        assert unit is not None
        slots = [
            {"indicator": code, "unit": unit.code, "year": year, "month": month}
            for code in entered
            if (code, unit.code) not in taken
        ]
        if slots:
            token = accounts.issue_api_token(actor=officer, user=officer, name="负载测试（合成）")
            officers.append({"token": token, "slots": slots})
    plan = {
        "leaders": leader_rows,
        "officers": officers,
        "as_of": f"{year}-{month:02d}",
        "indicators": list(Indicator.objects.filter(code__startswith="syn-").values_list("code", flat=True)),
    }
    path = directory / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=5) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not become ready")


def _aggregated(stats_csv: Path) -> dict[str, Any]:
    rows = {r["Name"]: r for r in csv.DictReader(stats_csv.open())}
    agg = rows["Aggregated"]
    return {
        "requests": int(agg["Request Count"]),
        "errors": int(agg["Failure Count"]),
        "rps": round(float(agg["Requests/s"]), 1),
        "p50_ms": float(agg["50%"]),
        "p95_ms": float(agg["95%"]),
        "p99_ms": float(agg["99%"]),
        "by_request": {
            name: {
                "requests": int(r["Request Count"]),
                "errors": int(r["Failure Count"]),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
            }
            for name, r in rows.items()
            if name != "Aggregated"
        },
    }


WINDOW_S = 10
SLOW_MS = 300  # the goal's p95
STOP_TIMEOUT_S = 10  # users finish the task at hand when the time is up


def _timeline(path: Path) -> list[dict[str, Any]]:
    """Per WINDOW_S seconds of the run (by each request's start): requests, p95 and how many took over SLOW_MS.
    Every request locust made is here, also those ending while it stops its users (its summary may leave them out)."""
    windows: dict[int, list[float]] = {}
    for line in path.read_text().split("\n") if path.exists() else []:
        if line:
            start, ms = (float(x) for x in line.split())
            windows.setdefault(int(start // WINDOW_S), []).append(ms)
    out = []
    for index in sorted(windows):
        times = sorted(windows[index])
        out.append(
            {
                "from_s": index * WINDOW_S,
                "requests": len(times),
                "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))]),
                f"over_{SLOW_MS}_ms": sum(t > SLOW_MS for t in times),
            }
        )
    return out


def warm_pages(base: str, plan_path: Path) -> dict[str, Any]:
    """Each leader opens the cockpit, the target list and the API target list once (as the day's first visits
    would), so the timed run starts with those pages in the page cache. Returns the count and the seconds."""
    plan = json.loads(plan_path.read_text())
    urls = [
        (leader["session"], path)
        for leader in plan["leaders"]
        for path in ("/", "/plans/targets/", f"/api/targets?unit={leader['unit']}&as_of={plan['as_of']}")
    ]

    def fetch(item: tuple[str, str]) -> int:
        session, path = item
        request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
            return int(response.status)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(fetch, urls))
    if any(status != 200 for status in statuses):
        raise RuntimeError("预热请求失败")
    return {"requests": len(urls), "seconds": round(time.monotonic() - started, 1)}


def run(
    *,
    users: int,
    duration: int,
    workers: int,
    threads: int,
    spawn_rate: int,
    prefix: str,
    warm: bool = False,
    server_kind: str = "granian",
) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise SystemExit("bench http 需要 PostgreSQL（DATABASE_URL）。")
    directory = Path(tempfile.mkdtemp(prefix="diaodu-http-"))
    plan = make_plan(prefix, directory)
    port = pgcluster().free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
        "DATABASE_URL": _database_url(), "DIAODU_DEBUG": "0", "DIAODU_STATIC_COMPRESS": "1",
        "DIAODU_VAR_DIR": str(directory), "DIAODU_CONN_MAX_AGE": "60", "DIAODU_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DIAODU_LOCUST_PLAN": str(plan), "DJANGO_SETTINGS_MODULE": "diaodu.settings",
        # one page cache for the worker processes of this machine, as docs/deploy.md sets it up
        "DIAODU_PAGE_CACHE": f"file:{directory / 'pages'}",
    }  # fmt: skip
    subprocess.run([sys.executable, "-m", "diaodu", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    log = (directory / "server.log").open("wb")
    server = subprocess.Popen(
        _server_command(server_kind, port, workers, threads),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    warmup: dict[str, Any] | None = None
    try:
        _wait_ready(base, server)
        if warm:
            warmup = warm_pages(base, plan)
        started = time.monotonic()
        cpu_before = _cpu_seconds(server.pid)
        locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
             "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{duration}s", "--host", base,
             "--csv", str(directory / "stats"), "--only-summary", "--stop-timeout", str(STOP_TIMEOUT_S), "--loglevel", "WARNING"],
            env=env, check=False, cwd=directory, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        cpu_after = _cpu_seconds(server.pid)
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.terminate()
        try:
            server.wait(timeout=90)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    stats = _aggregated(directory / "stats_stats.csv")
    timeline = _timeline(directory / "requests")
    acked = [line.split("|") for line in (directory / "acked").read_text().split() if line]
    cpu = {
        "server": round(cpu_after["server"] - cpu_before["server"], 1),
        # backends that served the run (connections opened during it count from their start)
        "postgres": round(
            sum(v - cpu_before["postgres"].get(pid, 0.0) for pid, v in cpu_after["postgres"].items()), 1
        ),
        "locust": round(
            (locust_after.ru_utime + locust_after.ru_stime)
            - (locust_before.ru_utime + locust_before.ru_stime),
            1,
        ),
    }
    return {
        "benchmark": "http",
        "server": f"{SERVERS[server_kind]} {workers}x{threads}, page cache in files",
        "users": users,
        "duration_s": duration,
        "wall_s": round(elapsed, 1),
        **{k: stats[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors", "requests")},
        # the run in 10-second windows (by when each request started): where the slow requests are
        "timeline": timeline,
        "submissions_acknowledged": len(acked),
        "submissions_in_db": _in_db(acked),
        "warm_start": warmup,
        # CPU seconds used during the timed run, and the server's and PostgreSQL's per request: on a shared
        # machine this says more about the application's cost than the throughput does
        "cpu_s": cpu,
        "cpu_ms_per_request": round((cpu["server"] + cpu["postgres"]) * 1000 / max(stats["requests"], 1), 2),
        "by_request": stats["by_request"],
    }


SERVERS = {"gunicorn": "gunicorn gthread", "granian": "granian wsgi"}
# (workers, threads) per server on the 2-core machines of BENCHMARKS.md: granian's Rust HTTP layer leaves the two
# processes' cores to Python; gunicorn's usual 2 x cores - 1 processes
SERVER_DEFAULTS = {"granian": (2, 6), "gunicorn": (3, 4)}


def _server_command(kind: str, port: int, workers: int, threads: int) -> list[str]:
    """The production server on loopback: gunicorn (gthread workers) or granian (Rust HTTP, WSGI workers)."""
    if kind == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--blocking-threads", str(threads), "--backlog", "2048",
                "--no-access-log", "--log-level", "warning", "diaodu.wsgi:application"]  # fmt: skip
    return [sys.executable, "-m", "gunicorn", "diaodu.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--backlog", "2048", "--timeout", "60"]  # fmt: skip


def _cpu_seconds(server_pid: int) -> dict[str, Any]:
    """CPU seconds (user + system) so far of the server's process tree, and of each PostgreSQL backend
    serving the benchmark's database (by pid)."""
    tree = 0.0
    try:
        root = psutil.Process(server_pid)
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                tree += times.user + times.system
    except psutil.Error:
        pass
    database = connection.settings_dict["NAME"]
    backends: dict[int, float] = {}
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if cmdline.startswith("postgres: ") and f" {database} " in cmdline:
                times = proc.cpu_times()
                backends[proc.pid] = times.user + times.system
    return {"server": tree, "postgres": backends}


def _in_db(acked: list[list[str]]) -> int:
    """How many acknowledged (indicator, unit, year, month) submissions are stored as submitted (or later)."""
    found = 0
    for start in range(0, len(acked), 500):
        chunk = acked[start : start + 500]
        condition = Q(pk__in=[])
        for ind, unit, year, month in chunk:
            condition |= Q(indicator__code=ind, org_unit__code=unit, year=int(year), month=int(month))
        found += Actual.objects.filter(
            condition, status__in=[ActualStatus.SUBMITTED, ActualStatus.APPROVED]
        ).count()
    return found


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
