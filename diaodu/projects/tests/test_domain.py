"""The pure project rules, with the issue's worked examples. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from diaodu.projects import domain
from diaodu.projects.domain import (
    Outcome,
    ProjectProfile,
    ProjectRow,
    ReportContext,
    ReportFigures,
    RuleKind,
    RuleSpec,
    Signing,
    SigningKind,
    Stage,
    TransitionFacts,
)

TODAY = dt.date(2025, 9, 30)


# ----------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    "code", ["2306-320924-89-02-799920", "2017-130000-01-01-00001", "2412-320723-89-01-100037"]
)
def test_project_codes_accepted(code: str) -> None:
    assert domain.is_valid_project_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "2313-320924-89-02-799920",
        "2306-320924-89-02-79992",
        "2306320924890279992X",
        "2017-130000-01-01-000001",
        "",
    ],
)
def test_project_codes_rejected(code: str) -> None:
    assert not domain.is_valid_project_code(code)


def test_credit_code_check_character() -> None:
    assert domain.is_valid_credit_code("91350100M000100Y43")
    assert domain.credit_code_check_char("91350100M000100Y4") == "3"
    assert not domain.is_valid_credit_code("91350100M000100Y44")
    assert not domain.is_valid_credit_code("91350100M000100I43")  # I is not in the alphabet
    assert not domain.is_valid_credit_code("91350100M000100Y4")


def test_industry_codes() -> None:
    assert all(domain.is_valid_industry_code(c) for c in ("C", "C26", "C261", "C2614"))
    assert not any(domain.is_valid_industry_code(c) for c in ("2614", "C26145", "Z2614", "c2614"))


# ----------------------------------------------------------------------------- lifecycle

FACTS = TransitionFacts(total_investment_wan=D(20_000))


def problems(cur: Stage, tgt: Stage, facts: TransitionFacts = FACTS, on: dt.date | None = TODAY) -> list[str]:
    return domain.transition_problems(cur, tgt, on, facts, today=TODAY)


def test_forward_moves_may_skip_registration_and_land() -> None:
    assert problems(Stage.NEGOTIATING, Stage.SIGNED) == []
    assert problems(Stage.SIGNED, Stage.STARTED) == []
    assert problems(Stage.STARTED, Stage.IN_STATS) == []


def test_stats_entry_needs_a_start_and_500_wan() -> None:
    assert "须在开工之后" in problems(Stage.SIGNED, Stage.IN_STATS)[0]
    small = TransitionFacts(total_investment_wan=D(499))
    assert problems(Stage.STARTED, Stage.IN_STATS, small) == ["计划总投资不足500万元的项目不能入库。"]
    assert problems(Stage.STARTED, Stage.IN_STATS, TransitionFacts(D(500))) == []


def test_start_needs_a_date_not_in_the_future() -> None:
    assert "请填写日期" in problems(Stage.LAND, Stage.STARTED, on=None)[0]
    assert "晚于今天" in problems(Stage.LAND, Stage.STARTED, on=TODAY + dt.timedelta(days=1))[0]


def test_no_going_back_and_terminated_is_final() -> None:
    assert "不能从" in problems(Stage.STARTED, Stage.SIGNED)[0]
    assert problems(Stage.SIGNED, Stage.TERMINATED) == []
    assert "已终止" in problems(Stage.TERMINATED, Stage.STARTED)[0]


def test_suspension_only_during_construction_and_resumes_forward() -> None:
    assert problems(Stage.STARTED, Stage.SUSPENDED) == []
    assert problems(Stage.SIGNED, Stage.SUSPENDED)
    resume = TransitionFacts(D(20_000), resume_stage=Stage.IN_STATS)
    assert problems(Stage.SUSPENDED, Stage.COMPLETED, resume) == []
    assert problems(Stage.SUSPENDED, Stage.STARTED, resume)


def test_signing_refused_while_prereview_failed() -> None:
    blocked = TransitionFacts(D(20_000), signing_blocked=True)
    assert "签约预审未通过" in problems(Stage.NEGOTIATING, Stage.SIGNED, blocked)[0]
    assert domain.signing_blocked("fail", overridden=False)
    assert not domain.signing_blocked("fail", overridden=True)
    assert not domain.signing_blocked("pass", overridden=False)
    assert not domain.signing_blocked(None, overridden=False)


def test_first_reached_counts_later_stages() -> None:
    reached = domain.first_reached(
        [
            (Stage.SIGNED, dt.date(2024, 5, 1)),
            (Stage.COMPLETED, dt.date(2025, 3, 1)),
            (Stage.SUSPENDED, dt.date(2025, 4, 1)),
        ]
    )
    assert reached[Stage.STARTED] == dt.date(2025, 3, 1)
    assert reached[Stage.NEGOTIATING] == dt.date(2024, 5, 1)
    assert Stage.PRODUCING not in reached


# ----------------------------------------------------------------------------- signing tiers


def sig(pid: int, month: int, kind: SigningKind, wan: int) -> Signing:
    return Signing(pid, dt.date(2025, month, 1), kind, D(wan))


def test_tiers_are_cumulative_with_exact_floors() -> None:
    counts = domain.tier_counts([D(9_999), D(10_000), D(100_000), D(550_000), D(1_000_000)])
    assert counts == {"ge_1yi": 4, "ge_10yi": 3, "ge_50yi": 2, "ge_100yi": 1}
    assert domain.tier_of(D(550_000)) == "ge_50yi" and domain.tier_of(D(9_999)) is None


def test_a_project_counts_once_at_its_first_signing() -> None:
    counted = domain.counted_signings(
        [sig(1, 2, SigningKind.INITIAL, 30_000), sig(1, 5, SigningKind.INITIAL, 30_000)]
    )
    assert [c.on.month for c in counted] == [2]


def test_capital_increase_counts_only_the_increment() -> None:
    signings = [
        sig(1, 1, SigningKind.INITIAL, 8_000),
        sig(1, 6, SigningKind.CAPITAL_INCREASE, 5_000),
        sig(2, 1, SigningKind.INITIAL, 20_000),
        sig(2, 7, SigningKind.CAPITAL_INCREASE, 15_000),
    ]
    counted = domain.counted_signings(signings)
    # 0.8亿 + 0.5亿 increment: neither reaches 1亿; 2亿 then a 1.5亿 increase: two ≥1亿 signings
    assert domain.tier_counts(c.amount_wan for c in counted)["ge_1yi"] == 2


def test_change_of_investor_is_a_new_signing() -> None:
    signings = [sig(1, 1, SigningKind.INITIAL, 30_000), sig(1, 8, SigningKind.INVESTOR_CHANGE, 30_000)]
    assert domain.tier_counts(c.amount_wan for c in domain.counted_signings(signings))["ge_1yi"] == 2


def test_signed_tiers_only_count_the_year_up_to_the_date() -> None:
    counted = domain.counted_signings(
        [
            Signing(1, dt.date(2024, 12, 30), SigningKind.INITIAL, D(20_000)),
            sig(2, 3, SigningKind.INITIAL, 20_000),
            sig(3, 10, SigningKind.INITIAL, 20_000),
        ]
    )
    assert domain.signed_tiers(counted, 2025, TODAY)["ge_1yi"] == 1


# ----------------------------------------------------------------------------- rates


def test_continuing_on_schedule_worked_examples() -> None:
    example = domain.rate(238, 286)
    assert example is not None and domain.pct1(example) == D("83.2")
    rows = [
        ProjectRow(i, D(50_000), is_key=True, annual_plan_wan=D(12_000), ytd_wan=D(ytd))
        for i, ytd in enumerate([9_000, 9_000, 10_000, 12_000, 9_500, 9_000, 8_999])
    ]
    # at September the schedule is 9/12 of 12000 = 9000: six of seven are on schedule
    assert domain.continuing_on_schedule(rows, 9) == (7, 6, D(6) / D(7))
    assert domain.rate(0, 0) is None


def test_start_rate_against_quarter_deadlines() -> None:
    def row(i: int, start: dt.date | None) -> ProjectRow:
        return ProjectRow(
            i, D(20_000), is_key=True, is_new=True, reached={Stage.STARTED: start} if start else {}
        )

    rows = [row(i, dt.date(2025, 2, 10)) for i in range(8)] + [row(8, dt.date(2025, 5, 5)), row(9, None)]
    assert domain.start_rate(rows, domain.quarter_end(2025, 1)) == (10, 8, D("0.8"))
    planned, started, r = domain.start_rate(rows, domain.quarter_end(2025, 2))
    assert (planned, started) == (10, 9) and r is not None and r < domain.START_RATE_Q2_TARGET


def test_conversion_recognition_entry_and_concentration() -> None:
    on = TODAY
    rows = {
        1: ProjectRow(
            1,
            D(20_000),
            reached={Stage.STARTED: dt.date(2025, 6, 1), Stage.IN_STATS: dt.date(2025, 7, 1)},
            recognised_on=dt.date(2025, 3, 1),
        ),
        2: ProjectRow(2, D(20_000), reached={Stage.STARTED: dt.date(2025, 8, 1)}),
        3: ProjectRow(3, D(20_000)),
        4: ProjectRow(4, D(20_000), reached={Stage.STARTED: dt.date(2025, 10, 1)}),
    }
    signings = [Signing(i, dt.date(2025, 2, i), SigningKind.INITIAL, D(20_000)) for i in (1, 2, 3, 4)]
    cohort = domain.cohort_ids(signings, domain.Cohort(dt.date(2025, 1, 1), on))
    assert domain.conversion_start_rate(rows, cohort, on) == D("0.5")
    assert domain.recognition_rate(rows, cohort, on) == D("0.25")
    assert domain.stats_entry_rate(rows.values(), 2025, on) == D("0.5")
    counted = [domain.CountedSigning(1, on, D(30), "petrochem"), domain.CountedSigning(2, on, D(10), "other")]
    assert domain.industry_concentration(counted) == D("0.75")


def test_intensity_and_tax_per_mu() -> None:
    assert domain.investment_intensity(D(42_000), D(100)) == D(420)
    assert domain.tax_per_mu(D(2_000), D(100)) == D(20)
    assert domain.investment_intensity(D(42_000), None) is None


# ----------------------------------------------------------------------------- pre-review

CHEM_RULES = [
    RuleSpec(1, RuleKind.MIN_INTENSITY, "投资强度", D(420)),
    RuleSpec(2, RuleKind.MIN_TAX_PER_MU, "亩均税收", D(20)),
]


def profile(total: int, land: int | None, tax: int | None) -> ProjectProfile:
    return ProjectProfile(
        D(total), None if land is None else D(land), None if tax is None else D(tax), "petrochem", "C2614"
    )


def test_prereview_boundary_at_exactly_420_passes() -> None:
    outcome, results = domain.evaluate_rules(CHEM_RULES, profile(42_000, 100, 2_000))
    assert outcome is Outcome.PASS
    assert results[0].value == D(420) and results[0].threshold == D(420)
    assert results[0].explanation == "投资强度420万元/亩，不低于420万元/亩。"


def test_prereview_fails_below_the_thresholds_with_chinese_explanations() -> None:
    outcome, results = domain.evaluate_rules(CHEM_RULES, profile(41_999, 100, 1_999))
    assert outcome is Outcome.FAIL
    assert [r.outcome for r in results] == [Outcome.FAIL, Outcome.FAIL]
    assert results[0].explanation == "投资强度419.99万元/亩，低于420万元/亩，原则上不引不建。"


def test_prereview_needs_review_without_land_or_manual_tick() -> None:
    rules = [*CHEM_RULES, RuleSpec(3, RuleKind.MANUAL, "安全风险评估")]
    outcome, _ = domain.evaluate_rules(rules, profile(42_000, None, None))
    assert outcome is Outcome.NEEDS_REVIEW
    assert domain.evaluate_rules(rules, profile(42_000, 100, 2_000), {3: True})[0] is Outcome.PASS
    assert domain.evaluate_rules(rules, profile(42_000, 100, 2_000), {3: False})[0] is Outcome.FAIL


def test_prereview_chains_industry_and_minimum_total() -> None:
    rules = [
        RuleSpec(1, RuleKind.CHAINS, values=("petrochem",)),
        RuleSpec(2, RuleKind.INDUSTRY, values=("C26",)),
        RuleSpec(3, RuleKind.MIN_TOTAL, threshold=D(50_000)),
    ]
    outcome, results = domain.evaluate_rules(rules, profile(40_000, 100, 2_000))
    assert [r.outcome for r in results] == [Outcome.PASS, Outcome.PASS, Outcome.FAIL]
    assert outcome is Outcome.FAIL


# ----------------------------------------------------------------------------- approvals


def test_missing_documents_overdue_and_termination() -> None:
    due = dt.date(2025, 9, 26)  # a Friday
    assert domain.missing_doc_state(due, None, due) is domain.DocState.PENDING
    assert domain.missing_doc_state(due, None, dt.date(2025, 9, 27)) is domain.DocState.OVERDUE
    assert (
        domain.missing_doc_state(due, dt.date(2025, 9, 28), dt.date(2025, 10, 9)) is domain.DocState.SUPPLIED
    )
    assert not domain.case_to_terminate([(due, None)], due)
    assert domain.case_to_terminate([(due, None)], dt.date(2025, 9, 29))
    # National Day holiday: 26 Sep + 3 working days is 9 Oct (28 Sep and 11 Oct are working Sundays/Saturdays)
    assert not domain.case_to_terminate([(due, None)], dt.date(2025, 9, 30), grace_workdays=3)
    assert domain.case_to_terminate([(due, None)], dt.date(2025, 10, 10), grace_workdays=3)
    assert not domain.case_to_terminate([(due, dt.date(2025, 9, 20))], dt.date(2025, 12, 1))


def test_land_to_permit_in_working_days() -> None:
    assert domain.land_to_permit_workdays(dt.date(2025, 3, 3), dt.date(2025, 3, 3)) == 0  # 拿地即开工
    assert domain.land_to_permit_workdays(dt.date(2025, 9, 30), dt.date(2025, 10, 9)) == 1  # 国庆假期
    assert domain.land_to_permit_workdays(None, dt.date(2025, 3, 3)) is None


# ----------------------------------------------------------------------------- monthly report

CTX = ReportContext(
    today=TODAY,
    total_investment_wan=D(100_000),
    completed_before_wan=D(40_000),
    previous_ytd_wan=D(12_000),
    previous_month_wan=D(1_500),
)


def test_report_month_figure_is_derived_from_ytd() -> None:
    fig = ReportFigures(2025, 9, D(13_000))
    assert fig.month_wan(CTX) == D(1_000) and domain.report_problems(fig, CTX) == {}


def test_report_rejections() -> None:
    assert "不能小于" in domain.report_problems(ReportFigures(2025, 9, D(11_999)), CTX)["ytd_wan"]
    assert "未来月份" in domain.report_problems(ReportFigures(2025, 10, D(13_000)), CTX)["month"]
    assert "超过项目总投资" in domain.report_problems(ReportFigures(2025, 9, D(60_001)), CTX)["ytd_wan"]
    later = ReportContext(TODAY, D(100_000), next_ytd_wan=D(5_000))
    assert "之后月份" in domain.report_problems(ReportFigures(2025, 6, D(5_001)), later)["ytd_wan"]
    assert "负数" in domain.report_problems(ReportFigures(2025, 9, D(-1)), CTX)["ytd_wan"]


def test_a_hundredfold_jump_needs_a_confirmation_note() -> None:
    ctx = ReportContext(TODAY, D(1_000_000), previous_ytd_wan=D(1_200), previous_month_wan=D(150))
    slip = ReportFigures(2025, 9, D(1_200 + 15_000))  # 150万 last month, 1.5亿 now: the 万/亿 slip
    assert "请核实单位" in domain.report_problems(slip, ctx)["confirm_note"]
    confirmed = ReportFigures(2025, 9, D(16_200), confirm_note="设备集中到货，已核实")
    assert domain.report_problems(confirmed, ctx) == {}
    assert domain.report_problems(ReportFigures(2025, 9, D(1_200 + 1_499)), ctx) == {}


def test_report_workflow_transitions() -> None:
    S, A = domain.ReportStatus, domain.ReportAction
    assert domain.next_report_status(S.DRAFT, A.SUBMIT) is S.SUBMITTED
    assert domain.next_report_status(S.RETURNED, A.SUBMIT) is S.SUBMITTED
    assert domain.next_report_status(S.SUBMITTED, A.RETURN) is S.RETURNED
    assert domain.next_report_status(S.SUBMITTED, A.APPROVE) is S.APPROVED
    assert domain.next_report_status(S.APPROVED, A.LOCK) is S.LOCKED
    assert domain.next_report_status(S.LOCKED, A.REOPEN) is S.RETURNED
    assert domain.next_report_status(S.DRAFT, A.APPROVE) is None
    assert domain.next_report_status(S.LOCKED, A.SUBMIT) is None
