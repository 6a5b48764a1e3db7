"""A job being written is never failed by the recovery, however stale its heartbeat looks (a module of its own:
the writer thread needs the database free of the module-wide test world's transaction)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from diaodu.workbooks.models import ImportJob, JobStatus
from diaodu.workbooks.recovery import recover
from diaodu.workbooks.tests.test_recovery import audit_rows, make_job


@pytest.mark.django_db(transaction=True)
def test_a_job_being_written_is_never_failed(personas: Any) -> None:
    """The writer holds the job's row (PostgreSQL) or the database (SQLite) however stale its heartbeat looks."""
    job = make_job(personas["yishan"], JobStatus.WRITING, age=3600)
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():  # what jobs.execute does around the rows it writes
                ImportJob.objects.filter(pk=job.pk).update(done=1)
                locked.set()
                release.wait(30)
                ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(30), errors
        result = recover(stale_after=0)
        assert result.jobs == [] and (result.busy or connection.vendor == "postgresql")
    finally:
        release.set()
        thread.join(30)
    assert not errors
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and not audit_rows(job)
    assert recover(stale_after=0).jobs == []
