"""Imports whose worker died are failed with a clear message and an audit row; live ones are never touched."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import World
from diaodu.plans.models import Actual
from diaodu.workbooks import jobs
from diaodu.workbooks.models import ImportJob, JobStatus
from diaodu.workbooks.recovery import IMPORT_TASK, INTERRUPTED, recover
from diaodu.workbooks.tests.books import xlsx

HEADER = ["填报单位", "月份", "指标名称", "累计值", "数据来源"]
ROWS = [["伊山镇", f"2025-{m:02d}", "测试一般公共预算收入", 0.3 * m + 0.1, ""] for m in range(4, 9)]


def make_job(user: Any, status: str, age: float, **fields: Any) -> ImportJob:
    """A job in ``status`` whose last heartbeat was ``age`` seconds ago."""
    beat = timezone.now() - dt.timedelta(seconds=age)
    return ImportJob.objects.create(
        kind="actuals",
        user=user,
        filename=f"{status}-{age:g}.xlsx",
        data=b"",
        status=status,
        heartbeat_at=beat,
        background=True,
        **fields,
    )


def task_for(job: ImportJob, status: str, claimed_ago: float | None = None) -> DBTaskResult:
    started = timezone.now() - dt.timedelta(seconds=claimed_ago) if claimed_ago is not None else None
    return DBTaskResult.objects.create(
        task_path=IMPORT_TASK,
        backend_name="default",
        run_after=timezone.now(),
        status=status,
        started_at=started,
        args_kwargs={"args": [str(job.pk), True], "kwargs": {}},
    )


def audit_rows(job: ImportJob) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="workbooks.importjob", object_id=str(job.pk)))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_job_without_heartbeat_is_failed_and_a_live_one_is_left(world: World) -> None:
    user = world.users["yishan"]
    dead = make_job(user, JobStatus.WRITING, age=600, phase="write", done=200, total=2880)
    dead_checking = make_job(user, JobStatus.CHECKING, age=301)
    fresh = make_job(user, JobStatus.WRITING, age=10)
    waiting = make_job(user, JobStatus.QUEUED, age=3600)  # a long queue: its task is still READY
    claimed = make_job(user, JobStatus.QUEUED, age=3600)  # a worker took it a moment ago
    orphan = make_job(user, JobStatus.QUEUED, age=3600)  # claimed long ago by a worker that died at once
    finished = [make_job(user, s, age=3600) for s in (JobStatus.CHECKED, JobStatus.DONE, JobStatus.FAILED)]
    task_for(waiting, "READY")
    task_for(claimed, "RUNNING", claimed_ago=5)
    orphan_task = task_for(orphan, "RUNNING", claimed_ago=3600)
    dead_task = task_for(dead, "RUNNING", claimed_ago=900)
    live_task = task_for(fresh, "RUNNING", claimed_ago=900)  # a long import, still writing

    result = recover()

    assert {j.job_id for j in result.jobs} == {str(dead.pk), str(dead_checking.pk), str(orphan.pk)}
    for job in (dead, dead_checking, orphan):
        job.refresh_from_db()
        assert (job.status, job.error, job.running) == (JobStatus.FAILED, INTERRUPTED, False)
    dead.refresh_from_db()
    [event] = audit_rows(dead)
    assert (event.action, event.actor_id, event.actor_name) == ("update", None, "system")
    assert event.before is not None and (event.before["status"], event.before["done"]) == ("writing", 200)
    assert event.after == {"status": "failed", "error": INTERRUPTED}
    assert "300 秒" in event.reason and event.object_repr == "导入任务：writing-600.xlsx"
    for job in (fresh, waiting, claimed, *finished):
        before = job.status
        job.refresh_from_db()
        assert job.status == before and not job.error and not audit_rows(job)
    # The dead workers' task results end too (django-tasks-db would leave them RUNNING for ever).
    assert sorted(result.tasks) == sorted([str(dead_task.pk), str(orphan_task.pk)])
    dead_task.refresh_from_db()
    assert dead_task.status == "FAILED" and dead_task.finished_at is not None
    assert dead_task.exception_class_path.endswith("ImportInterrupted") and INTERRUPTED in dead_task.traceback
    live_task.refresh_from_db()
    assert live_task.status == "RUNNING"

    again = recover()  # idempotent: a second sweep, or another worker's, changes nothing
    assert (again.jobs, again.tasks) == ([], [])
    assert len(audit_rows(dead)) == 1


def test_the_progress_page_shows_the_failure_and_stops_polling(world: World) -> None:
    job = make_job(world.users["yishan"], JobStatus.WRITING, age=600)
    c = Client()
    c.force_login(world.users["yishan"])
    url = reverse("workbooks:job", args=[job.pk])
    assert 'hx-trigger="every 1s"' in c.get(url, headers={"HX-Request": "true"}).content.decode()
    recover()
    partial = c.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="failed"' in partial and INTERRUPTED in partial
    assert "hx-trigger" not in partial and 'data-testid="progress"' not in partial
    assert INTERRUPTED in c.get(url).content.decode()


def test_a_worker_whose_job_was_failed_stops_without_writing(world: World) -> None:
    job = jobs.create_job(
        actor=world.users["yishan"],
        kind="actuals",
        data=xlsx({"实绩": [HEADER, *ROWS]}),
        filename="实绩.xlsx",
    )
    # The recovery took the worker for dead meanwhile:
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=INTERRUPTED)
    before = Actual.objects.count()
    with pytest.raises(jobs.ImportAbandoned):
        jobs.execute(str(job.pk), commit=True)
    job.refresh_from_db()
    assert (job.status, job.error, Actual.objects.count()) == (JobStatus.FAILED, INTERRUPTED, before)


def test_the_command_prints_what_it_did(world: World) -> None:
    dead = make_job(world.users["yishan"], JobStatus.WRITING, age=600)
    make_job(world.users["yishan"], JobStatus.CHECKING, age=100)
    assert "没有中断的导入任务" in run("workbooks", "recover", "--stale-after", "900")
    text = run("workbooks", "recover")
    assert (
        f"导入任务 {dead.pk}（writing-600.xlsx）：写入中 → 失败" in text
        and "共 1 个导入任务标记为失败" in text
    )
    out = json.loads(run("workbooks", "recover", "--stale-after", "60", "--json"))
    assert [j["status"] for j in out["jobs"]] == ["checking"] and out["busy"] is False
    assert "没有中断的导入任务" in run("workbooks", "recover", "--stale-after", "0")


def test_the_worker_recovers_at_start_up(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    dead = make_job(world.users["yishan"], JobStatus.WRITING, age=600)
    text = run("worker", "--once")
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and f"导入任务 {dead.pk}" in text
