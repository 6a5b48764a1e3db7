"""Upload, edit, accept, discard: scoped, audited, and accepted targets carry their quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.compiler import services
from diaodu.compiler.models import ExtractedItem, ItemStatus, SourceDocument
from diaodu.compiler.tests.conftest import SAMPLE, item_named
from diaodu.plans.models import Indicator, Target

pytestmark = pytest.mark.django_db


def target_of(item: ExtractedItem) -> Target:
    assert item.target is not None
    return item.target


def events(obj) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
    )


def test_it_stores_the_normalised_text_and_every_item(document, indicators) -> None:  # type: ignore[no-untyped-def]
    items = list(document.items.all())
    assert [i.kind for i in items] == ["target"] * 5 + ["task"]
    for item in items:
        assert document.text[item.start : item.end] == item.quote
        assert item.extracted["quote"] == item.quote and item.status == ItemStatus.PENDING
        assert item.edited_fields == []
    gdp = item_named(document, "地区生产总值")
    assert gdp.indicator == indicators["gdp"] and gdp.value == 7 and gdp.comparator == ">="
    assert item_named(document, "实际利用外资").indicator == indicators["fdi"]
    assert (
        item_named(document, "一般公共预算收入").indicator is None
    )  # not in the catalogue: create on accept
    tier = item_named(document, "签约投资过10亿元重点产业项目")
    assert tier.parent_item == item_named(document, "签约投资过亿元重点产业项目")
    assert tier.scope_unit is not None and tier.scope_unit.name == "临港产业区"
    [event] = events(document)
    assert event.action == AuditAction.CREATE and event.after is not None and event.after["items"] == 6


def test_it_creates_a_new_plan_with_the_upload(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    new = services.NewPlan("guanyun-2026", "灌云县2026年目标", 2025, orgunits["320723"])
    document = services.upload_document(actor=personas["tjj"], plan=new, raw_text=SAMPLE, filename="a.txt")
    assert document.plan.code == "guanyun-2026" and document.title == "a"
    assert events(document.plan)[0].action == AuditAction.CREATE


def test_it_refuses_an_empty_text(plan, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.upload_document(actor=personas["fgw"], plan=plan, raw_text=" \n\u3000\n", filename="空.txt")
    assert not SourceDocument.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "county", "yishan", "secadmin", "auditadmin", "dcs"])
def test_only_reviewers_and_the_system_administrator_upload(plan, personas, persona) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.upload_document(actor=personas[persona], plan=plan, raw_text=SAMPLE, filename="x.txt")


def test_the_system_administrator_compiles(plan, personas) -> None:  # type: ignore[no-untyped-def]
    document = services.upload_document(
        actor=personas["sysadmin"], plan=plan, raw_text=SAMPLE, filename="x.txt"
    )
    services.accept_item(item_named(document, "地区生产总值"), actor=personas["sysadmin"])


def test_accepting_a_target_keeps_the_quote_and_audits(document, personas, indicators) -> None:  # type: ignore[no-untyped-def]
    item = services.accept_item(item_named(document, "地区生产总值"), actor=personas["fgw"])
    target = target_of(item)
    assert item.status == ItemStatus.ACCEPTED and item.decided_by == personas["fgw"]
    assert target.plan == document.plan and target.indicator == indicators["gdp"]
    assert target.quote == "全县地区生产总值增长7%以上" and target.quote_position == item.start
    assert document.text[target.quote_position :].startswith(target.quote)
    assert target.value == Decimal(7) and target.comparator == ">=" and target.level == "plain"
    assert target.org_unit.code == "320723" and target.section == "2025年主要目标" and target.year == 2025
    [created] = events(target)
    assert created.action == AuditAction.CREATE and created.actor == personas["fgw"]
    assert (
        created.after is not None
        and created.after["quote"] == target.quote
        and created.after["item"] == item.pk
    )
    [decided] = events(item)
    assert decided.action == AuditAction.APPROVE and decided.after == {
        "status": "accepted",
        "target": target.pk,
    }


def test_accepting_an_unmapped_item_creates_the_indicator(document, personas) -> None:  # type: ignore[no-untyped-def]
    item = services.accept_item(item_named(document, "一般公共预算收入"), actor=personas["fgw"])
    indicator = target_of(item).indicator
    assert indicator.name == "一般公共预算收入" and indicator.unit == "%" and indicator.measure == "growth"
    assert indicator.code.startswith("x-")
    assert events(indicator)[0].action == AuditAction.CREATE


def test_an_accepted_tier_points_to_its_accepted_parent(document, personas) -> None:  # type: ignore[no-untyped-def]
    parent = services.accept_item(item_named(document, "签约投资过亿元重点产业项目"), actor=personas["fgw"])
    child = services.accept_item(item_named(document, "签约投资过10亿元重点产业项目"), actor=personas["fgw"])
    assert target_of(child).parent == parent.target
    assert (
        target_of(child).org_unit.name == "临港产业区"
        and target_of(child).sort_order > target_of(parent).sort_order
    )


def test_editing_changes_only_what_changed_and_shows_it(document, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    item = services.update_item(
        item,
        actor=personas["fgw"],
        values={
            "value": Decimal("7.5"),
            "level": "stretch",
            "scope_unit": orgunits["320723-Z01"],
            "comparator": ">=",
            "deadline": dt.date(2025, 12, 31),
        },
    )
    assert set(item.edited_fields) == {"value", "level", "scope", "deadline"}
    [event] = events(item)
    assert event.action == AuditAction.UPDATE
    assert event.before == {"value": "7", "level": "plain", "scope_unit": None, "deadline": None}
    assert (
        event.after is not None
        and event.after["value"] == "7.5"
        and event.after["scope_unit"] == orgunits["320723-Z01"].pk
    )
    services.update_item(item, actor=personas["fgw"], values={"value": Decimal("7.5")})
    assert len(events(item)) == 1  # nothing changed, nothing recorded
    target = target_of(services.accept_item(item, actor=personas["fgw"]))
    assert (target.value, target.level, target.org_unit.code) == (Decimal("7.5"), "stretch", "320723-Z01")
    assert target.deadline == dt.date(2025, 12, 31) and target.quote == item.quote


def test_accepting_checks_the_unit_against_the_indicator(document, personas, indicators) -> None:  # type: ignore[no-untyped-def]
    item = services.update_item(
        item_named(document, "实际利用外资"), actor=personas["fgw"], values={"unit": "亿美元"}
    )
    with pytest.raises(ValidationError) as exc:
        services.accept_item(item, actor=personas["fgw"])
    assert "单位不一致" in str(exc.value)
    assert ExtractedItem.objects.get(pk=item.pk).status == ItemStatus.PENDING and not Target.objects.exists()


def test_accepting_refuses_a_duplicate_target(document, personas) -> None:  # type: ignore[no-untyped-def]
    services.accept_item(item_named(document, "地区生产总值"), actor=personas["fgw"])
    again = services.upload_document(
        actor=personas["fgw"], plan=document.plan, raw_text=SAMPLE, filename="b.txt"
    )
    with pytest.raises(ValidationError, match="已有同一指标"):
        services.accept_item(item_named(again, "地区生产总值"), actor=personas["fgw"])


def test_a_deadline_outside_the_plan_year_is_refused(document, personas) -> None:  # type: ignore[no-untyped-def]
    item = services.update_item(
        item_named(document, "地区生产总值"), actor=personas["fgw"], values={"deadline": dt.date(2026, 3, 31)}
    )
    with pytest.raises(ValidationError, match="计划年度"):
        services.accept_item(item, actor=personas["fgw"])


def test_a_task_is_recorded_as_accepted(document, personas) -> None:  # type: ignore[no-untyped-def]
    item = document.items.get(kind="task")
    item = services.accept_item(item, actor=personas["tjj"])
    assert item.status == ItemStatus.ACCEPTED and item.target is None
    assert item.deadline == dt.date(2025, 6, 30)
    assert events(item)[-1].after == {"status": "accepted"}


def test_discard_and_restore(document, personas) -> None:  # type: ignore[no-untyped-def]
    item = services.discard_item(item_named(document, "实际利用外资"), actor=personas["fgw"])
    assert item.status == ItemStatus.DISCARDED
    with pytest.raises(ValidationError):
        services.accept_item(item, actor=personas["fgw"])
    with pytest.raises(ValidationError):
        services.update_item(item, actor=personas["fgw"], values={"value": Decimal(1)})
    item = services.restore_item(item, actor=personas["fgw"])
    assert item.status == ItemStatus.PENDING
    assert [e.after for e in events(item)] == [{"status": "discarded"}, {"status": "pending"}]


def test_an_accepted_item_is_final(document, personas) -> None:  # type: ignore[no-untyped-def]
    item = services.accept_item(item_named(document, "地区生产总值"), actor=personas["fgw"])
    for action in (services.accept_item, services.discard_item, services.restore_item):
        with pytest.raises(ValidationError):
            action(item, actor=personas["fgw"])


@pytest.mark.parametrize("persona", ["leader", "county", "lingang", "yishan", "dcs", "secadmin"])
def test_readers_and_units_cannot_decide(document, personas, persona) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    for action in (services.accept_item, services.discard_item):
        with pytest.raises(PermissionDenied):
            action(item, actor=personas[persona])
    with pytest.raises(PermissionDenied):
        services.update_item(item, actor=personas[persona], values={"value": Decimal(9)})
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(object_type="compiler.extracteditem").exists()


def test_a_reviewer_scoped_to_a_town_cannot_accept_a_county_target(document, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.models import Role
    from diaodu.accounts.scope import DataScope, Perm, forget_cached_scope

    role = Role.objects.create(
        code="town_reviewer",
        name="镇审核员",
        permissions=[Perm.VIEW_DATA, Perm.REVIEW_DATA],
        data_scope=DataScope.UNIT_AND_BELOW,
    )
    user = personas["yishan"]
    user.roles.set([role])
    forget_cached_scope(user)
    with pytest.raises(PermissionDenied):
        services.accept_item(item_named(document, "地区生产总值"), actor=user)


def test_a_county_reviewer_without_the_target_unit_is_refused(document, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.models import Role
    from diaodu.accounts.scope import DataScope, Perm, forget_cached_scope

    role = Role.objects.create(
        code="county_only", name="县本级审核员", permissions=[Perm.REVIEW_DATA], data_scope=DataScope.UNIT
    )
    user = personas["county"]
    user.roles.set([role])
    forget_cached_scope(user)
    services.accept_item(item_named(document, "地区生产总值"), actor=user)  # a county target: allowed
    with pytest.raises(PermissionDenied):  # a 临港产业区 target: outside the role's units
        services.accept_item(item_named(document, "签约投资过亿元重点产业项目"), actor=user)


def test_new_indicators_reuse_an_existing_name(document, personas) -> None:  # type: ignore[no-untyped-def]
    existing = Indicator.objects.create(code="revenue", name="一般公共预算收入", unit="%", measure="growth")
    item = services.accept_item(item_named(document, "一般公共预算收入"), actor=personas["fgw"])
    assert target_of(item).indicator == existing
