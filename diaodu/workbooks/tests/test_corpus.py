"""Every malformed file of the corpus gets its located Chinese errors, and the database is unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import World
from diaodu.plans.models import Actual
from diaodu.workbooks.importers.actuals import ActualsImporter
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
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(world: World, case: Case) -> None:
    limits = Limits(
        max_bytes=case.settings.get("DIAODU_IMPORT_MAX_BYTES", Limits.max_bytes),
        max_rows=case.settings.get("DIAODU_IMPORT_MAX_ROWS", Limits.max_rows),
    )
    before = _state()
    importer = ActualsImporter(world.users[case.user], limits=limits, **case.options)
    plan = importer.run(case.build(), case.filename, dry_run=case.accepted)
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
