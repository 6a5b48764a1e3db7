"""Lock order of the rollup refresh (rollups.py) with the audit chain's lock (audit/chain.py), on PostgreSQL.

Every project write below the county adds to the county's rollup rows. Most services refresh the rollups and
then write their audit row (which takes the chain's advisory lock until the commit); ``create_project`` and
``update_project`` (and ``record_signing`` or ``approve_report`` when they go on to record a stage) write an audit
row first and refresh after it. Without one order, an officer's stage in one town and a change of a project's
investment in another deadlock: each holds what the other waits for (the county's rows / the chain's lock).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections

from diaodu.projects import domain, rollups, services
from diaodu.projects.services import projects as project_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_audit_first_writer_and_a_refresh_first_writer_do_not_deadlock(  # type: ignore[no-untyped-def]
    orgunits, personas, make_project, monkeypatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row and advisory locks are PostgreSQL's (SQLite runs one writer at a time)")
    fgw = personas["fgw"]
    projects = {}
    for code, officer in (("320723-T02", "yishan"), ("320723-T03", "yangji")):
        p = make_project(unit=code, officer=officer, name=f"{code}锁测试项目")
        services.set_project_year(
            p,
            actor=fgw,
            year=2025,
            is_key=True,
            key_level=domain.Level.COUNTY,
            planned_investment_wan=D(12_000),
        )
        services.record_signing(p, actor=personas[officer], on=dt.date(2024, 11, 1), amount_wan=D(50_000))
        projects[officer] = p

    # The stage writer pauses between its refresh (the county's rows locked) and its first audit row, long
    # enough for the other writer to take the chain's lock and reach the county's rows.
    refreshed = threading.Event()
    real_record = project_services.record

    def record(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "stage" and not refreshed.is_set():
            refreshed.set()
            time.sleep(2)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(project_services, "record", record)
    errors: list[BaseException] = []

    def run(work: Any) -> None:
        try:
            work()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def stage() -> None:
        services.record_stage(
            projects["yangji"], actor=personas["yangji"], stage=domain.Stage.STARTED, on=dt.date(2025, 3, 2)
        )

    def investment() -> None:
        assert refreshed.wait(10)
        services.update_project(projects["yishan"], actor=personas["county"], total_investment_wan=D(60_000))

    threads = [threading.Thread(target=run, args=(stage,), name="stage"),
               threading.Thread(target=run, args=(investment,), name="investment")]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert rollups.check() == []
