"""Ranking a peer group from approved actuals, peers' published figures, and ``diaodu rank``."""

from __future__ import annotations

import json
from decimal import Decimal as D
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from diaodu.audit.models import AuditEvent
from diaodu.plans.models import Actual, ActualStatus, Direction, Indicator, Measure
from diaodu.reviews import ranking
from diaodu.reviews.services import enter_peer_value

pytestmark = pytest.mark.django_db

GROUP = "lyg-counties"
PEERS = {"320703": "连云区", "320706": "海州区", "320707": "赣榆区", "320722": "东海县", "320724": "灌南县"}


@pytest.fixture
def output(orgunits, personas) -> Indicator:  # type: ignore[no-untyped-def]
    return Indicator.objects.create(
        code="gyzcz", name="规上工业总产值", unit="%", value_unit="亿元", measure=Measure.GROWTH
    )


def peer(
    personas: dict[str, Any], orgunits: dict[str, Any], ind: Indicator, code: str, month: int, g: str
) -> Actual:
    return enter_peer_value(
        actor=personas["tjj"],
        indicator=ind,
        org_unit=orgunits[code],
        year=2025,
        month=month,
        growth_pct=D(g),
        note="连云港市统计局月报",
    )


def county(
    orgunits: dict[str, Any], ind: Indicator, month: int, g: str, status: str = ActualStatus.APPROVED
) -> None:
    Actual.objects.create(
        indicator=ind, org_unit=orgunits["320723"], year=2025, month=month, growth_pct=D(g), status=status
    )


@pytest.fixture
def september(personas, orgunits, output) -> None:  # type: ignore[no-untyped-def]
    for code, (aug, sep) in {
        "320703": ("9.0", "8.0"),
        "320706": ("12.5", "12.5"),
        "320707": ("15.0", "16.1"),
        "320722": ("20.3", "19.4"),
        "320724": ("11.0", "18.2"),
    }.items():
        peer(personas, orgunits, output, code, 8, aug)
        peer(personas, orgunits, output, code, 9, sep)
    county(orgunits, output, 8, "17.0")
    county(orgunits, output, 9, "18.2")


def test_it_ranks_the_group_with_ties_and_changes(september) -> None:  # type: ignore[no-untyped-def]
    r = ranking.rank_group(GROUP, "规上工业总产值", year=2025, month=9)
    assert r.basis == "growth" and r.value_unit == "%"
    rows = [(e.org_unit.short_name, e.value, e.rank, e.tied, e.change) for e in r.entries]
    assert rows == [
        ("东海", D("19.4"), 1, False, 0),
        ("灌云", D("18.2"), 2, True, 0),
        ("灌南", D("18.2"), 2, True, 3),  # 5th in August
        ("赣榆", D("16.1"), 4, False, -1),
        ("海州", D("12.5"), 5, False, -1),
        ("连云", D("8.0"), 6, False, 0),
    ]
    assert [e.org_unit.short_name for e in r.bottom(2)] == ["连云", "海州"]
    assert r.entry_for("320723").from_bottom == 4  # type: ignore[union-attr]
    assert ranking.position_of("320723", "gyzcz", year=2025, month=9).rank == 2  # type: ignore[union-attr]


def test_it_uses_approved_figures_of_exactly_that_month(personas, orgunits, output) -> None:  # type: ignore[no-untyped-def]
    peer(personas, orgunits, output, "320722", 8, "10")  # August only: unranked in September
    county(orgunits, output, 9, "5.0", status=ActualStatus.SUBMITTED)  # not approved: unranked
    peer(personas, orgunits, output, "320724", 9, "3")
    r = ranking.rank_group(GROUP, output, year=2025, month=9)
    assert [(e.org_unit.code, e.rank) for e in r.entries if e.rank] == [("320724", 1)]
    assert r.ranked_count == 1 and r.entry_for("320722").value is None  # type: ignore[union-attr]


