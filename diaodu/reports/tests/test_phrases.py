"""Each phrase function with positive, negative, zero and missing values (no database)."""

from decimal import Decimal as D

import pytest

from diaodu.reports import phrases as p

G, Y, R = "green", "yellow", "red"


def months(*lights: str) -> list[tuple[int, str]]:
    return [(i + 1, light) for i, light in enumerate(lights)]


class TestPeriod:
    def test_it_writes_the_ytd_period_with_an_em_dash(self) -> None:
        assert p.period_phrase(9) == "1—9月"
        assert p.period_phrase(12) == "1—12月"

    def test_it_writes_january_alone(self) -> None:
        assert p.period_phrase(1) == "1月"

    def test_it_is_empty_when_missing(self) -> None:
        assert p.period_phrase(None) == ""

    @pytest.mark.parametrize("month", [0, -1, 13])
    def test_it_refuses_impossible_months(self, month: int) -> None:
        with pytest.raises(ValueError):
            p.period_phrase(month)


class TestGrowth:
    def test_positive(self) -> None:
        assert p.growth_phrase(D("18.2")) == "同比增长18.2%"
        assert p.growth_phrase(D("7")) == "同比增长7.0%"
        assert p.growth_phrase(D("18.25")) == "同比增长18.3%"  # half up

    def test_negative(self) -> None:
        assert p.growth_phrase(D("-2.3")) == "同比下降2.3%"

    def test_zero_and_rounding_to_zero(self) -> None:
        assert p.growth_phrase(D(0)) == "与上年同期持平"
        assert p.growth_phrase(D("0.04")) == "与上年同期持平"
        assert p.growth_phrase(D("-0.04")) == "与上年同期持平"

    def test_missing(self) -> None:
        assert p.growth_phrase(None) == ""

    def test_prefix(self) -> None:
        assert p.growth_phrase(D("3.1"), prefix="环比") == "环比增长3.1%"


class TestVersus:
    def test_above(self) -> None:
        assert p.versus_phrase(D("7.6"), D("7")) == "高于目标0.6个百分点"

    def test_below(self) -> None:
        assert p.versus_phrase(D("18.2"), D("20")) == "低于目标1.8个百分点"
        assert p.versus_phrase(D("-1.5"), D("2")) == "低于目标3.5个百分点"

    def test_equal(self) -> None:
        assert p.versus_phrase(D("8.02"), D("8")) == "与目标持平"
        assert p.versus_phrase(D(0), D(0)) == "与目标持平"

    def test_missing(self) -> None:
        assert p.versus_phrase(None, D("7")) == ""
        assert p.versus_phrase(D("7"), None) == ""

    def test_label(self) -> None:
        assert (
            p.versus_phrase(D("7.4"), D("7.6"), label="地区生产总值增速") == "低于地区生产总值增速0.2个百分点"
        )


class TestSchedule:
    def test_ahead(self) -> None:
        # DOMAIN.md's worked example: 92.6% done after 8 months -> 92.6 - 66.7 = +25.9 points.
        assert p.schedule_phrase(D("92.6") - D(800) / D(12)) == "超序时进度25.9个百分点"

    def test_behind(self) -> None:
        assert p.schedule_phrase(D(-3)) == "欠序时进度3.0个百分点"

    def test_zero(self) -> None:
        assert p.schedule_phrase(D(0)) == "与序时进度持平"
        assert p.schedule_phrase(D("0.04")) == "与序时进度持平"

    def test_missing(self) -> None:
        assert p.schedule_phrase(None) == ""


class TestCompletion:
    def test_positive(self) -> None:
        assert p.completion_phrase(D("81.5")) == "完成年度目标的81.5%"
        assert p.completion_phrase(D("112.04"), of="年度计划") == "完成年度计划的112.0%"

    def test_zero(self) -> None:
        assert p.completion_phrase(D(0)) == "完成年度目标的0.0%"

    def test_negative_says_nothing(self) -> None:
        assert p.completion_phrase(D(-5)) == ""

    def test_missing(self) -> None:
        assert p.completion_phrase(None) == ""


class TestRank:
    def test_top_and_middle(self) -> None:
        assert p.rank_phrase(1, 6) == "列全市第1位"
        assert p.rank_phrase(3, 6) == "列全市第3位"
        assert p.rank_phrase(4, 6) == "列全市第4位"  # lower half but three from the end: counted from the top

    def test_bottom_places_from_the_end(self) -> None:
        assert p.rank_phrase(6, 6) == "列全市倒数第1位"
        assert p.rank_phrase(5, 6) == "列全市倒数第2位"
        assert p.rank_phrase(13, 13, area="全县乡镇") == "列全县乡镇倒数第1位"

    def test_without_total_it_counts_from_the_top(self) -> None:
        assert p.rank_phrase(6) == "列全市第6位"

    def test_a_group_of_one(self) -> None:
        assert p.rank_phrase(1, 1) == "列全市第1位"

    def test_missing(self) -> None:
        assert p.rank_phrase(None, 6) == ""

    @pytest.mark.parametrize(("position", "total"), [(0, 6), (-1, 6), (7, 6)])
    def test_zero_negative_or_past_the_end_is_an_error(self, position: int, total: int) -> None:
        with pytest.raises(ValueError):
            p.rank_phrase(position, total)


