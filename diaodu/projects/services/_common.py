"""Shared bits of the project services: errors, today, audit helpers for bulk writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from diaodu.accounts.scope import Perm, has_perm, require_unit
from diaodu.audit.models import AuditEvent
from diaodu.audit.services import jsonable
from diaodu.core.request_context import current_request_context


class WorkflowError(ValidationError):
    """A state transition that is not allowed (shown to the user in Chinese)."""


def today_for(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def require_any_unit(actor: Any, unit_id: int | None, perms: tuple[Perm, ...]) -> None:
    """PermissionDenied unless ``actor`` holds one of ``perms`` on the unit."""
    for perm in perms:
        try:
            require_unit(actor, unit_id, perm)
            return
        except PermissionDenied:
            continue
    raise PermissionDenied


def require_config(actor: Any) -> None:
    if not has_perm(actor, Perm.MANAGE_CONFIG):
        raise PermissionDenied


def audit_row(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    org_unit_id: int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """An unsaved audit row with exactly the fields :func:`diaodu.audit.services.record` writes.

    Only for bulk writes (demo data, imports), which then ``AuditEvent.objects.bulk_create`` the rows inside
    the same transaction; everything else calls ``record`` directly.
    """
    ctx = current_request_context()
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        org_unit_id=org_unit_id,
        action=str(action),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        success=True,
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
    )
