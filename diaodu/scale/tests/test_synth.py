from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from diaodu.accounts.models import User
from diaodu.accounts.scope import READ_PERMS, unit_scope
from diaodu.audit.models import AuditEvent
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans.models import Actual, Plan, Target
from diaodu.projects.models import MonthlyReport, Project, StageEvent
from diaodu.scale.synth import MARK, SynthError, SynthSpec, synthesize
from diaodu.scale.tests.conftest import TINY


def test_periods_end_with_december_of_the_end_year() -> None:
    spec = SynthSpec(months=14, end_year=2025)
    assert spec.periods[0] == (2024, 11) and spec.periods[-1] == (2025, 12) and len(spec.periods) == 14
    assert spec.years == [2024, 2025]


def test_it_writes_a_marked_province_with_materialised_paths(tiny) -> None:  # type: ignore[no-untyped-def]
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="TST")}
    assert len(units) == 1 + 1 + 2 + 2 * 4  # province, one city, two counties, four units each
    for unit in units.values():
        assert unit.name.endswith(MARK)
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.pk}/"
    assert units["TST"].kind == OrgUnitKind.PROVINCE
    assert all(p.title.endswith(MARK) for p in Plan.objects.filter(org_unit__code__startswith="TST"))
    assert Project.objects.filter(name__endswith=MARK).count() == 24
    assert tiny.rows["projects.Project"] == 24
    assert tiny.total == sum(tiny.rows.values()) > 0
    assert Actual.objects.count() == tiny.rows["plans.Actual"]
    assert MonthlyReport.objects.count() == tiny.rows["projects.MonthlyReport"]
    assert StageEvent.objects.count() == tiny.rows["projects.StageEvent"]
    assert Target.objects.count() == tiny.rows["plans.Target"]


def test_it_writes_one_audit_event_for_the_whole_run(tiny) -> None:  # type: ignore[no-untyped-def]
    events = AuditEvent.objects.filter(object_type="scale.synth")
    assert events.count() == 1 == AuditEvent.objects.count()
    after = events.get().after
    assert after is not None and after["total_rows"] == tiny.total


def test_leaders_see_their_region_only(tiny) -> None:  # type: ignore[no-untyped-def]
    county = OrgUnit.objects.filter(code__startswith="TST", kind=OrgUnitKind.COUNTY).order_by("code").first()
    assert county is not None
    leader = User.objects.get(username=f"{county.code.lower()}-leader")
    scope = unit_scope(leader, READ_PERMS)
    assert scope.unit_ids == set(
        OrgUnit.objects.filter(path__startswith=county.path).values_list("pk", flat=True)
    )


def test_the_same_seed_gives_the_same_data(db) -> None:  # type: ignore[no-untyped-def]
    def fingerprint(prefix: str) -> list[tuple[str, str]]:
        synthesize(SynthSpec(**{**TINY.__dict__, "prefix": prefix}))
        return [
            (str(p.total_investment_wan), p.stage)
            for p in Project.objects.filter(org_unit__code__startswith=prefix).order_by("pk")
        ]

    assert fingerprint("AAA") == fingerprint("BBB")


def test_it_refuses_to_write_twice_with_one_prefix(tiny) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SynthError):
        synthesize(TINY)


def test_the_command_prints_rows_and_rate(db) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "synth",
        "--counties",
        "1",
        "--units-per-county",
        "3",
        "--projects-per-county",
        "4",
        "--months",
        "3",
        "--prefix",
        "CMD",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["total_rows"] > 0 and result["rows_per_second"] > 0
    assert result["rows"]["orgunits.OrgUnit"] == 1 + 1 + 1 + 3
