"""Every write of the reviews app: peers' published figures, review sessions, rater scores, publishing, 点评.

Each service checks the actor's permission itself (a view or the CLI cannot forget), runs in one transaction and
writes one audit row with before/after values.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, jsonable, record, snapshot
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import lights
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure
from diaodu.plans.services import _check_period, _check_values
from diaodu.reviews.models import RaterScore, ReviewComment, ReviewResult, ReviewSession, SessionStatus

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
        lights.refresh_series({(indicator.pk, org_unit.pk)}, year)
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
    lights.refresh_series({(indicator.pk, org_unit.pk)}, year)
    b, a = changed(before, after)
    record(
        actor=actor, action=AuditAction.UPDATE, obj=actual, before=b, after=a, reason=_("对标单位公布数更正")
    )
    return actual


def require_peer_enterer(actor: Any) -> None:
    """The peer-entry page is for reviewers whose scope covers at least one external peer unit."""
    if not OrgUnit.objects.filter(is_external=True).editable_by(actor, Perm.REVIEW_DATA).exists():
        raise PermissionDenied


# ----------------------------------------------------------------------------- quarterly review sessions


def require_manager(actor: Any, session: ReviewSession) -> None:
    """Running a review (scores, publishing, 点评) needs the supervision permission on the organising unit."""
    require_unit(actor, session.org_unit_id, Perm.SUPERVISE)


def _lock_session(session: ReviewSession) -> ReviewSession:
    return ReviewSession.objects.select_for_update().get(pk=session.pk)


def _require_draft(session: ReviewSession) -> None:
    if session.is_published:
        raise ValidationError(_("点评结果已发布并锁定，不能再修改评分。"))


@transaction.atomic
def set_rater_scores(
    session: ReviewSession, *, actor: Any, rater: str, scores: Mapping[int, Decimal | None]
) -> int:
    """Enter (or correct) one rater's observation scores, ``{unit id: score}`` (None removes a score).
    Returns the number of changed scores; one audit row for the sheet."""
    session = _lock_session(session)
    require_manager(actor, session)
    _require_draft(session)
    rater = rater.strip()
    if not rater:
        raise ValidationError({"rater": _("请填写评委姓名。")})
    allowed = set(session.units.values_list("pk", flat=True))
    if set(scores) - allowed:
        raise ValidationError(_("只能为本次点评的单位打分。"))
    for value in scores.values():
        if value is not None and not (0 <= value <= 100):
            raise ValidationError({"score": _("评分应在0到100之间。")})
    current = {s.org_unit_id: s for s in session.scores.filter(rater=rater)}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for unit_id, value in scores.items():
        existing = current.get(unit_id)
        old = existing.score if existing else None
        if old == value:
            continue
        before[str(unit_id)], after[str(unit_id)] = old, value
        if value is None and existing is not None:
            existing.delete()
        elif existing is not None and value is not None:
            existing.score, existing.entered_by = value, actor
            existing.save(update_fields=["score", "entered_by", "entered_at"])
        elif value is not None:
            RaterScore.objects.create(
                session=session, org_unit_id=unit_id, rater=rater, score=value, entered_by=actor
            )
    if after:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=session,
            before=jsonable(before),
            after=jsonable(after),
            reason=_("观摩评分：%(rater)s") % {"rater": rater},
        )
    return len(after)


@transaction.atomic
def publish_session(session: ReviewSession, *, actor: Any) -> list[ReviewResult]:
    """Freeze the results (total, rank, breakdown) and lock the session; they become visible to all units in scope."""
    from diaodu.reviews.scoring import breakdown_json, compute_session

    session = _lock_session(session)
    require_manager(actor, session)
    _require_draft(session)
    rows = compute_session(session)
    results = [
        ReviewResult.objects.create(
            session=session,
            org_unit=r.org_unit,
            total=r.score,
            rank=r.rank,
            tied=r.tied,
            breakdown=breakdown_json(r),
        )
        for r in rows
        if r.org_unit is not None
    ]
    session.status, session.published_at, session.published_by = (
        SessionStatus.PUBLISHED,
        timezone.now(),
        actor,
    )
    session.version += 1
    session.save(update_fields=["status", "published_at", "published_by", "version"])
    record(
        actor=actor,
        action=AuditAction.APPROVE,
        obj=session,
        before={"status": SessionStatus.DRAFT},
        after={
            "status": SessionStatus.PUBLISHED,
            "results": {r.org_unit.code: jsonable(r.total) for r in results},
        },
    )
    return results


@transaction.atomic
def add_comment(session: ReviewSession, *, actor: Any, org_unit: OrgUnit, text: str) -> ReviewComment:
    """点评: a comment on one reviewed unit (allowed before and after publication; comments are never edited)."""
    require_manager(actor, session)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写点评意见。")})
    if not session.units.filter(pk=org_unit.pk).exists():
        raise ValidationError(_("只能点评本次点评的单位。"))
    comment = ReviewComment.objects.create(session=session, org_unit=org_unit, text=text, author=actor)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=comment,
        org_unit_id=org_unit.pk,
        after={"session": session.pk, "org_unit": org_unit.code, "text": text},
    )
    return comment