def test_it_ranks_values_and_lower_is_better(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    stock = Indicator.objects.create(
        code="qhzq", name="商品房去化周期", unit="个月", measure=Measure.DURATION, direction=Direction.LOWER
    )
    for code, v in (("320722", "20"), ("320724", "14"), ("320703", "30")):
        enter_peer_value(
            actor=personas["tjj"],
            indicator=stock,
            org_unit=orgunits[code],
            year=2025,
            month=9,
            ytd_value=D(v),
        )
    r = ranking.rank_group(GROUP, stock, year=2025, month=9)
    assert r.basis == "value" and not r.higher_is_better
    assert [(e.org_unit.code, e.rank) for e in r.entries][:3] == [("320724", 1), ("320722", 2), ("320703", 3)]
    assert r.entries[0].change is None  # nothing in August


def test_values_are_visible_only_within_the_callers_scope(september, personas) -> None:  # type: ignore[no-untyped-def]
    leader = ranking.rank_group(GROUP, "gyzcz", year=2025, month=9, user=personas["leader"])
    assert all(e.visible for e in leader.entries)
    town = ranking.rank_group(GROUP, "gyzcz", year=2025, month=9, user=personas["yishan"])
    assert not any(e.visible for e in town.entries)
    assert [e.rank for e in town.entries] == [
        e.rank for e in leader.entries
    ]  # the ranks themselves are published
    assert all(row["value"] is None for row in town.as_json()["entries"])


def test_weighted_ranking_explains_each_score(september, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    fai = Indicator.objects.create(code="gdzctz", name="固定资产投资", unit="%", measure=Measure.GROWTH)
    for code, g in (("320722", "2"), ("320724", "12")):
        peer(personas, orgunits, fai, code, 9, g)
    county(orgunits, fai, 9, "8")
    r = ranking.rank_group_weighted(GROUP, {"gyzcz": D(60), fai: D(40)}, year=2025, month=9)
    scores = {u.code: (e.score, e.rank) for u, e, _visible in r.entries}
    # 规上产值 scaled over 8.0..19.4; 固投 over 2..12. 灌南: 60%×(10.2/11.4×100) + 40%×100
    assert scores["320724"][1] == 1
    for _u, e, _v in r.entries:
        if e.score is not None:
            assert e.score == sum(p.contribution for p in e.parts)


def test_peer_values_are_entered_by_a_reviewer_as_published_figures(personas, orgunits, output) -> None:  # type: ignore[no-untyped-def]
    a = peer(personas, orgunits, output, "320722", 9, "19.4")
    assert a.status == ActualStatus.APPROVED and a.reviewed_by == personas["tjj"]
    assert (
        AuditEvent.objects.filter(object_id=str(a.pk), object_type="plans.actual", action="create").count()
        == 1
    )
    a = peer(personas, orgunits, output, "320722", 9, "19.6")  # revised
    assert a.growth_pct == D("19.6") and a.version == 2
    assert peer(personas, orgunits, output, "320722", 9, "19.6").version == 2  # unchanged: no write
    with pytest.raises(PermissionDenied):
        enter_peer_value(
            actor=personas["yishan"],
            indicator=output,
            org_unit=orgunits["320722"],
            year=2025,
            month=9,
            growth_pct=D(1),
        )
    with pytest.raises(ValidationError):  # internal units go through entry and review
        enter_peer_value(
            actor=personas["tjj"],
            indicator=output,
            org_unit=orgunits["320723-T02"],
            year=2025,
            month=9,
            growth_pct=D(1),
        )
    with pytest.raises(ValidationError):  # a growth indicator needs the published growth
        enter_peer_value(
            actor=personas["tjj"],
            indicator=output,
            org_unit=orgunits["320722"],
            year=2025,
            month=9,
            ytd_value=D(100),
        )


def test_the_rank_command_prints_json(september) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "rank", "--group", GROUP, "--indicator", "规上工业总产值", "--month", "2025-09", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["group"] == GROUP and data["indicator"] == "规上工业总产值" and data["month"] == "2025-09"
    assert data["entries"][1] == {
        "org_unit": "灌云县",
        "org_unit_code": "320723",
        "value": "18.2",
        "rank": 2,
        "tied": True,
        "change": 0,
    }
    text = StringIO()
    call_command("rank", "--group", GROUP, "--indicator", "gyzcz", "--month", "2025-09", stdout=text)
    assert "第2位（并列）" in text.getvalue() and "↑3" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("rank", "--group", "nope", "--indicator", "gyzcz", "--month", "2025-09")
    with pytest.raises(CommandError):
        call_command("rank", "--group", GROUP, "--indicator", "gyzcz", "--month", "2025-13")
