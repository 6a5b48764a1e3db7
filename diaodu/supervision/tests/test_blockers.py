"""An item from a project blocker (monthly dispatch report): assigned to the responsible department, closed,
and the blocker follows (routed → resolved)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from diaodu.audit.models import AuditEvent
from diaodu.projects import domain as project_domain
from diaodu.projects import services as project_services
from diaodu.supervision import services
from diaodu.supervision.models import SourceType
from diaodu.supervision.tests.conftest import YISHAN, ZIRAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocker(personas, units):  # type: ignore[no-untyped-def]
    officer = personas["yishan"]
    project = project_services.create_project(
        actor=officer,
        org_unit=units[YISHAN],
        name="伊山智能装备产业园项目",
        total_investment_wan=Decimal(50_000),
    )
    project_services.record_signing(
        project, actor=officer, on=dt.date(2024, 11, 1), amount_wan=Decimal(50_000)
    )
    project_services.record_stage(
        project, actor=officer, stage=project_domain.Stage.STARTED, on=dt.date(2025, 1, 10)
    )
    report = project_services.save_report(
        actor=officer,
        project=project,
        year=2025,
        month=2,
        ytd_wan=Decimal(900),
        today=dt.date(2025, 3, 5),
        blockers=[project_services.BlockerInput("二期用地指标未落实", "land", department=units[ZIRAN])],
    )
    return report.blockers.get()


def test_a_blocker_is_supervised_to_the_responsible_department(personas, units, blocker) -> None:  # type: ignore[no-untyped-def]
    item = services.supervise_blocker(
        blocker, actor=personas["dcs"], deadline=dt.date(2025, 4, 30), today=dt.date(2025, 3, 6)
    )
    assert (item.source_type, item.source_id, item.blocker) == (SourceType.BLOCKER, str(blocker.pk), blocker)
    assert item.lead_unit == units[ZIRAN] and list(item.co_units.all()) == [units[YISHAN]]
    assert item.title == "伊山智能装备产业园项目：二期用地指标未落实"
    blocker.refresh_from_db()
    assert blocker.status == "routed"

    officer = personas["county"]  # the county officer acts for the departments
    item = services.sign_item(item, actor=officer, today=dt.date(2025, 3, 7))
    item = services.reply_item(item, actor=officer, text="已纳入二季度用地报批批次")
    item = services.request_closure(item, actor=officer, text="用地指标已下达", today=dt.date(2025, 4, 25))
    item = services.verify_item(item, actor=personas["dcs"])
    services.close_item(item, actor=personas["dcs"], today=dt.date(2025, 4, 28))
    blocker.refresh_from_db()
    assert blocker.status == "resolved"
    audit = AuditEvent.objects.filter(object_type="projects.blocker").order_by("pk")
    assert [e.after for e in audit if e.after and "status" in e.after][-2:] == [
        {"status": "routed"},
        {"status": "resolved"},
    ]


def test_a_blocker_without_department_needs_a_lead(personas, blocker) -> None:  # type: ignore[no-untyped-def]
    blocker.department = None
    blocker.save(update_fields=["department"])
    with pytest.raises(services.ValidationError):
        services.supervise_blocker(
            blocker, actor=personas["dcs"], deadline=dt.date(2025, 4, 30), today=dt.date(2025, 3, 6)
        )
    with pytest.raises(services.PermissionDenied):
        services.supervise_blocker(blocker, actor=personas["lingang"], deadline=dt.date(2025, 4, 30))
