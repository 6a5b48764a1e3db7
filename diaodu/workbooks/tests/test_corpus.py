"""Every malformed file of the corpus gets its located Chinese errors, and the database is unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import World
from diaodu.plans.models import Actual
from diaodu.projects.models import MonthlyReport, Project
from diaodu.projects.services import create_project
from diaodu.workbooks.importers import importer_class
from diaodu.workbooks.read import Limits
from diaodu.workbooks.tests.corpus import CASES, Case


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def _state() -> tuple[Any, ...]:
    return (
        tuple(
            Actual.objects.order_by("pk").values_list(
                "pk", "ytd_value", "growth_pct", "base_value", "note", "status", "version"
            )
        ),
        tuple(
            Project.objects.order_by("pk").values_list(
                "pk", "name", "code", "total_investment_wan", "version"
            )
        ),
        tuple(MonthlyReport.objects.order_by("pk").values_list("pk", "ytd_wan", "version")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(world: World, case: Case) -> None:
    if case.kind != "actuals":
        create_project(
            actor=world.users["yishan"],
            org_unit=world.yishan,
            name="伊山镇新材料产业园项目",
            code="2306-320723-89-02-799920",
            total_investment_wan=Decimal(200000),
        )
    limits = Limits(
        max_bytes=case.settings.get("DIAODU_IMPORT_MAX_BYTES", Limits.max_bytes),
        max_rows=case.settings.get("DIAODU_IMPORT_MAX_ROWS", Limits.max_rows),
    )
    before = _state()
    cls = importer_class(case.kind)
    assert cls is not None
    plan = cls(world.users[case.user], limits=limits, **case.options).run(
        case.build(), case.filename, dry_run=case.accepted
    )
    found = [(p.row, p.column, p.message) for p in plan.problems]
    if case.accepted:
        assert found == [] and plan.rows_valid == 1, found
    elif case.file_error:
        assert len(found) == 1 and case.file_error in found[0][2], found
    else:
        assert len(found) == len(case.located), found
        for (row, column, fragment), (got_row, got_column, message) in zip(case.located, found, strict=True):
            assert (got_row, got_column) == (row, column), found
            assert fragment in message, found
    assert not plan.committed
    assert _state() == before
