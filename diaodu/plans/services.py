"""Every write to plans, targets and actuals. Each function is atomic and writes its audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure

# ----------------------------------------------------------------------------- monthly actuals

ACTUAL_FIELDS = ("ytd_value", "growth_pct", "base_value", "note", "status", "review_comment")


class WorkflowError(ValidationError):
    """A state transition that is not allowed (shown to the user in Chinese)."""


def _check_period(year: int, month: int, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if not 1 <= month <= 12:
        raise ValidationError(_("月份必须在1到12之间。"))
    if (year, month) > (today.year, today.month):
        raise ValidationError(_("不能填报未来月份（%(year)d年%(month)d月）的数据。") % {"year": year, "month": month})


def _check_values(indicator: Indicator, ytd_value: Decimal | None, growth_pct: Decimal | None,
                  base_value: Decimal | None) -> None:
    errors: dict[str, str] = {}
    if ytd_value is None and growth_pct is None:
        errors["ytd_value"] = _("请至少填写累计值或公布增速。")
    if indicator.measure == Measure.GROWTH and growth_pct is None and (ytd_value is None or not base_value):
        errors["growth_pct"] = _("增速类指标请填写公布增速，或同时填写累计值和上年同期值。")
    if base_value is not None and base_value < 0:
        errors["base_value"] = _("上年同期值不能为负数。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_actual(
    *, actor: Any, indicator: Indicator, org_unit: OrgUnit, year: int, month: int,
    ytd_value: Decimal | None, growth_pct: Decimal | None = None, base_value: Decimal | None = None,
    note: str = "", expected_version: int | None = None,
) -> Actual:
    """Create or update a draft (or returned) month. Approved and submitted months cannot be edited."""
    require_unit(actor, org_unit.pk, Perm.ENTER_DATA)
    _check_period(year, month)
    _check_values(indicator, ytd_value, growth_pct, base_value)
    actual = (
        Actual.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, year=year, month=month)
        .first()
    )
    values = {"ytd_value": ytd_value, "growth_pct": growth_pct, "base_value": base_value, "note": note}
    if actual is None:
        actual = Actual.objects.create(
            indicator=indicator, org_unit=org_unit, year=year, month=month, created_by=actor, **values
        )
        record(actor=actor, action=AuditAction.CREATE, obj=actual, after=snapshot(actual, ACTUAL_FIELDS))
        return actual
    if not actual.is_editable_state:
        raise WorkflowError(_("%(label)s 当前状态为“%(status)s”，不能修改。")
                            % {"label": actual, "status": actual.get_status_display()})
    if expected_version is not None and expected_version != actual.version:
        raise WorkflowError(_("数据已被他人修改（版本 %(theirs)d），请刷新后重试。") % {"theirs": actual.version})
    before = snapshot(actual, ACTUAL_FIELDS)
    for key, value in values.items():
        setattr(actual, key, value)
    after = snapshot(actual, ACTUAL_FIELDS)
    if before == after:
        return actual
    actual.version += 1
    actual.save(update_fields=[*values, "version", "updated_at"])
    b, a = changed(before, after)
    record(actor=actor, action=AuditAction.UPDATE, obj=actual, before=b, after=a)
    return actual


def _lock(actual: Actual) -> Actual:
    """Re-read the row under a lock: every check and change sees the current state, not a stale copy."""
    return Actual.objects.select_for_update().select_related("org_unit", "indicator").get(pk=actual.pk)


def _transition(actual: Actual, *, actor: Any, action: AuditAction, to: ActualStatus, allowed_from: tuple[str, ...],
                reason: str = "", extra: dict[str, Any] | None = None) -> Actual:
    locked = actual  # callers pass the row returned by _lock()
    if locked.status not in allowed_from:
        raise WorkflowError(
            _("%(label)s 当前状态为“%(status)s”，不能执行此操作。")
            % {"label": locked, "status": locked.get_status_display()}
        )
    before = snapshot(locked, ACTUAL_FIELDS)
    locked.status = to
    for key, value in (extra or {}).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at", *(extra or {})])
    b, a = changed(before, snapshot(locked, ACTUAL_FIELDS))
    record(actor=actor, action=action, obj=locked, before=b, after=a, reason=reason)
    return locked


@transaction.atomic
def submit_actual(actual: Actual, *, actor: Any) -> Actual:
    actual = _lock(actual)
    require_unit(actor, actual.org_unit_id, Perm.ENTER_DATA)
    return _transition(
        actual, actor=actor, action=AuditAction.SUBMIT, to=ActualStatus.SUBMITTED,
        allowed_from=(ActualStatus.DRAFT, ActualStatus.RETURNED),
        extra={"submitted_by": actor, "submitted_at": timezone.now()},
    )


def _require_reviewer(actor: Any, actual: Actual) -> None:
    require_unit(actor, actual.org_unit_id, Perm.REVIEW_DATA)
    if actual.submitted_by_id is not None and actual.submitted_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("不能审核本人提交的数据。"))


@transaction.atomic
def return_actual(actual: Actual, *, actor: Any, comment: str) -> Actual:
    actual = _lock(actual)
    _require_reviewer(actor, actual)
    if not comment.strip():
        raise ValidationError({"comment": _("退回时请填写退回意见。")})
    return _transition(
        actual, actor=actor, action=AuditAction.RETURN, to=ActualStatus.RETURNED,
        allowed_from=(ActualStatus.SUBMITTED,), reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def approve_actual(actual: Actual, *, actor: Any, comment: str = "") -> Actual:
    actual = _lock(actual)
    _require_reviewer(actor, actual)
    return _transition(
        actual, actor=actor, action=AuditAction.APPROVE, to=ActualStatus.APPROVED,
        allowed_from=(ActualStatus.SUBMITTED,), reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def reopen_actual(actual: Actual, *, actor: Any, reason: str) -> Actual:
    """Unlock an approved month. Only a reviewer above the unit (not the unit itself) may, with a reason."""
    actual = _lock(actual)
    require_unit(actor, actual.org_unit_id, Perm.REVIEW_DATA)
    if getattr(actor, "org_unit_id", None) == actual.org_unit_id:
        raise PermissionDenied(_("只有上级审核单位可以重新打开已审核的数据。"))
    if not reason.strip():
        raise ValidationError({"reason": _("重新打开已审核数据须填写原因。")})
    return _transition(
        actual, actor=actor, action=AuditAction.REOPEN, to=ActualStatus.RETURNED,
        allowed_from=(ActualStatus.APPROVED,), reason=reason.strip(), extra={"review_comment": reason.strip()},
    )
