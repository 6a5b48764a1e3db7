"""A job for checking the database queue with several workers (tests and docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def mark(path: str, key: str) -> str:
    """Append ``key`` to the file at ``path``: a job that ran twice leaves two lines."""
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(key + "\n")
    return key
