"""Writing the audit trail. Services call :func:`record` inside their transaction, explicitly."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.core.request_context import current_request_context


def jsonable(value: Any) -> Any:
    """Turn field values into JSON: Decimals as strings (no float rounding), dates in ISO form."""
    if isinstance(value, decimal.Decimal):
        # Numerically equal values give equal text: 3 and 3.0000 are both "3".
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of ``obj`` (foreign keys as their ids) ready for ``before``/``after``."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    org_unit_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    success: bool = True,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditEvent:
    ctx = current_request_context()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if org_unit_id is None:
            org_unit_id = getattr(obj, "org_unit_id", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        org_unit_id=org_unit_id,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        success=success,
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
    )


# ----------------------------------------------------------------------------- retention

MIN_RETENTION_DAYS = 180  # 等保: audit records are kept at least six months


class RetentionError(ValueError):
    pass


def earliest_purge_date(today: dt.date | None = None) -> dt.date:
    """Rows older than the returned date may be purged; younger ones never."""
    from django.conf import settings

    days = max(MIN_RETENTION_DAYS, int(getattr(settings, "DIAODU_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)))
    return (today or timezone.localdate()) - dt.timedelta(days=days)


def purge_before(before: dt.date, *, using: str = "default") -> int:
    """Delete audit rows from before ``before`` (local midnight) through the purge gate; record the purge."""
    from django.db import transaction

    from diaodu.audit import chain
    from diaodu.audit.gate import purge_gate_open

    limit = earliest_purge_date()
    if before > limit:
        raise RetentionError(
            f"审计日志至少保留{MIN_RETENTION_DAYS}天：只能清理 {limit.isoformat()} 之前的记录 / "
            f"audit rows are kept {MIN_RETENTION_DAYS} days: --before must be {limit.isoformat()} or earlier"
        )
    cutoff = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_current_timezone())
    with transaction.atomic(using=using):
        chain.lock(using)
        old = AuditEvent.objects.using(using).filter(created_at__lt=cutoff)
        count = old.count()
        if count:
            with purge_gate_open(using):
                old._raw_delete(using)  # type: ignore[attr-defined] # no cascades, no signals: one DELETE
        record(
            actor=None,
            actor_name="system",
            action=AuditAction.PURGE,
            object_type="audit.auditevent",
            reason=f"清理 {before.isoformat()} 之前的审计记录 {count} 条 / purged {count} rows before {before}",
            after={"before": before.isoformat(), "deleted": count},
        )
    return count
