"""Background tasks (django-tasks, run by ``diaodu db_worker``)."""

from __future__ import annotations

from django_tasks import task

from diaodu.workbooks import jobs


@task()
def run_import_job(job_id: str, commit: bool) -> None:
    jobs.execute(job_id, commit=commit)