class TestStreak:
    def test_several_months_missed(self) -> None:
        assert p.streak_phrase(months(G, G, R, R, R)) == "连续3个月低于目标"
        assert p.streak_phrase(months(R, R)) == "连续2个月低于目标"

    def test_first_miss_after_green_months(self) -> None:
        assert p.streak_phrase(months(G, G, R)) == "首次低于目标"

    def test_a_single_miss_after_earlier_misses_is_neither_first_nor_a_run(self) -> None:
        assert p.streak_phrase(months(Y, G, R)) == ""

    def test_first_met_after_misses(self) -> None:
        assert p.streak_phrase(months(Y, Y, G)) == "首次达到目标"

    def test_met_for_several_months_after_misses(self) -> None:
        assert p.streak_phrase(months(Y, G, G, G), met="达到序时进度") == "连续3个月达到序时进度"

    def test_met_all_year_is_no_news(self) -> None:
        assert p.streak_phrase(months(G, G, G)) == ""
        assert p.streak_phrase(months(G)) == ""

    def test_a_made_up_target_has_no_run(self) -> None:
        assert p.streak_phrase(months(R, Y)) == ""

    def test_january_alone(self) -> None:
        assert p.streak_phrase(months(R)) == ""

    def test_missing(self) -> None:
        assert p.streak_phrase([]) == ""
        assert p.streak([]) is None

    def test_streak_values(self) -> None:
        assert p.streak(months(G, R, R)) == p.Streak(met=False, months=2, first=True)
        assert p.streak(months(Y, G)) == p.Streak(met=True, months=1, first=True)


class TestAmounts:
    def test_wan_below_one_yi(self) -> None:
        assert p.format_amount(D(4075), "万元") == "4075万元"
        assert p.format_amount(D("4075.6"), "万元") == "4076万元"
        assert p.format_amount(D("0.5"), "万元") == "0.5万元"

    def test_wan_from_one_yi_becomes_yi(self) -> None:
        assert p.format_amount(D(12500), "万元") == "1.25亿元"
        assert p.format_amount(D(10000), "万元") == "1亿元"
        assert (
            p.format_amount(D(4264200), "万元") == "426.4亿元"
        )  # one decimal from 10亿, as the speech writes

    def test_yi_below_one_becomes_wan(self) -> None:
        assert p.format_amount(D("0.5"), "亿元") == "5000万元"
        assert p.format_amount(D("224.6"), "亿元") == "224.6亿元"

    def test_dollars(self) -> None:
        assert p.format_amount(D(4075), "万美元") == "4075万美元"
        assert p.format_amount(D(15000), "万美元") == "1.5亿美元"

    def test_negative(self) -> None:
        assert p.format_amount(D(-3000), "万元") == "-3000万元"
        assert p.format_amount(D(-25000), "万元") == "-2.5亿元"

    def test_zero(self) -> None:
        assert p.format_amount(D(0), "万元") == "0万元"
        assert p.format_amount(D(0), "家") == "0家"

    def test_missing(self) -> None:
        assert p.format_amount(None, "万元") == ""

    def test_other_units(self) -> None:
        assert p.format_amount(D("21.30"), "个月") == "21.3个月"
        assert p.format_amount(D(120), "家") == "120家"


def test_count_subject_drops_the_trailing_count_word() -> None:
    assert p.count_subject("新增“四上”企业数", "家") == "新增“四上”企业"
    assert p.count_subject("实际利用外资", "万美元") == "实际利用外资"
    assert p.count_subject("商品房去化周期", "个月") == "商品房去化周期"


class TestForecast:
    def test_growth(self) -> None:
        assert p.forecast_phrase(D("17.64"), growth=True) == "预计全年增长17.6%"
        assert p.forecast_phrase(D(-1), growth=True) == "预计全年下降1.0%"
        assert p.forecast_phrase(D("0.01"), growth=True) == "预计全年与上年持平"

    def test_value_with_warning_and_fallback(self) -> None:
        text = p.forecast_phrase(D(4300), growth=False, unit="万美元", warning=True, since=3, fallback=True)
        assert text == "预计全年可达4300万美元（按时序进度推算），有完不成目标的风险（自3月起预警）"
        assert p.forecast_phrase(D(0), growth=False, unit="家") == "预计全年可达0家"
        assert p.forecast_phrase(D(-200), growth=False, unit="万元", warning=False) == "预计全年可达-200万元"

    def test_missing(self) -> None:
        assert p.forecast_phrase(None, growth=True, warning=True) == ""
