"""Background jobs (django-tasks, database backend), run by ``diaodu worker``."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from diaodu.supervision import notifications, services


@task()
def scan_reminders(today: str | None = None) -> dict[str, int]:
    """Send the reminders and escalations due today (idempotent: see services.run_reminder_scan)."""
    result = services.run_reminder_scan(dt.date.fromisoformat(today) if today else None)
    return {"items": result.items, "sent": result.sent, "skipped": result.skipped}


@task()
def deliver_notifications() -> dict[str, int]:
    """Send the due e-mails and webhook posts, with retries (see notifications.deliver_due)."""
    return notifications.deliver_due().as_dict()
