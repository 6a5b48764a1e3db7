"""Writes through the services: validation, workflow, scope and the audit rows they leave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from diaodu.accounts.scope import get_for_user
from diaodu.audit.models import AuditEvent
from diaodu.projects import domain, services
from diaodu.projects.models import ApprovalStatus, MonthlyReport, Project, StageEvent

from .conftest import P01, YANGJI

pytestmark = pytest.mark.django_db
SEPT = dt.date(2025, 9, 30)


def audit_for(obj: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_it_validates_identifiers(make_project) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        make_project(
            code="2313-320924-89-02-799920", investor_credit_code="91350100M000100Y44", industry_code="26"
        )
    assert set(exc.value.message_dict) == {"code", "investor_credit_code", "industry_code"}
    p = make_project(code="2306-320924-89-02-799920", investor_credit_code="91350100M000100Y43")
    assert audit_for(p) == ["create"]
    with pytest.raises(ValidationError):
        make_project(name="另一个", code="2306-320924-89-02-799920")
    make_project(name="无代码一")
    make_project(name="无代码二")  # blank codes are not unique


def test_stage_events_are_dated_and_audited(make_project, personas) -> None:  # type: ignore[no-untyped-def]
    p = make_project(total="400")
    services.record_stage(
        p, actor=personas["yishan"], stage=domain.Stage.SIGNED, on=dt.date(2025, 2, 1), note="签约合同扫描件"
    )
    services.record_stage(p, actor=personas["yishan"], stage=domain.Stage.STARTED, on=dt.date(2025, 3, 1))
    with pytest.raises(services.WorkflowError, match="不足500万元"):
        services.record_stage(
            p, actor=personas["yishan"], stage=domain.Stage.IN_STATS, on=dt.date(2025, 4, 1)
        )
    p.refresh_from_db()
    assert (p.stage, p.stage_on) == ("started", dt.date(2025, 3, 1))
    events = list(StageEvent.objects.filter(project=p).values_list("from_stage", "stage", "note"))
    assert events == [("negotiating", "signed", "签约合同扫描件"), ("signed", "started", "")]
    project_audit = AuditEvent.objects.filter(
        object_type="projects.project", object_id=str(p.pk), action="update"
    )
    assert [(e.after or {})["stage"] for e in project_audit.order_by("id")] == ["signed", "started"]


def test_town_officer_cannot_touch_another_towns_project(make_project, personas) -> None:  # type: ignore[no-untyped-def]
    p = make_project()
    other = make_project(unit=YANGJI, officer="yangji", name="杨集项目（测试）")
    with pytest.raises(PermissionDenied):
        services.record_stage(
            other, actor=personas["yishan"], stage=domain.Stage.SIGNED, on=dt.date(2025, 2, 1)
        )
    with pytest.raises(PermissionDenied):
        services.update_project(other, actor=personas["yishan"], name="改名")
    with pytest.raises(Http404):
        get_for_user(Project.objects.all(), personas["yishan"], other.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(Project.objects.all(), personas["leader"], p.pk, perm=services.projects.Perm.ENTER_DATA)
    assert set(Project.objects.visible_to(personas["yishan"])) == {p}
    assert set(Project.objects.visible_to(personas["leader"])) == {p, other}
    assert not Project.objects.visible_to(personas["secadmin"]).exists()


def test_only_a_reviewer_puts_a_project_on_the_key_list(make_project, personas) -> None:  # type: ignore[no-untyped-def]
    p = make_project()
    services.set_project_year(p, actor=personas["yishan"], year=2025, planned_investment_wan=D(9_000))
    with pytest.raises(PermissionDenied):
        services.set_project_year(p, actor=personas["yishan"], year=2025, is_key=True, key_level="county")
    row = services.set_project_year(p, actor=personas["fgw"], year=2025, is_key=True, key_level="county")
    assert audit_for(row) == ["create", "update"]


def test_prereview_fail_blocks_signing_until_override(make_project, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    ruleset = services.save_ruleset(
        actor=personas["sysadmin"],
        org_unit=orgunits[P01],
        name="化工园区项目准入",
        rules=[
            services.RuleInput("min_intensity", "投资强度", D(420)),
            services.RuleInput("min_tax_per_mu", "亩均税收", D(20)),
        ],
    )
    with pytest.raises(PermissionDenied):
        services.save_ruleset(actor=personas["fgw"], org_unit=orgunits[P01], name="x", rules=[])
    v2 = services.save_ruleset(
        actor=personas["sysadmin"],
        org_unit=orgunits[P01],
        name="化工园区项目准入",
        rules=[
            services.RuleInput("min_intensity", "投资强度", D(420)),
            services.RuleInput("min_tax_per_mu", "亩均税收", D(20)),
        ],
    )
    ruleset.refresh_from_db()
    assert (v2.version, ruleset.is_active, v2.is_active) == (2, False, True)

    p = make_project(
        unit=P01,
        officer="lingang",
        name="化工项目（测试）",
        total="41999",
        land_area_mu=D(100),
        expected_tax_wan=D(2500),
    )
    assert services.applicable_ruleset(p) == v2
    review = services.run_prereview(p, actor=personas["lingang"])
    assert review.outcome == "fail" and review.results[0]["explanation"].startswith("投资强度419.99万元/亩")
    with pytest.raises(services.WorkflowError, match="预审"):
        services.record_signing(p, actor=personas["lingang"], on=dt.date(2025, 5, 1), amount_wan=D(41_999))
    with pytest.raises(PermissionDenied):
        services.override_prereview(review, actor=personas["lingang"], reason="我们自己放行")
    with pytest.raises(ValidationError):
        services.override_prereview(review, actor=personas["fgw"], reason=" ")
    services.override_prereview(review, actor=personas["fgw"], reason="补链关键环节，联席会议同意")
    assert audit_for(review) == ["create", "approve"]
    services.record_signing(p, actor=personas["lingang"], on=dt.date(2025, 5, 1), amount_wan=D(41_999))
    p.refresh_from_db()
    assert p.stage == "signed"
    # a new failed pre-review blocks again
    services.run_prereview(p, actor=personas["lingang"])
    with pytest.raises(services.WorkflowError):
        services.record_signing(
            p,
            actor=personas["lingang"],
            on=dt.date(2025, 6, 1),
            amount_wan=D(10_000),
            kind=domain.SigningKind.CAPITAL_INCREASE,
        )


def test_approvals_missing_documents_and_termination(started_project, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.projects.demo import _approval_template

    _approval_template(orgunits)
    items = {i.key: i for i in services.apply_approval_template(started_project, actor=personas["yishan"])}
    assert {i.stage for i in items.values()} == {s.value for s in domain.ApprovalStage}
    assert items["eia"].is_parallel
    docs = services.accept_with_missing_documents(
        items["eia"],
        actor=personas["yishan"],
        documents=[("公众参与说明", dt.date(2025, 9, 10)), ("排污许可材料", dt.date(2025, 9, 26))],
    )
    services.supply_document(docs[0], actor=personas["yishan"], on=dt.date(2025, 9, 9))
    assert services.terminate_overdue_cases(actor=personas["yishan"], today=dt.date(2025, 9, 26)) == []
    ended = services.terminate_overdue_cases(actor=personas["yishan"], today=dt.date(2025, 9, 29))
    assert [i.pk for i in ended] == [items["eia"].pk]
    items["eia"].refresh_from_db()
    assert items["eia"].status == ApprovalStatus.TERMINATED
    with pytest.raises(services.WorkflowError):
        services.supply_document(docs[1], actor=personas["yishan"], on=dt.date(2025, 9, 30))
    assert audit_for(items["eia"]) == ["update", "update"]


def test_report_workflow_with_audit(started_project, personas) -> None:  # type: ignore[no-untyped-def]
    officer, fgw, tjj = personas["yishan"], personas["fgw"], personas["tjj"]
    jan = services.save_report(
        actor=officer, project=started_project, year=2025, month=1, ytd_wan=D(800), today=SEPT
    )
    feb = services.save_report(
        actor=officer,
        project=started_project,
        year=2025,
        month=2,
        ytd_wan=D(1_700),
        progress="主体结构施工",
        today=SEPT,
        blockers=[services.BlockerInput("施工用电未接入", "utilities")],
    )
    assert (feb.month_wan, feb.blockers.get().status) == (D(900), "open")
    with pytest.raises(ValidationError) as exc:
        services.save_report(
            actor=officer, project=started_project, year=2025, month=3, ytd_wan=D(1_600), today=SEPT
        )
    assert "ytd_wan" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.save_report(
            actor=officer, project=started_project, year=2025, month=10, ytd_wan=D(2_000), today=SEPT
        )
    with pytest.raises(ValidationError) as exc:
        services.save_report(
            actor=officer, project=started_project, year=2025, month=3, ytd_wan=D(91_700), today=SEPT
        )
    assert "ytd_wan" in exc.value.message_dict  # above the project's total
    with pytest.raises(ValidationError) as exc:
        services.save_report(
            actor=officer, project=started_project, year=2025, month=3, ytd_wan=D(10_700), today=SEPT
        )
    assert "confirm_note" in exc.value.message_dict  # 9000 after 900: a tenfold jump
    with pytest.raises(PermissionDenied):
        services.save_report(
            actor=personas["yangji"],
            project=started_project,
            year=2025,
            month=3,
            ytd_wan=D(2_000),
            today=SEPT,
        )

    # January corrected: February's own figure follows
    services.save_report(
        actor=officer, project=started_project, year=2025, month=1, ytd_wan=D(700), today=SEPT
    )
    feb.refresh_from_db()
    assert feb.month_wan == D(1_000)

    feb = services.submit_report(feb, actor=officer)
    with pytest.raises(services.WorkflowError):
        services.save_report(
            actor=officer, project=started_project, year=2025, month=2, ytd_wan=D(1_800), today=SEPT
        )
    with pytest.raises(PermissionDenied):
        services.approve_report(feb, actor=officer)
    with pytest.raises(ValidationError):
        services.return_report(feb, actor=fgw, comment="")
    feb = services.return_report(feb, actor=fgw, comment="与现场不符")
    feb = services.save_report(
        actor=officer, project=started_project, year=2025, month=2, ytd_wan=D(1_600), today=SEPT
    )
    feb = services.submit_report(feb, actor=officer)
    feb = services.approve_report(feb, actor=tjj)
    assert services.lock_period(actor=fgw, year=2025, month=2) == 1
    feb.refresh_from_db()
    assert feb.status == "locked"
    with pytest.raises(ValidationError):
        services.reopen_report(feb, actor=fgw, reason="")
    feb = services.reopen_report(feb, actor=fgw, reason="统计局核减")
    assert feb.status == "returned"
    # created, re-derived after January's correction, submitted, returned, corrected, resubmitted, approved,
    # locked at period close, reopened
    assert audit_for(feb) == [
        "create",
        "update",
        "submit",
        "return",
        "update",
        "submit",
        "approve",
        "update",
        "reopen",
    ]
    reopen = AuditEvent.objects.filter(object_type="projects.monthlyreport", object_id=str(feb.pk)).latest(
        "id"
    )
    assert (reopen.before, reopen.after, reopen.reason) == (
        {"status": "locked", "review_comment": ""},
        {"status": "returned", "review_comment": "统计局核减"},
        "统计局核减",
    )
    assert audit_for(jan) == ["create", "update"]
    assert MonthlyReport.objects.visible_to(personas["yangji"]).count() == 0


def test_signing_counting_through_services(started_project, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.record_signing(
            started_project, actor=personas["yishan"], on=dt.date(2099, 1, 1), amount_wan=D(1)
        )
    services.record_signing(
        started_project,
        actor=personas["yishan"],
        on=dt.date(2025, 4, 1),
        amount_wan=D(20_000),
        kind=domain.SigningKind.INVESTOR_CHANGE,
        investor_name="新投资方",
        investor_credit_code="91350100M000100Y43",
    )
    started_project.refresh_from_db()
    assert started_project.investor_name == "新投资方"
    assert started_project.signings.count() == 2
