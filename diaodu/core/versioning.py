"""No lost update: refuse a save based on a stale version, telling who changed the record and how.

Editable records carry an integer ``version`` that every save increments. A client sends back the version it
read; the service, *after* locking the row (``select_for_update``), calls::

    from diaodu.core.versioning import check_version

    check_version(obj, expected_version, label=str(obj))   # raises StaleVersion when obj.version != expected

``expected is None`` skips the check (a client that does not send one: create-or-overwrite, as before).
:class:`StaleVersion` is a ``ValidationError`` (pages show its Chinese message like any other error); the API
answers it with HTTP 409 and :meth:`StaleVersion.as_dict` (who changed it, when, the fields before and after),
taken from the audit trail, which every service writes in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Change:
    """The last recorded change of a record (from the audit trail)."""

    actor: str
    at: dt.datetime | None
    action: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def last_change(obj: models.Model) -> Change | None:
    from diaodu.audit.models import AuditEvent

    event = (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), success=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return None
    return Change(
        actor=event.actor_name or _("系统"),
        at=event.created_at,
        action=event.get_action_display(),
        before=dict(event.before or {}),
        after=dict(event.after or {}),
    )


class StaleVersion(ValidationError):
    """A save based on version ``expected`` of a record that is now at ``current``."""

    def __init__(self, *, label: str, expected: int, current: int, change: Change | None) -> None:
        self.label, self.expected, self.current, self.change = label, expected, current, change
        params = {"label": label, "expected": expected, "current": current}
        if change is not None and change.at is not None:
            params |= {
                "who": change.actor,
                "when": timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M:%S"),
                "action": change.action,
            }
            message = (
                _(
                    "“%(label)s”已被 %(who)s 于 %(when)s %(action)s（当前版本 %(current)d，您依据的是版本 %(expected)d），"
                    "您的修改未保存，请刷新查看后重试。"
                )
                % params
            )
        else:
            message = (
                _(
                    "“%(label)s”已被他人修改（当前版本 %(current)d，您依据的是版本 %(expected)d），"
                    "您的修改未保存，请刷新查看后重试。"
                )
                % params
            )
        super().__init__(message, code="stale_version")

    def as_dict(self) -> dict[str, Any]:
        """The 409 body: ``detail`` (the message), versions, and the other user's change."""
        change = self.change
        return {
            "detail": self.messages[0],
            "code": "stale_version",
            "expected_version": self.expected,
            "current_version": self.current,
            "changed_by": change.actor if change else None,
            "changed_at": change.at.isoformat() if change and change.at else None,
            "change": {"action": change.action, "before": change.before, "after": change.after}
            if change
            else None,
        }


def check_version(obj: models.Model, expected: int | None, label: str | None = None) -> None:
    """Raise :class:`StaleVersion` unless ``expected`` is None or equals ``obj.version`` (lock the row first)."""
    if expected is None:
        return
    current = int(obj.version)  # type: ignore[attr-defined]
    if int(expected) != current:
        raise StaleVersion(
            label=label or str(obj), expected=int(expected), current=current, change=last_change(obj)
        )
