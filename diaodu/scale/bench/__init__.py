"""The scale benchmarks, registered with ``diaodu bench`` (:mod:`diaodu.core.bench`):

    diaodu bench cockpit --scale county|city|province[,...] --db sqlite|postgres --runs R [--json]
    diaodu bench http --users 200 --duration 60 [--server granian|gunicorn] [--warm] [--json]

Both run on the configured database when it is of the kind asked for (``--db``), else in a child process on a
fresh database (SQLite file, or a throwaway PostgreSQL cluster from scripts/pgcluster.py). With no synthetic
data yet, ``--synth`` (default on a fresh database) first runs ``diaodu synth`` with the given sizes.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from diaodu.core import bench
from diaodu.scale.synth import SynthSpec


def _synth_arguments(parser: ArgumentParser) -> None:
    d = SynthSpec()
    parser.add_argument("--synth", action="store_true", help="没有合成数据时先生成（新建数据库时总是生成）")
    parser.add_argument("--counties", type=int, default=d.counties)
    parser.add_argument("--units-per-county", type=int, default=d.units_per_county)
    parser.add_argument("--projects-per-county", type=int, default=d.projects_per_county)
    parser.add_argument("--months", type=int, default=d.months)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--prefix", default=d.prefix)


def _synth_args(o: dict[str, Any]) -> list[str]:
    return [
        "--synth", "--counties", str(o["counties"]), "--units-per-county", str(o["units_per_county"]),
        "--projects-per-county", str(o["projects_per_county"]), "--months", str(o["months"]),
        "--seed", str(o["seed"]), "--prefix", o["prefix"],
    ]  # fmt: skip


def ensure_synth(o: dict[str, Any]) -> dict[str, Any] | None:
    """Synthesize the province if asked and not there yet; returns the synth result (None if it was there)."""
    from diaodu.orgunits.models import OrgUnit
    from diaodu.scale.synth import synthesize

    if OrgUnit.objects.filter(code=o["prefix"]).exists():
        return None
    if not o.get("synth"):
        raise SystemExit(f"没有合成数据（前缀 {o['prefix']}）：先运行 diaodu synth，或加 --synth。")
    spec = SynthSpec(
        counties=o["counties"], units_per_county=o["units_per_county"], projects_per_county=o["projects_per_county"],
        months=o["months"], seed=o["seed"], prefix=o["prefix"],
    )  # fmt: skip
    return synthesize(spec).as_dict()


# ----------------------------------------------------------------------------- cockpit


def _cockpit_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--scale", default="county", help="county | city | province，可用逗号列出多个")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=None, help="默认：当前配置的数据库")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-page", action="store_true", help="不测量含 HTML 渲染的整页时间")
    _synth_arguments(parser)


def _cockpit(**o: Any) -> dict[str, Any]:
    from diaodu.scale.bench import cockpit, env

    scales = [s.strip() for s in o["scale"].split(",") if s.strip()]
    unknown = set(scales) - set(cockpit.SCALE_KINDS)
    if unknown:
        raise SystemExit(f"未知规模：{', '.join(sorted(unknown))}")
    if o["db"] and not env.configured(o["db"]):
        with env.fresh_database(o["db"]) as child:
            env.diaodu(child, "migrate", "-v0")
            args = [
                "bench",
                "cockpit",
                "--scale",
                o["scale"],
                "--runs",
                str(o["runs"]),
                "--json",
                *_synth_args(o),
            ]
            return env.last_json(env.diaodu(child, *args + (["--no-page"] if o["no_page"] else [])))
    synth = ensure_synth(o)
    results = [
        cockpit.run(scale=s, runs=o["runs"], prefix=o["prefix"], page=not o["no_page"]) for s in scales
    ]
    out: dict[str, Any] = results[0] if len(results) == 1 else {"benchmark": "cockpit", "results": results}
    if synth is not None:
        out["synth"] = {k: synth[k] for k in ("total_rows", "seconds", "rows_per_second")}
    return out


bench.register("cockpit", help="驾驶舱：应用路径（含数据范围检查）对比手写单条 SQL", arguments=_cockpit_arguments,
               run=_cockpit)  # fmt: skip


# ----------------------------------------------------------------------------- http


def _http_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60, help="秒")
    parser.add_argument("--spawn-rate", type=int, default=50)
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian", help="应用服务器")
    parser.add_argument(
        "--workers", type=int, default=None, help="服务器进程数（默认 granian 2，gunicorn 3）"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="每个进程的线程数（默认 granian 6，gunicorn 4）"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="计时前每位领导先打开一次驾驶舱、目标清单和目标接口（页面缓存已热）",
    )
    _synth_arguments(parser)


def _http(**o: Any) -> dict[str, Any]:
    from diaodu.scale.bench import env, http

    workers, threads = http.SERVER_DEFAULTS[o["server"]]
    o = o | {"workers": o["workers"] or workers, "threads": o["threads"] or threads}
    if not env.configured("postgres"):
        with env.fresh_database("postgres") as child:
            env.diaodu(child, "migrate", "-v0")
            args = ["bench", "http", "--users", str(o["users"]), "--duration", str(o["duration"]),
                    "--spawn-rate", str(o["spawn_rate"]), "--workers", str(o["workers"]),
                    "--threads", str(o["threads"]), "--server", o["server"], "--json",
                    *(["--warm"] if o["warm"] else []),
                    *_synth_args(o)]  # fmt: skip
            return env.last_json(env.diaodu(child, *args))
    synth = ensure_synth(o)
    out = http.run(users=o["users"], duration=o["duration"], workers=o["workers"], threads=o["threads"],
                   spawn_rate=o["spawn_rate"], prefix=o["prefix"], warm=o["warm"], server_kind=o["server"])  # fmt: skip
    if synth is not None:
        out["synth"] = {k: synth[k] for k in ("total_rows", "seconds", "rows_per_second")}
    return out


bench.register("http", help="截止日高峰：granian（或 gunicorn）+ PostgreSQL + locust（70% 读，30% 报送）", arguments=_http_arguments,
               run=_http)  # fmt: skip
