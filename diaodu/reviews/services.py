"""Every write of the reviews app: peers' published figures, review sessions, rater scores, publishing, 点评.

Each service checks the actor's permission itself (a view or the CLI cannot forget), runs in one transaction and
writes one audit row with before/after values.
"""

from __future__ import annotations

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
from diaodu.plans.services import _check_period, _check_values

PEER_FIELDS = ("ytd_value", "growth_pct", "base_value", "note", "status")


@transaction.atomic
def enter_peer_value(
    *,
    actor: Any,
    indicator: Indicator,
    org_unit: OrgUnit,
    year: int,
    month: int,
    ytd_value: Decimal | None = None,
    growth_pct: Decimal | None = None,
    base_value: Decimal | None = None,
    note: str = "",
) -> Actual:
    """Record a peer county's *published* figure (外部对标单位公布数) for a month.

    Only external units (``is_external``) take peer values, and only a reviewer (``data.review``) whose data scope
    covers the peer may enter them (统计局's reviewer role has the "all units" scope; a narrower reviewer role needs
    the peers in its custom units). Published figures are not reviewed again: the row is stored as approved, with
    the actor as both enterer and reviewer. A later correction (statistics are revised) updates the row.
    """
    if not org_unit.is_external:
        raise ValidationError(_("只有外部对标单位可以录入公布数；本县单位请通过数据填报与审核。"))
    require_unit(actor, org_unit.pk, Perm.REVIEW_DATA)
    _check_period(year, month)
    _check_values(indicator, ytd_value, growth_pct, base_value)
    if indicator.measure == Measure.GROWTH and growth_pct is None:
        raise ValidationError({"growth_pct": _("增速类指标请填写公布增速。")})
    note = note.strip() or _("对标单位公布数")
    now = timezone.now()
    actual = (
        Actual.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, year=year, month=month)
        .first()
    )
    values: dict[str, Any] = {
        "ytd_value": ytd_value,
        "growth_pct": growth_pct,
        "base_value": base_value,
        "note": note,
        "status": ActualStatus.APPROVED,
    }
    if actual is None:
        actual = Actual.objects.create(
            indicator=indicator,
            org_unit=org_unit,
            year=year,
            month=month,
            created_by=actor,
            submitted_by=actor,
            submitted_at=now,
            reviewed_by=actor,
            reviewed_at=now,
            **values,
        )
        record(actor=actor, action=AuditAction.CREATE, obj=actual, after=snapshot(actual, PEER_FIELDS))
        return actual
    before = snapshot(actual, PEER_FIELDS)
    for key, value in values.items():
        setattr(actual, key, value)
    after = snapshot(actual, PEER_FIELDS)
    if before == after:
        return actual
    actual.reviewed_by, actual.reviewed_at = actor, now
    actual.version += 1
    actual.save(update_fields=[*values, "reviewed_by", "reviewed_at", "version", "updated_at"])
    b, a = changed(before, after)
    record(
        actor=actor, action=AuditAction.UPDATE, obj=actual, before=b, after=a, reason=_("对标单位公布数更正")
    )
    return actual


def require_peer_enterer(actor: Any) -> None:
    """The peer-entry page is for reviewers whose scope covers at least one external peer unit."""
    if not OrgUnit.objects.filter(is_external=True).editable_by(actor, Perm.REVIEW_DATA).exists():
        raise PermissionDenied
