"""The project row's lock and the audit chain's lock (audit/chain.py), on PostgreSQL.

Every writer takes the chain's advisory lock at its first audit row and holds it to the commit, and the foreign-key
checks of its new rows run at the commit (Django's constraints are deferred): a KEY SHARE lock on the referenced
project, taken while holding the chain's lock. So the project row is locked before the chain's lock, and FOR NO
KEY UPDATE (a project writer changes no key), which those checks do not wait for.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections

from diaodu.projects import domain, rollups, services
from diaodu.projects.services import reports as report_services

pytestmark = pytest.mark.django_db(transaction=True)
SEPT = dt.date(2025, 9, 30)


def race(
    monkeypatch: Any, first: tuple[str, Callable[[], Any]], second: Callable[[], Any]
) -> list[BaseException]:
    """Run ``first`` (a report service, named) until just after its first audit row, hold it there 2 s (the chain's
    lock held) while ``second`` starts; return the errors of both."""
    name, work = first
    audited = threading.Event()
    real_record = report_services.record

    def record(*args: Any, **kwargs: Any) -> Any:
        out = real_record(*args, **kwargs)
        if threading.current_thread().name == name and not audited.is_set():
            audited.set()
            time.sleep(2)
        return out

    monkeypatch.setattr(report_services, "record", record)
    errors: list[BaseException] = []

    def run(fn: Callable[[], Any], wait: bool) -> None:
        try:
            if wait:
                assert audited.wait(10)
            fn()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work, False), name=name),
               threading.Thread(target=run, args=(second, True), name="second")]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


@pytest.fixture
def signed(make_project, personas) -> Any:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row and advisory locks are PostgreSQL's (SQLite runs one writer at a time)")
    p = make_project()
    services.record_signing(p, actor=personas["yishan"], on=dt.date(2024, 11, 1), amount_wan=D(50_000))
    return p


def test_approving_a_stage_change_while_the_project_is_edited(signed, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The approval records the reported stage (locking the project) after its first audit row; it locks the
    project before, as it did before its own lock was narrowed to the report's row."""
    officer = personas["yishan"]
    sept = services.save_report(
        actor=officer, project=signed, year=2025, month=9, ytd_wan=D(800), new_stage=domain.Stage.STARTED,
        new_stage_on=dt.date(2025, 9, 10), today=SEPT,
    )  # fmt: skip
    sept = services.submit_report(sept, actor=officer)
    errors = race(
        monkeypatch,
        ("approve", lambda: services.approve_report(sept, actor=personas["fgw"])),
        lambda: services.update_project(signed, actor=officer, total_investment_wan=D(60_000)),
    )
    assert errors == []
    signed.refresh_from_db()
    assert (signed.stage, signed.total_investment_wan) == (domain.Stage.STARTED, D(60_000))
    assert rollups.check() == []


def test_saving_a_report_while_a_stage_is_recorded(signed, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The saved report's foreign-key check (at the commit, the chain's lock held) does not wait for the stage
    writer's lock on the project, which waits for the chain's lock."""
    officer = personas["yishan"]
    errors = race(
        monkeypatch,
        ("save", lambda: services.save_report(actor=officer, project=signed, year=2025, month=9, ytd_wan=D(800),
                                              today=SEPT)),
        lambda: services.record_stage(signed, actor=officer, stage=domain.Stage.STARTED, on=dt.date(2025, 3, 2)),
    )  # fmt: skip
    assert errors == []
    signed.refresh_from_db()
    assert signed.stage == domain.Stage.STARTED and signed.reports.count() == 1
