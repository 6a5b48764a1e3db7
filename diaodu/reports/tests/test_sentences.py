"""Whole sentences from evaluations made by the real domain rules (no database)."""

from decimal import Decimal as D

from diaodu.plans import domain
from diaodu.reports.sentences import (
    KeyProjectFacts,
    RankFact,
    TargetFacts,
    key_project_sentences,
    target_sentence,
)

GROWTH = domain.TargetSpec(
    D(20), domain.Comparator.GE, domain.Measure.GROWTH, domain.Direction.HIGHER, domain.Accumulation.YTD
)


def growth_series(*values: str) -> list[domain.Observation]:
    return [domain.Observation(m + 1, None, growth_pct=D(v)) for m, v in enumerate(values)]


def facts(spec: domain.TargetSpec, series: list[domain.Observation], month: int, **kw: object) -> TargetFacts:
    ev = domain.evaluate(spec, series, month)
    base: dict[str, object] = {
        "subject": "全县",
        "name": "规上工业总产值",
        "unit": "%",
        "measure": spec.measure,
        "direction": spec.direction,
        "evaluation": ev,
    }
    base.update(kw)
    return TargetFacts(**base)  # type: ignore[arg-type]


def test_it_writes_the_issue_example() -> None:
    f = facts(GROWTH, growth_series("21", "19", "18.2"), 3, rank=RankFact(3, 6))
    assert (
        target_sentence(f)
        == "1—3月，全县规上工业总产值同比增长18.2%，低于目标1.8个百分点，连续2个月低于目标，列全市第3位。"
    )


def test_a_falling_indicator() -> None:
    f = facts(GROWTH, growth_series("-2.3"), 1)
    assert target_sentence(f) == "1月，全县规上工业总产值同比下降2.3%，低于目标22.3个百分点。"


def test_no_data() -> None:
    assert target_sentence(facts(GROWTH, [], 9)) == "全县规上工业总产值暂无数据。"


def test_the_data_month_is_the_latest_reported_one() -> None:
    f = facts(GROWTH, growth_series("20", "21"), 9)
    assert target_sentence(f).startswith("1—2月，")


def test_a_cumulative_amount_gets_completion_and_schedule() -> None:
    spec = domain.TargetSpec(
        D(5000),
        domain.Comparator.GE,
        domain.Measure.ABSOLUTE,
        domain.Direction.HIGHER,
        domain.Accumulation.YTD,
    )
    series = [domain.Observation(m, D(450) * m) for m in range(1, 10)]
    f = facts(spec, series, 9, name="实际利用外资", unit="万美元", forecast="预计全年5400万美元")
    assert target_sentence(f) == (
        "1—9月，全县实际利用外资4050万美元，完成年度目标的81.0%，超序时进度6.0个百分点，预计全年5400万美元。"
    )


def test_a_count_drops_the_count_word_and_reports_a_run_behind_schedule() -> None:
    spec = domain.TargetSpec(
        D(150), domain.Comparator.GE, domain.Measure.COUNT, domain.Direction.HIGHER, domain.Accumulation.YTD
    )
    series = [domain.Observation(1, D(20)), domain.Observation(2, D(21)), domain.Observation(3, D(22))]
    f = facts(spec, series, 3, name="新增“四上”企业数", unit="家")
    assert target_sentence(f) == (
        "1—3月，全县新增“四上”企业22家，完成年度目标的14.7%，欠序时进度10.3个百分点，连续2个月落后序时进度。"
    )


def test_a_cap_that_holds_and_one_that_does_not() -> None:
    spec = domain.TargetSpec(
        D(24),
        domain.Comparator.LE,
        domain.Measure.DURATION,
        domain.Direction.LOWER,
        domain.Accumulation.POINT,
    )
    ok = facts(spec, [domain.Observation(8, D("21.3"))], 9, name="商品房去化周期", unit="个月")
    assert target_sentence(ok) == "1—8月，全县商品房去化周期21.3个月，控制在目标24个月以内。"
    bad = facts(spec, [domain.Observation(8, D("25.5"))], 9, name="商品房去化周期", unit="个月")
    assert target_sentence(bad) == "1—8月，全县商品房去化周期25.5个月，超出目标1.5个月。"


def test_a_relative_target_names_its_reference() -> None:
    spec = domain.TargetSpec(
        None,
        domain.Comparator.APPROX,
        domain.Measure.GROWTH,
        domain.Direction.HIGHER,
        domain.Accumulation.YTD,
    )
    ev = domain.evaluate(spec, growth_series("7.4"), 1, reference_growth={1: D("7.6")})
    f = TargetFacts(
        "全县", "居民人均可支配收入", "%", spec.measure, spec.direction, ev, reference="地区生产总值"
    )
    assert target_sentence(f) == "1月，全县居民人均可支配收入同比增长7.4%，低于地区生产总值增速0.2个百分点。"


def test_a_dated_ratio_made_up_after_its_deadline() -> None:
    spec = domain.TargetSpec(
        D(80),
        domain.Comparator.GE,
        domain.Measure.RATIO,
        domain.Direction.HIGHER,
        domain.Accumulation.POINT,
        deadline_month=3,
    )
    series = [domain.Observation(3, D(70)), domain.Observation(4, D(100))]
    f = facts(spec, series, 4, name="新建重点项目开工率", unit="%", deadline_month=3)
    assert (
        target_sentence(f) == "1—4月，全县新建重点项目开工率为100%，高于3月底目标20.0个百分点，已追补达标。"
    )


def test_key_project_sentences() -> None:
    f = KeyProjectFacts(
        subject="全县",
        month=9,
        count=100,
        total_investment_wan=D(4264200),
        annual_plan_wan=D(2246000),
        completed_ytd_wan=D(1708300),
        completion_pct=D("76.06"),
        points_ahead=D("1.06"),
        new_planned=56,
        new_started=56,
        start_rate_pct=D(100),
        continuing=44,
        continuing_on_schedule=25,
        continuing_rate_pct=D("56.82"),
    )
    assert key_project_sentences(f) == [
        "全县共有市县重点项目100个，计划总投资426.4亿元，年度计划投资224.6亿元。",
        "1—9月，累计完成投资170.8亿元，完成年度计划的76.1%，超序时进度1.1个百分点。",
        "新建项目56个，已开工56个，开工率100.0%；续建项目44个，达到序时进度25个，续建达序率56.8%。",
    ]


def test_no_key_projects() -> None:
    f = KeyProjectFacts("伊山镇", 9, 0, D(0), D(0), D(0), None, None, 0, 0, None, 0, 0, None)
    assert key_project_sentences(f) == ["伊山镇暂无市县重点项目。"]
