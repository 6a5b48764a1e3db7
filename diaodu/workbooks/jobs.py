"""Import jobs (导入任务): every write to :class:`ImportJob`, and running one (inline or as a background task).

Small files are checked in the request; files over ``DIAODU_IMPORT_BACKGROUND_ROWS`` rows (default 1,000) are
checked and written by the ``db_worker`` while the page polls the progress.

Whoever runs a job keeps its ``heartbeat_at`` fresh (every progress step), and writes the rows, the audit rows and
the final status in one transaction that starts by updating, and so locking, the job's row. So a job left
checking or writing after a crash wrote nothing, and :mod:`diaodu.workbooks.recovery` can tell a dead job (stale
heartbeat, row not locked) from a live one; a worker whose job was meanwhile failed by the recovery stops
(:class:`ImportAbandoned`) instead of writing.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from diaodu.accounts.scope import Perm, has_perm
from diaodu.workbooks.importers import Mode, importer_class
from diaodu.workbooks.importers.base import Action, ImportPlan
from diaodu.workbooks.models import RUNNING_STATES, ImportJob, JobStatus
from diaodu.workbooks.read import Limits, ReadError, read_workbook

PREVIEW_ROWS = 500


class ImportAbandoned(Exception):
    """The job is no longer in progress (the recovery took its worker for dead): stop, write nothing."""


def background_threshold() -> int:
    return int(getattr(settings, "DIAODU_IMPORT_BACKGROUND_ROWS", 1000))


def require_importer(user: Any, kind: str) -> None:
    """404 for an unknown kind, 403 for users who enter no data."""
    if importer_class(kind) is None:
        raise Http404
    if not has_perm(user, Perm.ENTER_DATA):
        raise PermissionDenied


def get_job_for_user(user: Any, pk: Any) -> ImportJob:
    """Only the uploader sees a job (404 for everyone else)."""
    user_id: int | None = getattr(user, "pk", None)
    job = (
        ImportJob.objects.filter(pk=pk, user_id=user_id).select_related("org_unit").first()
        if user_id
        else None
    )
    if job is None:
        raise Http404
    return job


def _estimate_rows(data: bytes, filename: str) -> int:
    try:
        book = read_workbook(data, filename, limits=Limits.from_settings())
    except ReadError:
        return 0
    return max((s.height for s in book.sheets), default=0)


def create_job(
    *,
    actor: Any,
    kind: str,
    data: bytes,
    filename: str,
    org_unit: Any = None,
    month: str = "",
    sheet: str = "",
    mode: str = Mode.ATOMIC,
) -> ImportJob:
    require_importer(actor, kind)
    rows = _estimate_rows(data, filename)
    return ImportJob.objects.create(
        kind=kind,
        user=actor,
        org_unit=org_unit,
        month=month,
        sheet=sheet,
        mode=str(Mode(mode)),
        filename=filename[:200],
        data=data,
        size=len(data),
        rows_estimate=rows,
        background=rows > background_threshold(),
        heartbeat_at=timezone.now(),
    )


def start(job: ImportJob, *, commit: bool, mode: str | None = None) -> None:
    """Check (``commit=False``) or check and write the job: in the request, or queued for the worker."""
    updates: dict[str, Any] = {
        "status": JobStatus.QUEUED,
        "phase": "",
        "done": 0,
        "total": 0,
        "heartbeat_at": timezone.now(),
    }
    if mode:
        updates["mode"] = str(Mode(mode))
    ImportJob.objects.filter(pk=job.pk).update(**updates)
    if job.background:
        from diaodu.workbooks.tasks import run_import_job

        run_import_job.enqueue(str(job.pk), commit)
    else:
        execute(str(job.pk), commit=commit)
    job.refresh_from_db()


class _Progress:
    """Writes (phase, done, total) to the job at most a few times a second."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < 0.25 and done < total:
            return
        self.phase, self.last = phase, now
        status = JobStatus.WRITING if phase == "write" else JobStatus.CHECKING
        _beat(self.job_id, phase=phase, done=done, total=total, status=status)


def _beat(job_id: str, **fields: Any) -> None:
    """Refresh the heartbeat (and ``fields``) of a job in progress; raise if it no longer is."""
    if not ImportJob.objects.filter(pk=job_id, status__in=RUNNING_STATES).update(
        heartbeat_at=timezone.now(), **fields
    ):
        raise ImportAbandoned(f"导入任务 {job_id} 已不在进行中（已被标记为中断），停止处理")


def _result(plan: ImportPlan) -> dict[str, Any]:
    rows = [
        {
            "row": r.number,
            "action": str(r.action),
            "label": r.label,
            "changes": {k: [_text(b), _text(a)] for k, (b, a) in r.changes.items()},
        }
        for r in plan.rows[:PREVIEW_ROWS]
    ]
    return {
        "summary": plan.summary(),
        "sheet": plan.sheet,
        "skipped": plan.skipped,
        "rows": rows,
        "written": plan.written,
        "mode": str(plan.mode),
        "counts": {str(a): plan.count(a) for a in Action},
    }


def _text(value: Any) -> str:
    from diaodu.workbooks.importers.base import display

    return display(value) if not hasattr(value, "_meta") else str(value)


def execute(job_id: str, *, commit: bool) -> None:
    """Run the importer for the job (dry run, or dry run and commit) and store the result."""
    from diaodu.plans.periods import parse_period

    job = ImportJob.objects.select_related("user", "org_unit").get(pk=job_id)
    cls = importer_class(job.kind)
    assert cls is not None
    progress = _Progress(job_id)
    progress("check", 0, job.rows_estimate)
    kwargs: dict[str, Any] = {"unit": job.org_unit, "sheet": job.sheet or None, "progress": progress}
    period = parse_period(job.month)
    if period is not None and job.kind in ("actuals", "progress"):
        kwargs["month"] = (period.year, period.month)
    importer = cls(job.user, **kwargs)
    try:
        plan = importer.dry_run(bytes(job.data), job.filename)
        plan.mode = Mode(job.mode)
        if not commit:
            _beat(job_id, status=JobStatus.CHECKED, result=_result(plan), phase="", error="")
            return
        progress("write", 0, plan.count(Action.CREATE) + plan.count(Action.UPDATE))
        # One transaction for the rows and the job's final status; its first statement locks the job's row, so
        # the recovery (SELECT … FOR UPDATE SKIP LOCKED) passes over a job that is being written.
        with transaction.atomic():
            _beat(job_id, status=JobStatus.WRITING)
            plan = importer.commit(plan)
            status = JobStatus.DONE if plan.committed else JobStatus.CHECKED
            _beat(job_id, status=status, result=_result(plan), phase="", error="")
    except ImportAbandoned:
        raise
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id, status__in=RUNNING_STATES).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], heartbeat_at=timezone.now()
        )
        raise
