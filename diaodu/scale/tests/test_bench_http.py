"""``diaodu bench http`` end to end on a tiny province: the production server (granian, the default) really
starts, locust drives the mix, nothing fails and every acknowledged submission is stored."""

from __future__ import annotations

import pytest
from django.db import connection

from diaodu.scale.bench import http
from diaodu.scale.synth import synthesize
from diaodu.scale.tests.conftest import TINY

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_rush_runs_against_the_real_server() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("bench http runs on PostgreSQL")
    synthesize(TINY)
    server = "granian"
    workers, threads = http.SERVER_DEFAULTS[server]
    out = http.run(
        users=12, duration=6, workers=workers, threads=threads, spawn_rate=12, prefix=TINY.prefix,
        server_kind=server,
    )  # fmt: skip
    assert out["server"].startswith(http.SERVERS[server])
    assert out["requests"] > 20 and out["errors"] == 0
    assert out["submissions_acknowledged"] > 0
    assert out["submissions_in_db"] == out["submissions_acknowledged"]
    assert out["cpu_s"]["server"] > 0 and out["cpu_ms_per_request"] > 0
    # the timeline holds every request the summary counts (and those still ending while locust stops its users,
    # which the summary may leave out), window by window from the start to the end of the stop timeout
    timeline = out["timeline"]
    assert timeline[0]["from_s"] == 0 and sum(w["requests"] for w in timeline) >= out["requests"]
    assert timeline[-1]["from_s"] <= 6 + http.STOP_TIMEOUT_S
    assert all(0 <= w["over_300_ms"] <= w["requests"] and w["p95_ms"] >= 0 for w in timeline)
    assert set(out["by_request"]) >= {
        "cockpit",
        "target list",
        "api target list",
        "save actual",
        "submit actual",
    }
