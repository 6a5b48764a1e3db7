"""Pure rules of ranking, forecast, review scoring and 实干指数 (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from diaodu.reviews import domain
from diaodu.reviews.domain import ForecastMethod, Part

# ----------------------------------------------------------------------------- rank


def test_rank_ties_share_a_rank_and_the_next_rank_skips() -> None:
    entries = domain.rank(
        {"连云": D("5.1"), "海州": D("7.2"), "灌云": D("5.10"), "东海": D("3"), "灌南": D("6")}
    )
    assert [(e.key, e.rank, e.tied) for e in entries] == [
        ("海州", 1, False),
        ("灌南", 2, False),
        ("连云", 3, True),
        ("灌云", 3, True),
        ("东海", 5, False),
    ]


def test_rank_puts_missing_values_last_unranked() -> None:
    entries = domain.rank({"a": None, "b": D(1), "c": D(2), "d": None})
    assert [(e.key, e.rank) for e in entries] == [("c", 1), ("b", 2), ("a", None), ("d", None)]
    assert not entries[-1].tied


def test_rank_lower_is_better() -> None:
    entries = domain.rank({"a": D(24), "b": D(18), "c": D(30)}, higher_is_better=False)
    assert [(e.key, e.rank) for e in entries] == [("b", 1), ("a", 2), ("c", 3)]


def test_rank_of_nothing_and_of_negatives() -> None:
    assert domain.rank({}) == []
    assert [e.rank for e in domain.rank({"a": D("-2.5"), "b": D("-1")})] == [1, 2]
    with pytest.raises(ValueError):
        domain.rank({"a": D("NaN")})


def test_rank_change_counts_places_gained() -> None:
    assert domain.rank_change(3, 5) == 2
    assert domain.rank_change(5, 3) == -2
    assert domain.rank_change(2, 2) == 0
    assert domain.rank_change(None, 2) is None and domain.rank_change(2, None) is None


def test_bottom_lists_the_last_places_worst_first_with_whole_ties() -> None:
    entries = domain.rank({"a": D(9), "b": D(8), "c": D(7), "d": D(7), "e": None})
    assert [e.key for e in domain.bottom(entries, 1)] == ["d", "c"]
    assert [e.key for e in domain.bottom(entries, 3)] == ["d", "c", "b"]
    assert domain.bottom(entries, 0) == []
    assert [domain.from_bottom(entries, e) for e in entries] == [4, 3, 1, 1, None]  # 倒数 ranks compete too


def test_weighted_rank_scales_weights_and_explains_every_score() -> None:
    values = {
        "gdp": {"灌云": D("7.5"), "东海": D("6.5"), "灌南": D("5.5")},
        "fai": {"灌云": D(4), "东海": D(12), "灌南": D(8)},
    }
    entries = domain.weighted_rank(values, {"gdp": D(3), "fai": D(1)})
    # 灌云: gdp best (100 × 3/4 = 75) + fai worst (0) = 75; 东海: 50 × 3/4 + 100 × 1/4 = 62.5; 灌南: 0 + 12.5
    assert [(e.key, e.score, e.rank) for e in entries] == [
        ("灌云", D("75.00"), 1),
        ("东海", D("62.50"), 2),
        ("灌南", D("12.50"), 3),
    ]
    for e in entries:
        assert e.score == sum(p.contribution for p in e.parts)
    assert entries[1].parts[0].scaled == D(50) and entries[1].parts[1].value == D(12)


def test_weighted_rank_ties_and_missing_and_direction() -> None:
    values = {
        "a": {"x": D(1), "y": D(1), "z": None},
        "b": {"x": D(2), "y": D(2), "z": None},
    }
    entries = domain.weighted_rank(values, {"a": D(1), "b": D(1)}, higher_is_better={"b": False})
    assert [(e.key, e.rank, e.tied) for e in entries] == [("x", 1, True), ("y", 1, True), ("z", None, False)]
    assert entries[0].score == D(100)  # all equal: every present value scores 100
    with pytest.raises(ValueError):
        domain.weighted_rank(values, {"a": D(1)})
    with pytest.raises(ValueError):
        domain.weighted_rank(values, {"a": D(0), "b": D(0)})


# ----------------------------------------------------------------------------- forecast


def test_forecast_uses_last_years_profile() -> None:
    # 45亿 by September; last year 40亿 by September of 60亿 for the year: share 2/3 → 67.5亿.
    f = domain.forecast_year_end(D(45), D(40), D(60), month=9)
    assert f.method is ForecastMethod.PROFILE and not f.is_fallback
    assert f.value == D("67.5") and f.share == D(40) / D(60) and f.reason == ""
    assert domain.projected_growth(f, D(60)) == D("12.5")


def test_forecast_back_loaded_year_projects_more_than_the_schedule() -> None:
    # Worked example: 规上工业总产值 1–6月 210亿; last year 180亿 by June of 400亿 (45%) → 466.67亿,
    # while 时序进度 (50%) would give 420亿.
    f = domain.forecast_year_end(D(210), D(180), D(400), month=6)
    assert f.value is not None and f.value.quantize(D("0.01")) == D("466.67")
    assert domain.forecast_year_end(D(210), None, None, month=6).value == D(420)


@pytest.mark.parametrize(
    ("same", "full", "reason"),
    [
        (None, D(60), "缺少上年同期或上年全年数据"),
        (D(40), None, "缺少上年同期或上年全年数据"),
        (D(0), D(60), "上年数据不为正数"),
        (D(40), D(-1), "上年数据不为正数"),
        (D(70), D(60), "超过上年全年"),
    ],
)
def test_forecast_falls_back_to_the_schedule_and_says_so(same: D | None, full: D | None, reason: str) -> None:
    f = domain.forecast_year_end(D(45), same, full, month=9)
    assert f.method is ForecastMethod.SCHEDULE and f.is_fallback
    assert f.value == D(60) and f.share == D("0.75")  # 45 ÷ 9/12
    assert reason in f.reason and "时序进度" in f.reason


def test_forecast_without_ytd_and_month_checks() -> None:
    f = domain.forecast_year_end(None, D(40), D(60), month=9)
    assert f.value is None and f.method is ForecastMethod.PROFILE
    assert domain.projected_growth(f, D(60)) is None
    assert domain.forecast_year_end(D(12), None, None, month=12).value == D(12)
    with pytest.raises(ValueError):
        domain.forecast_year_end(D(1), None, None, month=0)


def test_warning_since_is_the_start_of_the_current_run() -> None:
    assert domain.warning_since({7: False, 8: True, 9: True}) == 8
    assert domain.warning_since({6: True, 7: False, 8: True, 9: None}) == 8
    assert domain.warning_since({5: True, 6: True}) == 5
    assert domain.warning_since({8: True, 9: False}) is None
    assert domain.warning_since({}) is None and domain.warning_since({3: None}) is None


# ----------------------------------------------------------------------------- review scoring


def test_trimmed_mean_drops_highest_and_lowest_from_five_raters() -> None:
    t = domain.trimmed_mean([D(90), D(85), D(80), D(70), D(95)])
    assert t.value == D(85) and t.trimmed
    assert t.dropped == (D(95), D(70)) and t.kept == (D(80), D(85), D(90))


def test_trimmed_mean_keeps_everything_below_five_raters() -> None:
    t = domain.trimmed_mean([D(90), D(80), D(70), D(100)])
    assert t.value == D(85) and not t.trimmed and t.dropped == ()
    assert domain.trimmed_mean([]).value is None


def test_trimmed_mean_drops_one_of_equal_extremes_only() -> None:
    t = domain.trimmed_mean([D(80), D(80), D(80), D(90), D(90), D(60)])
    assert t.dropped == (D(90), D(60)) and t.value == D("82.5")


def test_review_total_is_a_weighted_composite_that_sums() -> None:
    observation = domain.trimmed_mean([D(90), D(85), D(80), D(70), D(95)]).value
    c = domain.composite(
        [
            Part("targets", "目标完成", D("66.666"), D(40)),
            Part("projects", "项目推进", D(80), D(30)),
            Part("observation", "现场观摩", observation, D(30)),
        ]
    )
    # 0.4 × 66.666 = 26.67 (rounded), 0.3 × 80 = 24.00, 0.3 × 85 = 25.50
    assert [c_.points for c_ in c.contributions] == [D("26.67"), D("24.00"), D("25.50")]
    assert c.score == D("76.17") == sum(x.points for x in c.contributions)


def test_composite_reweights_over_the_parts_that_apply() -> None:
    c = domain.composite(
        [
            Part("targets", "目标完成", D(50), D(40)),
            Part("supervision", "督办时效", None, D(20)),
            Part("projects", "项目推进", D(100), D(40)),
        ]
    )
    assert c.score == D(75)
    assert c.contributions[1].points == 0 and c.contributions[1].effective_weight == 0
    assert [x.part.key for x in c.applicable] == ["targets", "projects"]
    assert domain.composite([Part("x", "x", None, D(1))]).score is None
    with pytest.raises(ValueError):
        domain.composite([Part("x", "x", D(101), D(1))])
    with pytest.raises(ValueError):
        domain.composite([Part("x", "x", D(1), D(-1))])


@pytest.mark.parametrize(
    "scores",
    [
        [D("33.333"), D("66.667"), D("12.345"), D("99.999")],
        [D(1) / D(3), D(2) / D(3), D(100), D(0)],
        [D("70.005"), D("70.005"), D("70.005"), D("70.005")],
    ],
)
def test_shigan_index_breakdown_sums_to_the_score(scores: list[D]) -> None:
    weights = [D(35), D(25), D(25), D(15)]
    c = domain.composite(
        [Part(f"p{i}", f"项{i}", s, w) for i, (s, w) in enumerate(zip(scores, weights, strict=True))]
    )
    assert c.score == sum(x.points for x in c.contributions)
    assert c.score is not None and abs(
        c.score - sum((s * w for s, w in zip(scores, weights, strict=True)), D(0)) / 100
    ) < D("0.03")


def test_light_and_ratio_scores() -> None:
    assert domain.light_score(["green", "red", "yellow", "grey"]) == D("160") / 3
    assert domain.light_score(["grey"]) is None
    assert domain.ratio_score(D(50), D(100)) == D(50)
    assert domain.ratio_score(D(150), D(100)) == D(100)
    assert domain.ratio_score(D(-5), D(100)) == D(0)
    assert domain.ratio_score(D(5), D(0)) is None
