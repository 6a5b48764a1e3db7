"""Recovering imports whose worker died (a crash, SIGKILL, a power cut): fail them, say so, audit it.

A job in progress (排队中 / 检查中 / 写入中) is taken for dead when

* its heartbeat (``ImportJob.heartbeat_at``, refreshed at every progress step by whoever runs it) is older than
  ``DIAODU_IMPORT_STALE_SECONDS`` (default 300), and
* its row is not locked: a live worker holds the row for the whole write transaction (``jobs.execute``), so
  ``SELECT … FOR UPDATE SKIP LOCKED`` passes over it on PostgreSQL however long it writes; on SQLite the writer
  holds the database's write lock, so the recovery waits for it and then finds the job done; and
* for a job still queued: no task for it is waiting in the queue, and none was claimed within that time.

Such a job wrote nothing (its rows and its final status commit together), so it is set to 失败 with
:data:`INTERRUPTED`, with an audit row. Its django-tasks result, left RUNNING by the dead worker (django-tasks-db
has no heartbeat or timeout of its own), is marked FAILED too. Every change is a conditional UPDATE on the state
just read, so a repeated run, or several workers recovering at once, change each job once; a worker that was
only slow finds its job failed at its next step and stops (``jobs.ImportAbandoned``).

Run by ``diaodu worker`` at start-up and every minute, and by ``diaodu workbooks recover``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from diaodu.audit.models import AuditAction
from diaodu.audit.services import record
from diaodu.workbooks.models import RUNNING_STATES, ImportJob, JobStatus
from diaodu.workbooks.tasks import run_import_job

INTERRUPTED = "导入中断（后台任务异常终止），未写入任何数据，请重新导入。"
IMPORT_TASK = run_import_job.module_path
READY, RUNNING, FAILED = "READY", "RUNNING", "FAILED"


class ImportInterrupted(Exception):
    """Stored as the exception of a task result whose worker died."""


def stale_seconds() -> float:
    return float(getattr(settings, "DIAODU_IMPORT_STALE_SECONDS", 300))


@dataclass
class Recovered:
    job_id: str
    filename: str
    user_id: int
    status: str
    heartbeat_at: dt.datetime | None


@dataclass
class Recovery:
    jobs: list[Recovered] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    busy: bool = False  # SQLite: another import held the write lock; the next run finishes the work

    def as_dict(self) -> dict[str, Any]:
        return {
            "jobs": [
                {
                    "id": j.job_id,
                    "filename": j.filename,
                    "user_id": j.user_id,
                    "status": j.status,
                    "heartbeat_at": j.heartbeat_at.isoformat() if j.heartbeat_at else None,
                }
                for j in self.jobs
            ],
            "tasks": self.tasks,
            "busy": self.busy,
        }

    def lines(self) -> list[str]:
        """What a person reads: one line per failed job, the task results, and whether to try again."""
        out = []
        for job in self.jobs:
            beat = (
                timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
                if job.heartbeat_at
                else "无"
            )
            out.append(
                f"导入任务 {job.job_id}（{job.filename}）：{JobStatus(job.status).label} → 失败，最后心跳 {beat}"
            )
        if self.tasks:
            out.append(f"已将 {len(self.tasks)} 条中断的后台任务记录标为失败：{'、'.join(self.tasks)}")
        if self.busy:
            out.append(
                "数据库正被另一个导入写入，其余任务下次再检查 / the database is busy; the rest next time"
            )
        return out


def _stale(cutoff: dt.datetime) -> Q:
    old = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    return Q(status__in=RUNNING_STATES) & old


def _job_id(args_kwargs: Any) -> str:
    args = (args_kwargs or {}).get("args") or [""]
    try:
        return str(uuid.UUID(str(args[0])))
    except ValueError:
        return ""


def _tasks_by_job() -> dict[str, list[tuple[str, dt.datetime | None]]]:
    """The import tasks waiting or running, by job: (status, claimed at)."""
    found: dict[str, list[tuple[str, dt.datetime | None]]] = defaultdict(list)
    rows = DBTaskResult.objects.filter(task_path=IMPORT_TASK, status__in=(READY, RUNNING))
    for status, started_at, args_kwargs in rows.values_list("status", "started_at", "args_kwargs"):
        found[_job_id(args_kwargs)].append((status, started_at))
    return found


def _queued_alive(tasks: list[tuple[str, dt.datetime | None]], cutoff: dt.datetime) -> bool:
    """A queued job is alive while its task waits in the queue or was claimed recently."""
    return any(s == READY or (s == RUNNING and started and started >= cutoff) for s, started in tasks)


def _fail_job(
    pk: Any, cutoff: dt.datetime, tasks: dict[str, list[tuple[str, dt.datetime | None]]], reason: str
) -> Recovered | None:
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(_stale(cutoff), pk=pk)
            .only(
                "pk",
                "kind",
                "filename",
                "user_id",
                "org_unit_id",
                "status",
                "phase",
                "done",
                "total",
                "heartbeat_at",
            )
            .first()
        )
        if job is None:  # a live worker holds it, or it moved on since the candidates were read
            return None
        if job.status == JobStatus.QUEUED and _queued_alive(tasks.get(str(job.pk), []), cutoff):
            return None
        if not ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED, error=INTERRUPTED, phase=""
        ):
            return None
        record(
            actor=None,
            actor_name="system",
            action=AuditAction.UPDATE,
            obj=job,
            object_repr=f"导入任务：{job.filename}"[:200],
            before={
                "status": job.status,
                "phase": job.phase,
                "done": job.done,
                "total": job.total,
                "heartbeat_at": job.heartbeat_at,
            },
            after={"status": JobStatus.FAILED.value, "error": INTERRUPTED},
            reason=reason,
        )
    return Recovered(str(job.pk), job.filename, job.user_id, str(job.status), job.heartbeat_at)


def _fail_tasks(cutoff: dt.datetime, now: dt.datetime) -> list[str]:
    """Import task results left RUNNING by a dead worker: their job is gone, or ended and quiet since."""
    running = list(
        DBTaskResult.objects.filter(task_path=IMPORT_TASK, status=RUNNING, started_at__lt=cutoff).values_list(
            "pk", "args_kwargs"
        )
    )
    ids = {_job_id(a) for _pk, a in running} - {""}
    jobs = {
        str(pk): (status, beat)
        for pk, status, beat in ImportJob.objects.filter(pk__in=ids).values_list(
            "pk", "status", "heartbeat_at"
        )
    }
    failed: list[str] = []
    for pk, args_kwargs in running:
        job = jobs.get(_job_id(args_kwargs))
        if job is not None and (job[0] in RUNNING_STATES or (job[1] is not None and job[1] >= cutoff)):
            continue  # still in progress, or it finished just now and its worker is recording that
        done = DBTaskResult.objects.filter(pk=pk, status=RUNNING).update(
            status=FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{ImportInterrupted.__module__}.{ImportInterrupted.__qualname__}",
            traceback=f"{ImportInterrupted.__qualname__}: {INTERRUPTED}\n",
        )
        if done:
            failed.append(str(pk))
    return failed


def recover(*, stale_after: float | None = None, now: dt.datetime | None = None) -> Recovery:
    """Fail the import jobs (and their task results) whose worker died. Idempotent; safe beside live workers."""
    seconds = stale_seconds() if stale_after is None else stale_after
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=seconds)
    reason = f"后台任务异常终止：超过 {seconds:g} 秒没有进展，判定导入中断，未写入任何数据"
    out = Recovery()
    try:
        candidates = list(ImportJob.objects.filter(_stale(cutoff)).values_list("pk", flat=True))
        tasks = _tasks_by_job() if candidates else {}
        for pk in candidates:
            recovered = _fail_job(pk, cutoff, tasks, reason)
            if recovered is not None:
                out.jobs.append(recovered)
        out.tasks = _fail_tasks(cutoff, now)
    except OperationalError as exc:
        if not is_locked_database_exception(exc):
            raise
        out.busy = True
    return out
