"""Last year's series read with this year's (the cockpit's table and its cards' forecasts in the same statements)
against the separate reads they replace."""

from __future__ import annotations

import pytest

from diaodu.cockpit import board, overview
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.evaluation import computed_of, evaluate_targets, load_series, load_series_years
from diaodu.plans.models import Target
from diaodu.plans.periods import Period
from diaodu.reviews.forecast import forecast_targets
from diaodu.scale.bench import cockpit

pytestmark = pytest.mark.django_db


def _keys(targets: list[Target]) -> set[tuple[int, int]]:
    keys = {(t.indicator_id, t.org_unit_id) for t in targets}
    return keys | {(t.relative_to_id, t.org_unit_id) for t in targets if t.relative_to_id}


@pytest.mark.parametrize("month", [12, 7])
def test_two_years_in_one_read_are_the_two_reads(tiny, month) -> None:  # type: ignore[no-untyped-def]
    units = list(OrgUnit.objects.filter(code__startswith="TST"))
    targets = list(
        Target.objects.filter(year=2025, org_unit__in=units).select_related("indicator", "relative_to")
    )
    keys, computed = _keys(targets), computed_of(targets)
    assert computed, "some indicators come from the project rollups"
    both = load_series_years(keys, [(2025, month), (2024, 12)], computed=computed)
    this_year = load_series(keys, year=2025, as_of_month=month, computed=computed)
    before = load_series(keys, year=2024, as_of_month=12, computed=computed)
    assert both == {2025: this_year, 2024: before}
    # the data has both years, entered and computed: the comparison means something
    assert any(o.month == 12 for s in before.values() for o in s)
    assert all(o.month <= month for s in this_year.values() for o in s) and any(this_year.values())
    assert any(s for k, s in before.items() if k[0] in computed)
    assert any(s for k, s in before.items() if k[0] not in computed)


def test_the_cards_forecast_from_the_series_the_table_read(tiny) -> None:  # type: ignore[no-untyped-def]
    compared = 0
    for scale in ("county", "city", "province"):
        for subject in cockpit.subjects(scale, "TST"):
            user = cockpit._session_user(subject.user_id)
            period = Period(2025, 12)
            table = board.build_board(user, subject.unit, period, include_below=False, with_last_year=True)
            assert table.last_year is not None
            plain = board.build_board(user, subject.unit, period, include_below=False)
            assert plain.last_year is None
            assert [r.evaluation for r in table.results] == [r.evaluation for r in plain.results]
            cards, warned = overview.build_cards(
                user, subject.unit, period, table.own_results(), table.last_year
            )
            old_cards, old_warned = overview.build_cards(user, subject.unit, period, plain.own_results())
            assert warned == old_warned
            assert [c.forecast for c in cards] == [c.forecast for c in old_cards]
            targets = [r.target for r in table.own_results()]
            new = forecast_targets(targets, year=2025, month=12, last_series=table.last_year)
            old = forecast_targets(targets, year=2025, month=12)
            assert new == old
            compared += sum(1 for f in old if f.last_year_full is not None)
    assert compared > 0, "some forecasts use last year's full year"


def test_evaluate_targets_fills_last_year(tiny) -> None:  # type: ignore[no-untyped-def]
    targets = list(
        Target.objects.filter(year=2025, org_unit__code__startswith="TST").select_related(
            "indicator", "relative_to", "org_unit", "plan"
        )
    )
    last_year: dict[tuple[int, int], list[object]] = {}
    results = evaluate_targets(targets, year=2025, as_of_month=9, last_year=last_year)  # type: ignore[arg-type]
    assert results == evaluate_targets(targets, year=2025, as_of_month=9)
    assert last_year == load_series(_keys(targets), year=2024, as_of_month=12, computed=computed_of(targets))
