"""The monthly actual workflow through the services: every step scoped, validated and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.plans import services
from diaodu.plans.models import Actual, ActualStatus, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():  # type: ignore[no-untyped-def]
    return Indicator.objects.create(
        code="new-projects", name="新开工投资过亿元工业项目", unit="个", measure="count", accumulation="ytd"
    )


@pytest.fixture
def growth_indicator():  # type: ignore[no-untyped-def]
    return Indicator.objects.create(
        code="gdp", name="地区生产总值", unit="%", value_unit="亿元", measure="growth"
    )


def _save(personas, orgunits, indicator, value="3", user="yishan", unit="320723-T02-IZ", month=9):  # type: ignore[no-untyped-def]
    return services.save_actual(
        actor=personas[user],
        indicator=indicator,
        org_unit=orgunits[unit],
        year=2025,
        month=month,
        ytd_value=Decimal(value),
    )


def _events(actual: Actual) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="plans.actual", object_id=str(actual.pk)).order_by("id")
    )


def test_it_runs_the_full_cycle_with_one_audit_row_per_step(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    actual = _save(personas, orgunits, indicator)
    actual = services.submit_actual(actual, actor=personas["yishan"])
    actual = services.return_actual(actual, actor=personas["fgw"], comment="数值与统计局口径不符，请核实")
    assert actual.status == ActualStatus.RETURNED
    actual = _save(personas, orgunits, indicator, value="5")
    actual = services.submit_actual(actual, actor=personas["yishan"])
    actual = services.approve_actual(actual, actor=personas["fgw"])
    assert actual.status == ActualStatus.APPROVED and actual.is_locked
    actions = [e.action for e in _events(actual)]
    assert actions == [
        AuditAction.CREATE,
        AuditAction.SUBMIT,
        AuditAction.RETURN,
        AuditAction.UPDATE,
        AuditAction.SUBMIT,
        AuditAction.APPROVE,
    ]
    update = _events(actual)[3]
    assert update.before == {"ytd_value": "3"}
    assert update.after == {"ytd_value": "5"}
    ret = _events(actual)[2]
    assert ret.reason == "数值与统计局口径不符，请核实"
    assert ret.before == {"status": "submitted", "review_comment": ""}
    assert ret.after == {"status": "returned", "review_comment": "数值与统计局口径不符，请核实"}
    assert all(e.actor_id for e in _events(actual))


def test_it_locks_approved_months(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    actual = services.submit_actual(_save(personas, orgunits, indicator), actor=personas["yishan"])
    services.approve_actual(actual, actor=personas["tjj"])
    with pytest.raises(ValidationError, match="不能修改"):
        _save(personas, orgunits, indicator, value="9")
    assert Actual.objects.get(pk=actual.pk).ytd_value == Decimal("3")


def test_only_a_reviewer_above_can_reopen_with_a_reason(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    actual = services.submit_actual(_save(personas, orgunits, indicator), actor=personas["yishan"])
    actual = services.approve_actual(actual, actor=personas["tjj"])
    with pytest.raises(PermissionDenied):
        services.reopen_actual(actual, actor=personas["yishan"], reason="想改")
    with pytest.raises(ValidationError):
        services.reopen_actual(actual, actor=personas["fgw"], reason="  ")
    reopened = services.reopen_actual(actual, actor=personas["fgw"], reason="统计局更正了9月数据")
    assert reopened.status == ActualStatus.RETURNED
    event = _events(reopened)[-1]
    assert event.action == AuditAction.REOPEN and event.reason == "统计局更正了9月数据"


def test_it_refuses_writes_outside_scope(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        _save(personas, orgunits, indicator, user="yangji")  # 杨集镇 officer on 伊山镇's cluster
    with pytest.raises(PermissionDenied):
        _save(personas, orgunits, indicator, user="leader")  # leaders read, they do not enter
    with pytest.raises(PermissionDenied):
        _save(personas, orgunits, indicator, user="sysadmin")
    assert not Actual.objects.exists()
    actual = _save(personas, orgunits, indicator)
    with pytest.raises(PermissionDenied):
        services.submit_actual(actual, actor=personas["yangji"])
    services.submit_actual(actual, actor=personas["yishan"])
    with pytest.raises(PermissionDenied):
        services.approve_actual(actual, actor=personas["yishan"])  # officers cannot approve
    assert Actual.objects.get(pk=actual.pk).status == ActualStatus.SUBMITTED


def test_a_reviewer_cannot_approve_their_own_submission(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.models import Role

    reviewer = personas["fgw"]
    reviewer.roles.add(Role.objects.get(code="unit_officer"))
    reviewer.org_unit = orgunits["320723"]
    reviewer.save()
    from diaodu.accounts.scope import forget_cached_scope

    forget_cached_scope(reviewer)
    actual = _save(personas, orgunits, indicator, user="fgw")
    services.submit_actual(actual, actor=reviewer)
    with pytest.raises(PermissionDenied, match="本人"):
        services.approve_actual(actual, actor=reviewer)


def test_it_validates_periods_and_values(personas, orgunits, indicator, growth_indicator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="未来"):
        services.save_actual(
            actor=personas["county"],
            indicator=indicator,
            org_unit=orgunits["320723"],
            year=2099,
            month=1,
            ytd_value=Decimal(1),
        )
    with pytest.raises(ValidationError, match="增速"):
        services.save_actual(
            actor=personas["county"],
            indicator=growth_indicator,
            org_unit=orgunits["320723"],
            year=2025,
            month=3,
            ytd_value=Decimal("98.5"),
        )
    ok = services.save_actual(
        actor=personas["county"],
        indicator=growth_indicator,
        org_unit=orgunits["320723"],
        year=2025,
        month=3,
        ytd_value=Decimal("98.5"),
        base_value=Decimal("92.1"),
    )
    assert (
        ok.pk
        and not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="plans.actual")
        .exclude(object_id=str(ok.pk))
        .exists()
    )


def test_return_needs_a_comment_and_stale_versions_are_refused(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    actual = services.submit_actual(_save(personas, orgunits, indicator), actor=personas["yishan"])
    with pytest.raises(ValidationError):
        services.return_actual(actual, actor=personas["fgw"], comment="")
    actual = services.return_actual(actual, actor=personas["fgw"], comment="请补充来源")
    with pytest.raises(ValidationError, match=r"已被 fgw 于 .*退回（当前版本 3，您依据的是版本 1）"):
        services.save_actual(
            actor=personas["yishan"],
            indicator=indicator,
            org_unit=orgunits["320723-T02-IZ"],
            year=2025,
            month=9,
            ytd_value=Decimal(4),
            expected_version=1,
        )


def test_saving_unchanged_values_writes_nothing(personas, orgunits, indicator) -> None:  # type: ignore[no-untyped-def]
    actual = _save(personas, orgunits, indicator)
    before = AuditEvent.objects.count()
    again = _save(personas, orgunits, indicator)
    assert again.version == actual.version
    assert AuditEvent.objects.count() == before
