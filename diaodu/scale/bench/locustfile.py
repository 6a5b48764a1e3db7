"""The deadline-rush mix for ``diaodu bench http`` (run by locust, headless).

Users are locust's ``FastHttpUser`` (geventhttpclient): the load generator shares the 2 cores with the server,
and it costs a fraction of the CPU per request of the ``requests``-based client.

70% reads by scoped leaders (cockpit, target list, API target list, indicator detail) with their session cookie;
30% monthly submissions by unit officers with their API token: save the month's figure, then submit it. Every
acknowledged submission (HTTP 200 on submit) is written to ``acked`` in the plan file's directory at the end,
so the benchmark can check that each one is in the database. Every request's start (seconds since the first one)
and response time go to ``requests`` there too, for the run's timeline.

The plan (JSON, path in DIAODU_LOCUST_PLAN) holds the leaders' cookies, the officers' tokens and the free
(indicator, unit, year, month) slots of each officer; it is made by :mod:`diaodu.scale.bench.http`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PLAN_PATH = Path(os.environ["DIAODU_LOCUST_PLAN"])
PLAN: dict[str, Any] = json.loads(PLAN_PATH.read_text())
ACKED: list[str] = []
TIMELINE: list[tuple[float, float]] = []  # (start, response time in ms) of every request
_leaders = itertools.cycle(PLAN["leaders"])
_officers = itertools.cycle(PLAN["officers"])


class Leader(FastHttpUser):
    weight = 70
    wait_time = between(0.2, 1.8)

    def on_start(self) -> None:
        me = next(_leaders)
        self.headers = {"Cookie": f"sessionid={me['session']}"}
        self.unit = me["unit"]
        self.indicators = PLAN["indicators"]

    def read(self, url: str, name: str) -> None:
        """A GET that counts as failed unless it answers 200 itself (a redirect to the login page is a failure)."""
        with self.client.get(
            url, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(3)
    def cockpit(self) -> None:
        self.read("/", "cockpit")

    @task(2)
    def targets(self) -> None:
        self.read("/plans/targets/", "target list")

    @task(2)
    def api_targets(self) -> None:
        self.read(f"/api/targets?unit={self.unit}&as_of={PLAN['as_of']}", "api target list")

    @task(1)
    def indicator(self) -> None:
        self.read(f"/indicators/{random.choice(self.indicators)}/", "indicator detail")


class Officer(FastHttpUser):
    weight = 30
    wait_time = between(0.2, 1.8)

    def on_start(self) -> None:
        me = next(_officers)
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.slots = list(me["slots"])

    @task
    def submit(self) -> None:
        if not self.slots:
            self.client.get("/api/actuals?limit=20", headers=self.headers, name="api actual list")
            return
        slot = self.slots.pop()
        body = {**slot, "ytd_value": str(round(random.uniform(1, 50), 2)), "note": "负载测试（合成）"}
        with self.client.post(
            "/api/actuals", json=body, headers=self.headers, name="save actual", catch_response=True
        ) as saved:
            if saved.status_code != 200:
                saved.failure(f"{saved.status_code} {saved.text[:200]}")
                return
            actual_id = saved.json()["id"]
        response = self.client.post(
            f"/api/actuals/{actual_id}/submit", headers=self.headers, name="submit actual"
        )
        if response.status_code == 200:
            ACKED.append(f"{slot['indicator']}|{slot['unit']}|{slot['year']}|{slot['month']}")


@events.request.add_listener
def _timed(response_time: float, **_kwargs: Any) -> None:
    TIMELINE.append((time.time() - response_time / 1000, response_time))


@events.quitting.add_listener
def _write_acked(environment: Any, **_kwargs: Any) -> None:
    (PLAN_PATH.parent / "acked").write_text("\n".join(ACKED))
    first = min((start for start, _ms in TIMELINE), default=0.0)
    (PLAN_PATH.parent / "requests").write_text(
        "\n".join(f"{start - first:.3f} {ms:.1f}" for start, ms in TIMELINE)
    )
