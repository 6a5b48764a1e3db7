"""``diaodu tasks list`` on the real plan file, and ``diaodu worker --once`` running the scan through the queue."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from diaodu.supervision import services
from diaodu.supervision.models import KeyTask, SentNotice

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
SPEECH = REPO.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def loaded(orgunits):  # type: ignore[no-untyped-def]
    source = ["--source", str(SPEECH)] if SPEECH.is_file() else []
    run("plan", "load", str(REPO / "plans" / "guanyun-2025.yaml"), *source)


def test_tasks_list_json(loaded, personas) -> None:  # type: ignore[no-untyped-def]
    pilot = KeyTask.objects.get(key="lingang-pilot-area")
    item = services.supervise_key_task(pilot, actor=personas["dcs"], today=dt.date(2025, 3, 3))
    item = services.sign_item(item, actor=personas["lingang"], today=dt.date(2025, 3, 4))
    item = services.request_closure(
        item, actor=personas["lingang"], text="框架已拉开", today=dt.date(2025, 7, 8)
    )
    services.close_item(
        services.verify_item(item, actor=personas["dcs"]), actor=personas["dcs"], today=dt.date(2025, 7, 10)
    )

    rows = json.loads(run("tasks", "list", "--year", "2025", "--as-of", "2025-09-30", "--json"))
    assert len(rows) >= 12
    assert all(list(r) == ["title", "quote", "owner_units", "deadline", "status", "light"] for r in rows)
    by_title = {r["title"]: r for r in rows}
    done = by_title["基本拉开3平方公里先试先行区的整体框架"]
    assert done["owner_units"][0] == "临港产业区" and done["deadline"] == "2025-06-30"
    assert (done["status"], done["light"]) == ("done", "yellow")  # finished late (8 July)
    planning = by_title["石化产业基地拓展区储备区完成总体规划、产业规划编制和区域环评"]
    assert (planning["status"], planning["light"]) == ("not_started", "red")
    assert by_title["盘活利用低效闲置地1000亩以上"]["light"] == "green"
    research = [r for r in rows if "课题组" in r["title"]]
    assert len(research) == 10 and {r["deadline"] for r in research} == {"2025-03-31"}

    # as of 30 June the task was not finished yet, and its milestone (planning by 31 March) was missed → red
    def light_on(day: str) -> set[tuple[str, str]]:
        rows = json.loads(run("tasks", "list", "--as-of", day, "--json"))
        return {(r["status"], r["light"]) for r in rows if r["title"] == done["title"]}

    assert light_on("2025-06-30") == {("in_progress", "red")}
    services.complete_milestone(
        pilot.milestones.get(), actor=personas["lingang"], done_on=dt.date(2025, 3, 28)
    )
    assert light_on("2025-06-30") == {("in_progress", "yellow")}  # due today


def test_tasks_list_table_and_unit_filter(loaded) -> None:  # type: ignore[no-untyped-def]
    text = run("tasks", "list", "--as-of", "2025-03-27", "--unit", "生态环境局")
    assert text.splitlines()[0].startswith("2025年重点任务")
    assert "8家不达标小化工企业退出扫尾" in text and "课题组" not in text


def test_worker_once_runs_the_scan_through_the_queue(personas, make_item, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The db worker closes stale connections between jobs (right in production); inside the test's transaction
    # that would close the test's own connection on PostgreSQL.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    make_item(deadline=dt.date(2025, 9, 26))  # overdue by now, never signed
    from django_tasks_db.models import DBTaskResult

    run("worker", "--once")
    [result] = DBTaskResult.objects.all()
    assert result.task_path.endswith("scan_reminders") and result.status == "SUCCESSFUL"
    assert SentNotice.objects.count() == 2  # sign-for overdue + overdue level ≥ 1
    run("worker", "--once")
    assert SentNotice.objects.count() == 2
