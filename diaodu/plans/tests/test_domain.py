"""Tests for the pure target evaluation rules (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diaodu.plans.domain import (
    Accumulation,
    Band,
    Comparator,
    Direction,
    Evaluation,
    Measure,
    Observation,
    Status,
    TargetSpec,
    compare,
    evaluate,
    format_points,
    growth_pct,
    observed_growth,
    points_ahead,
    progress_band,
    round1,
    schedule_pct,
)

G, Y, R = Status.GREEN, Status.YELLOW, Status.RED


def growth_spec(value: str, comparator: Comparator = Comparator.GE) -> TargetSpec:
    return TargetSpec(D(value), comparator, Measure.GROWTH, Direction.HIGHER, Accumulation.YTD)


def ytd_spec(
    value: str,
    comparator: Comparator = Comparator.GE,
    *,
    deadline_month: int | None = None,
    approx_tolerance: D = D("0.5"),
) -> TargetSpec:
    return TargetSpec(
        D(value),
        comparator,
        Measure.ABSOLUTE,
        Direction.HIGHER,
        Accumulation.YTD,
        deadline_month,
        approx_tolerance,
    )


def series(*pairs: tuple[int, str | None]) -> list[Observation]:
    return [Observation(m, None if v is None else D(v)) for m, v in pairs]


def growths(*pairs: tuple[int, str]) -> list[Observation]:
    return [Observation(m, None, growth_pct=D(g)) for m, g in pairs]


# --------------------------------------------------------------------------- formulas


def test_it_computes_schedule_for_eight_months_at_full_precision() -> None:
    s = schedule_pct(8)
    assert s == D(800) / D(12)
    assert round1(s) == D("66.7")


def test_it_computes_schedule_to_a_deadline() -> None:
    assert schedule_pct(2, 3) == D(200) / D(3)
    assert schedule_pct(3, 3) == D(100)


def test_schedule_rejects_non_positive_total() -> None:
    with pytest.raises(ValueError):
        schedule_pct(1, 0)


def test_domain_worked_example_92_6_after_8_months_is_plus_25_9() -> None:
    ahead = points_ahead(D("92.6"), schedule_pct(8))
    assert format_points(ahead) == "+25.9"
    ev = evaluate(ytd_spec("100"), series((8, "92.6")), 8)
    assert ev.completion_pct == D("92.6")
    assert ev.schedule_pct is not None and round1(ev.schedule_pct) == D("66.7")
    assert ev.points_ahead is not None and format_points(ev.points_ahead) == "+25.9"
    assert ev.status is G and ev.met is True


def test_it_computes_growth_from_base() -> None:
    assert growth_pct(D(120), D(100)) == D(20)
    assert growth_pct(D(90), D(100)) == D(-10)


def test_growth_is_none_for_zero_missing_or_negative_base() -> None:
    assert growth_pct(D(120), D(0)) is None
    assert growth_pct(D(120), None) is None
    assert growth_pct(D(120), D(-5)) is None


def test_observed_growth_prefers_published_growth() -> None:
    obs = Observation(6, D(120), growth_pct=D("8.5"), base_value=D(100))
    assert observed_growth(obs) == D("8.5")
    assert observed_growth(Observation(6, D(120), base_value=D(100))) == D(20)
    assert observed_growth(Observation(6, D(120))) is None
    assert observed_growth(Observation(6, None, base_value=D(100))) is None


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (D("25.933"), "+25.9"),
        (D("-3"), "-3.0"),
        (D("0.05"), "+0.1"),
        (D("-0.05"), "-0.1"),
        (D("0.04"), "0.0"),
    ],
)
def test_format_points_is_signed_one_decimal_half_up(d: D, text: str) -> None:
    assert format_points(d) == text


def test_round1_is_half_up() -> None:
    assert round1(D("66.65")) == D("66.7")
    assert round1(D("-2.25")) == D("-2.3")


def test_compare_approx_is_one_sided_towards_the_good_direction() -> None:
    t, tol = D(7), D("0.5")
    assert compare(D("6.5"), Comparator.APPROX, t, Direction.HIGHER, tol, relative_tolerance=False)
    assert compare(D(9), Comparator.APPROX, t, Direction.HIGHER, tol, relative_tolerance=False)
    assert not compare(D("6.4"), Comparator.APPROX, t, Direction.HIGHER, tol, relative_tolerance=False)
    assert compare(D("7.5"), Comparator.APPROX, t, Direction.LOWER, tol, relative_tolerance=False)
    assert not compare(D("7.6"), Comparator.APPROX, t, Direction.LOWER, tol, relative_tolerance=False)


def test_compare_relative_tolerance_is_percent_of_target() -> None:
    # 0.5% of 1000 = 5
    assert compare(D(995), Comparator.APPROX, D(1000), Direction.HIGHER, D("0.5"), relative_tolerance=True)
    assert not compare(
        D(994), Comparator.APPROX, D(1000), Direction.HIGHER, D("0.5"), relative_tolerance=True
    )


def test_compare_exact_comparators() -> None:
    h, tol = Direction.HIGHER, D("0.5")
    assert compare(D(5), Comparator.GE, D(5), h, tol, relative_tolerance=False)
    assert not compare(D("4.99"), Comparator.GE, D(5), h, tol, relative_tolerance=False)
    assert compare(D(5), Comparator.LE, D(5), h, tol, relative_tolerance=False)
    assert not compare(D("5.01"), Comparator.LE, D(5), h, tol, relative_tolerance=False)
    assert compare(D("5.0"), Comparator.EQ, D(5), h, tol, relative_tolerance=False)
    assert not compare(D("5.1"), Comparator.EQ, D(5), h, tol, relative_tolerance=False)


@pytest.mark.parametrize(
    ("observed", "band"),
    [
        ("9.5", Band.ON_TRACK),  # exactly 95%
        ("12", Band.ON_TRACK),
        ("9.49", Band.ACCELERATE),
        ("6", Band.ACCELERATE),  # exactly 60%
        ("5.99", Band.LIMITED),
        ("0", Band.LIMITED),  # exactly 0%
        ("-0.01", Band.DETERIORATING),
    ],
)
def test_progress_band_boundaries(observed: str, band: Band) -> None:
    assert progress_band(D(observed), D(10)) == band
    assert progress_band(D(observed), D(10)) == band.value  # plain str comparison works too


def test_progress_band_with_non_positive_needed_growth() -> None:
    assert progress_band(D(1), D(0)) is Band.ON_TRACK
    assert progress_band(D(-1), D(0)) is Band.DETERIORATING
    assert progress_band(D(-2), D(-3)) is Band.ON_TRACK


# --------------------------------------------------------------------------- grey / data month


def test_no_data_is_grey_with_everything_none() -> None:
    ev = evaluate(growth_spec("7"), [], 6)
    assert ev == Evaluation(Status.GREY, None, None, None, None, None, None, None, False, ())


def test_unusable_observations_are_grey() -> None:
    # growth target: value without base or published growth is not usable
    assert evaluate(growth_spec("7"), series((3, "100")), 6).status is Status.GREY
    assert evaluate(ytd_spec("100"), series((3, None)), 6).status is Status.GREY


def test_data_after_as_of_month_is_ignored() -> None:
    data = growths((3, "6"), (6, "8"))
    ev = evaluate(growth_spec("7"), data, 5)
    assert ev.data_month == 3 and ev.actual == D(6) and ev.status is R
    assert ev.monthly == ((3, R),)
    assert evaluate(growth_spec("7"), data, 2).status is Status.GREY


def test_months_with_gaps_are_skipped_in_history() -> None:
    ev = evaluate(growth_spec("7"), growths((2, "8"), (5, "7.5"), (9, "7.1")), 12)
    assert ev.data_month == 9
    assert ev.monthly == ((2, G), (5, G), (9, G))


def test_latest_usable_month_is_used_when_latest_is_missing_its_figure() -> None:
    data = [*growths((4, "8")), Observation(5, D(100))]  # month 5 has no growth
    ev = evaluate(growth_spec("7"), data, 5)
    assert ev.data_month == 4 and ev.actual == D(8)


def test_unsorted_series_are_handled() -> None:
    ev = evaluate(growth_spec("7"), growths((5, "8"), (1, "6")), 12)
    assert ev.data_month == 5
    assert ev.monthly == ((1, Y), (5, G))


# --------------------------------------------------------------------------- growth targets


def test_growth_target_met_from_base() -> None:
    ev = evaluate(growth_spec("15"), [Observation(6, D(120), base_value=D(100))], 6)
    assert ev.actual == D(20) and ev.target == D(15) and ev.status is G
    assert ev.completion_pct is None and ev.schedule_pct is None and ev.points_ahead is None


def test_growth_target_zero_base_is_grey() -> None:
    ev = evaluate(growth_spec("15"), [Observation(6, D(120), base_value=D(0))], 6)
    assert ev.status is Status.GREY and ev.data_month is None


def test_growth_is_year_to_date_without_pro_rating() -> None:
    # 3% YTD growth in February against a 7% annual growth target is simply red.
    ev = evaluate(growth_spec("7"), growths((2, "3")), 2)
    assert ev.status is R and ev.met is False


def test_stretch_and_committed_targets_are_judged_separately() -> None:
    data = growths((6, "18.5"))
    committed = evaluate(growth_spec("15"), data, 6)
    stretch = evaluate(growth_spec("20"), data, 6)
    assert committed.status is G
    assert stretch.status is R
    assert committed.actual == stretch.actual == D("18.5")


def test_approx_growth_target() -> None:
    spec = growth_spec("7", Comparator.APPROX)
    assert evaluate(spec, growths((6, "6.5")), 6).status is G
    assert evaluate(spec, growths((6, "6.4")), 6).status is R


# --------------------------------------------------------------------------- relative targets


def relative_spec() -> TargetSpec:
    return TargetSpec(None, Comparator.APPROX, Measure.GROWTH, Direction.HIGHER, Accumulation.YTD)


def test_relative_target_within_tolerance_is_green() -> None:
    ev = evaluate(relative_spec(), growths((6, "6.8")), 6, reference_growth={6: D("7.0")})
    assert ev.status is G and ev.target == D("7.0") and ev.actual == D("6.8")


def test_relative_target_ahead_is_green_and_behind_tolerance_is_red() -> None:
    assert evaluate(relative_spec(), growths((6, "9")), 6, reference_growth={6: D(7)}).status is G
    assert evaluate(relative_spec(), growths((6, "6.2")), 6, reference_growth={6: D(7)}).status is R


def test_relative_target_missing_reference_is_grey() -> None:
    ev = evaluate(relative_spec(), growths((6, "6.8")), 6, reference_growth={3: D(7)})
    assert ev.status is Status.GREY and ev.met is None and ev.target is None
    assert ev.data_month == 6 and ev.actual == D("6.8")
    assert evaluate(relative_spec(), growths((6, "6.8")), 6).status is Status.GREY


def test_relative_target_uses_reference_of_each_month() -> None:
    ev = evaluate(relative_spec(), growths((3, "6"), (6, "6.8")), 6, reference_growth={3: D(7), 6: D(7)})
    assert ev.monthly == ((3, Y), (6, G)) and ev.status is G and not ev.made_up


# --------------------------------------------------------------------------- cumulative (ytd) targets


def test_cumulative_count_behind_schedule_is_red() -> None:
    spec = TargetSpec(D(150), Comparator.GE, Measure.COUNT, Direction.HIGHER, Accumulation.YTD)
    ev = evaluate(spec, series((6, "60")), 6)
    assert ev.completion_pct == D(40)
    assert ev.schedule_pct == D(50)
    assert ev.points_ahead == D(-10)
    assert ev.status is R and ev.met is False


def test_cumulative_count_ahead_of_schedule_is_green() -> None:
    spec = TargetSpec(D(150), Comparator.GE, Measure.COUNT, Direction.HIGHER, Accumulation.YTD)
    ev = evaluate(spec, series((6, "90")), 6)
    assert ev.completion_pct == D(60) and ev.points_ahead == D(10) and ev.status is G


def test_cumulative_exactly_on_schedule_is_met_without_rounding_errors() -> None:
    # 100 of 150 after 8 months is exactly 2/3: on schedule.
    assert evaluate(ytd_spec("150"), series((8, "100")), 8).met is True
    assert evaluate(ytd_spec("150"), series((8, "99.99")), 8).met is False


def test_cumulative_cap_is_not_pro_rated() -> None:
    spec = TargetSpec(D(1000), Comparator.LE, Measure.ABSOLUTE, Direction.LOWER, Accumulation.YTD)
    ev = evaluate(spec, series((3, "800")), 3)  # 80% of the annual cap used after 3 months: still within it
    assert ev.status is G and ev.completion_pct == D(80) and ev.schedule_pct == D(25)
    assert evaluate(spec, series((11, "1001")), 11).status is R


def test_cumulative_equal_target_is_pro_rata_before_year_end_and_exact_at_it() -> None:
    spec = ytd_spec("120", Comparator.EQ)
    assert evaluate(spec, series((6, "60")), 6).status is G
    assert evaluate(spec, series((6, "59")), 6).status is R
    assert evaluate(spec, series((12, "120")), 12).status is G
    assert evaluate(spec, series((12, "121")), 12).monthly == ((12, R),)


def test_cumulative_approx_is_within_tolerance_percent_of_pro_rata_needed() -> None:
    spec = ytd_spec("1200", Comparator.APPROX, approx_tolerance=D(5))
    # needed after 6 months = 600; 5% of 600 = 30
    assert evaluate(spec, series((6, "570")), 6).status is G
    assert evaluate(spec, series((6, "569")), 6).status is R


def test_cumulative_target_with_deadline_uses_deadline_schedule() -> None:
    spec = ytd_spec("90", deadline_month=6)
    ev = evaluate(spec, series((3, "45")), 3)
    assert ev.schedule_pct == D(50) and ev.status is G
    late = evaluate(spec, series((8, "89")), 8)
    assert late.schedule_pct == D(100) and late.status is R


def test_zero_target_has_no_completion() -> None:
    ev = evaluate(ytd_spec("0"), series((6, "3")), 6)
    assert ev.completion_pct is None and ev.points_ahead is None and ev.status is G


# --------------------------------------------------------------------------- point-in-time targets


def test_lower_is_better_point_target() -> None:
    spec = TargetSpec(D(24), Comparator.LE, Measure.DURATION, Direction.LOWER, Accumulation.POINT)
    ok = evaluate(spec, series((6, "22")), 6)
    assert ok.status is G and ok.schedule_pct is None and ok.points_ahead is None
    assert ok.completion_pct is not None and round1(ok.completion_pct) == D("91.7")
    assert evaluate(spec, series((6, "26")), 6).status is R


def test_dated_q1_ratio_target_before_at_and_after_deadline() -> None:
    # 新建重点项目一季度开工80%以上
    spec = TargetSpec(
        D(80), Comparator.GE, Measure.RATIO, Direction.HIGHER, Accumulation.POINT, deadline_month=3
    )
    feb_ok = evaluate(spec, series((2, "55")), 2)  # needs 80 * 2/3 = 53.33
    assert feb_ok.status is G
    assert feb_ok.schedule_pct is not None and round1(feb_ok.schedule_pct) == D("66.7")
    assert evaluate(spec, series((2, "53")), 2).status is R
    assert evaluate(spec, series((3, "79")), 3).status is R
    assert evaluate(spec, series((3, "80")), 3).status is G
    after = evaluate(spec, series((5, "79.9")), 5)
    assert after.status is R and after.schedule_pct == D(100)


def test_dated_point_made_up_after_deadline() -> None:
    spec = TargetSpec(
        D(80), Comparator.GE, Measure.RATIO, Direction.HIGHER, Accumulation.POINT, deadline_month=3
    )
    ev = evaluate(spec, series((1, "30"), (2, "60"), (3, "70"), (4, "85")), 4)
    assert ev.monthly == ((1, G), (2, G), (3, Y), (4, Y))
    assert ev.status is Y and ev.made_up


def test_point_equal_target() -> None:
    spec = TargetSpec(D(100), Comparator.EQ, Measure.RATIO, Direction.HIGHER, Accumulation.POINT)
    assert evaluate(spec, series((12, "100")), 12).status is G
    assert evaluate(spec, series((12, "99.9")), 12).status is R


# --------------------------------------------------------------------------- lights


def test_made_up_month_turns_earlier_reds_yellow_and_itself_green() -> None:
    data = growths((1, "5"), (2, "5.5"), (3, "6"), (4, "7.2"))
    ev = evaluate(growth_spec("7"), data, 4)
    assert ev.status is G and ev.met is True and ev.made_up is False
    assert ev.monthly == ((1, Y), (2, Y), (3, Y), (4, G))


def test_before_making_up_the_reds_are_red() -> None:
    data = growths((1, "5"), (2, "5.5"), (3, "6"), (4, "7.2"))
    ev = evaluate(growth_spec("7"), data, 3)
    assert ev.status is R and not ev.made_up
    assert ev.monthly == ((1, R), (2, R), (3, R))


def test_a_monthly_target_is_green_again_after_making_up() -> None:
    data = growths((1, "5"), (2, "7.5"), (3, "8"))
    ev = evaluate(growth_spec("7"), data, 3)
    assert ev.monthly == ((1, Y), (2, G), (3, G)) and ev.status is G


def test_a_dated_target_missed_at_its_deadline_stays_yellow_once_made_up() -> None:
    spec = TargetSpec(
        D(80), Comparator.GE, Measure.RATIO, Direction.HIGHER, Accumulation.POINT, deadline_month=3
    )
    ev = evaluate(spec, series((3, "70"), (4, "85"), (5, "90")), 5)
    assert ev.monthly == ((3, Y), (4, Y), (5, Y)) and ev.status is Y and ev.made_up
    still_missed = evaluate(spec, series((3, "70"), (4, "75")), 4)
    assert still_missed.monthly == ((3, R), (4, R)) and still_missed.status is R


def test_red_then_still_red() -> None:
    ev = evaluate(growth_spec("7"), growths((1, "5"), (2, "6")), 2)
    assert ev.status is R and ev.monthly == ((1, R), (2, R)) and not ev.made_up


def test_green_then_red_then_made_up() -> None:
    data = growths((1, "8"), (2, "6"), (3, "7"))
    assert evaluate(growth_spec("7"), data, 2).monthly == ((1, G), (2, R))
    ev = evaluate(growth_spec("7"), data, 3)
    assert ev.monthly == ((1, G), (2, Y), (3, G)) and ev.status is G


def test_all_met_is_green() -> None:
    ev = evaluate(growth_spec("7"), growths((1, "8"), (2, "9")), 2)
    assert ev.status is G and ev.monthly == ((1, G), (2, G)) and not ev.made_up


# --------------------------------------------------------------------------- validation


def test_invalid_months_are_rejected() -> None:
    with pytest.raises(ValueError):
        Observation(13, D(1))
    with pytest.raises(ValueError):
        ytd_spec("1", deadline_month=0)
    with pytest.raises(ValueError):
        evaluate(ytd_spec("1"), [], 0)
    with pytest.raises(ValueError):
        Observation(1, D("NaN"))


# --------------------------------------------------------------------------- properties

decimals = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=3)


@given(decimals, decimals)
def test_points_ahead_is_completion_minus_schedule(completion: D, schedule: D) -> None:
    assert points_ahead(completion, schedule) == completion - schedule


optional_decimals = st.none() | decimals
observations = st.builds(
    Observation,
    month=st.integers(1, 12),
    ytd_value=optional_decimals,
    growth_pct=optional_decimals,
    base_value=optional_decimals,
)
specs = st.builds(
    TargetSpec,
    value=optional_decimals,
    comparator=st.sampled_from(Comparator),
    measure=st.sampled_from(Measure),
    direction=st.sampled_from(Direction),
    accumulation=st.sampled_from(Accumulation),
    deadline_month=st.none() | st.integers(1, 12),
    approx_tolerance=st.decimals(min_value=0, max_value=10, places=2),
)


@given(
    specs,
    st.lists(observations, max_size=15),
    st.integers(1, 12),
    st.none() | st.dictionaries(st.integers(1, 12), decimals),
)
def test_evaluate_never_raises_and_is_consistent(
    spec: TargetSpec, obs: list[Observation], as_of: int, ref: dict[int, D] | None
) -> None:
    ev = evaluate(spec, obs, as_of, reference_growth=ref)
    if ev.data_month is None:
        assert ev.status is Status.GREY and ev.monthly == ()
        return
    assert ev.data_month <= as_of
    assert [m for m, _ in ev.monthly] == sorted({m for m, _ in ev.monthly})
    assert all(m <= ev.data_month for m, _ in ev.monthly)
    if ev.met is None:
        assert ev.status is Status.GREY
    else:
        assert ev.monthly[-1] == (ev.data_month, ev.status)
        assert ev.made_up == (ev.status is Status.YELLOW)
        assert (ev.status is Status.RED) == (not ev.met)
    if ev.completion_pct is not None and ev.schedule_pct is not None:
        assert ev.points_ahead == ev.completion_pct - ev.schedule_pct


def test_equal_targets_hold_at_the_precision_they_are_written_with() -> None:
    total = TargetSpec(D("426.4000"), Comparator.EQ, Measure.ABSOLUTE, Direction.HIGHER, Accumulation.POINT)
    assert evaluate(total, series((9, "426.43")), 9).status is G
    assert evaluate(total, series((9, "426.35")), 9).status is G
    assert evaluate(total, series((9, "426.34")), 9).status is R
    count = TargetSpec(D(100), Comparator.EQ, Measure.COUNT, Direction.HIGHER, Accumulation.POINT)
    assert evaluate(count, series((9, "100")), 9).status is G
    assert evaluate(count, series((9, "101")), 9).status is R
    assert evaluate(count, series((9, "99.9")), 9).status is R
    assert (
        compare(D("99.4"), Comparator.EQ, D(100), Direction.HIGHER, D(0), relative_tolerance=False) is False
    )
