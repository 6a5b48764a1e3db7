"""Pure rules of the project pipeline (DOMAIN.md §3–5). No Django, no ORM: plain values in, plain values out.

Everything that decides something about a project lives here so that a number or a rule has one definition:
identifier checks, the lifecycle's allowed transitions, signing tiers and counting rules, the pre-review
(签约预审) rules, 容缺 deadlines, the monthly-report checks and workflow, and the metrics (开工率, 续建达序率,
转化开工率, 认定率, 入库率, 实际完成投资率, 产业集中度). Amounts are :class:`~decimal.Decimal` 万元; rates are
fractions (``Decimal("0.832...")``), never rounded here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from diaodu.core.workdays import workdays_between

WAN_PER_YI = Decimal(10000)
STATS_ENTRY_MIN_WAN = Decimal(500)  # 入库: planned total ≥ 500万元


# --------------------------------------------------------------------------- vocabularies


class Stage(StrEnum):
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    REGISTERED = "registered"
    LAND = "land_supplied"
    STARTED = "started"
    IN_STATS = "in_stats"
    COMPLETED = "completed"
    PRODUCING = "producing"
    FULL_CAPACITY = "full_capacity"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


STAGE_LABELS: dict[str, str] = {
    Stage.NEGOTIATING: "在谈",
    Stage.SIGNED: "签约",
    Stage.REGISTERED: "注册",
    Stage.LAND: "供地",
    Stage.STARTED: "开工",
    Stage.IN_STATS: "入库",
    Stage.COMPLETED: "竣工",
    Stage.PRODUCING: "投产",
    Stage.FULL_CAPACITY: "达产",
    Stage.SUSPENDED: "停缓建",
    Stage.TERMINATED: "终止",
}
PIPELINE: tuple[Stage, ...] = (
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.LAND,
    Stage.STARTED,
    Stage.IN_STATS,
    Stage.COMPLETED,
    Stage.PRODUCING,
    Stage.FULL_CAPACITY,
)
_RANK = {s: i for i, s in enumerate(PIPELINE)}


def rank(stage: str) -> int | None:
    """Position in the pipeline (在谈 = 0 … 达产 = 8); None for 停缓建 and 终止."""
    return _RANK.get(Stage(stage))


class Level(StrEnum):
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"
    NONE = "none"


LEVEL_LABELS: dict[str, str] = {
    Level.PROVINCIAL: "省级重点",
    Level.CITY: "市级重点",
    Level.COUNTY: "县级重点",
    Level.NONE: "非重点",
}
LEVEL_SHORT: dict[str, str] = {Level.PROVINCIAL: "省级", Level.CITY: "市级", Level.COUNTY: "县级"}


class Category(StrEnum):
    INDUSTRY = "industry"
    INFRASTRUCTURE = "infrastructure"
    LIVELIHOOD = "livelihood"
    SERVICE = "service"
    AGRICULTURE = "agriculture"
    URBAN = "urban"
    OTHER = "other"


CATEGORY_LABELS: dict[str, str] = {
    Category.INDUSTRY: "产业",
    Category.INFRASTRUCTURE: "基础设施",
    Category.LIVELIHOOD: "社会民生",
    Category.SERVICE: "现代服务业",
    Category.AGRICULTURE: "农业农村",
    Category.URBAN: "城市更新",
    Category.OTHER: "其他",
}


class Chain(StrEnum):
    PETROCHEM = "petrochem"
    EQUIPMENT = "equipment"
    FOOD = "food"
    TEXTILE = "textile"
    MARINE = "marine"
    OTHER = "other"


CHAIN_LABELS: dict[str, str] = {
    Chain.PETROCHEM: "石化新材料",
    Chain.EQUIPMENT: "装备制造",
    Chain.FOOD: "健康食品",
    Chain.TEXTILE: "轻工纺织",
    Chain.MARINE: "海洋经济",
    Chain.OTHER: "其他",
}
LEADING_CHAINS = frozenset(c for c in Chain if c is not Chain.OTHER)


# --------------------------------------------------------------------------- identifiers (DOMAIN.md §5)

_PROJECT_CODE = re.compile(r"\d{2}(0[1-9]|1[0-2])-\d{6}-\d{2}-\d{2}-\d{6}")
_LEGACY_PROJECT_CODE = re.compile(r"(19|20)\d{2}-\d{6}-\d{2}-\d{2}-\d{5}")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARS)}
_INDUSTRY_CODE = re.compile(r"[A-T](\d{2}|\d{3}|\d{4})?")


def is_valid_project_code(code: str) -> bool:
    """投资项目代码 (GB/T 40058): ``YYMM-RRRRRR-DD-TT-NNNNNC``, or the legacy ``YYYY-RRRRRR-DD-DD-NNNNN``.

    Only the shape is checked: the check-digit rule is not public.
    """
    return bool(_PROJECT_CODE.fullmatch(code) or _LEGACY_PROJECT_CODE.fullmatch(code))


def credit_code_check_char(first17: str) -> str:
    """The check character C18 of a 统一社会信用代码 (GB 32100-2015) from its first 17 characters."""
    if len(first17) != 17 or any(c not in _CREDIT_VALUE for c in first17):
        raise ValueError("need 17 characters from " + CREDIT_CHARS)
    total = sum(_CREDIT_VALUE[c] * (3**i % 31) for i, c in enumerate(first17))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != 18 or any(c not in _CREDIT_VALUE for c in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def is_valid_industry_code(code: str) -> bool:
    """GB/T 4754-2017 code: a section letter, optionally its 2-, 3- or 4-digit division/group/class (C2614)."""
    return bool(_INDUSTRY_CODE.fullmatch(code))


# --------------------------------------------------------------------------- lifecycle


@dataclass(frozen=True)
class TransitionFacts:
    """What the transition rule needs to know about the project."""

    total_investment_wan: Decimal
    signing_blocked: bool = False  # latest pre-review failed and was not overridden
    resume_stage: str | None = None  # for a suspended project: the stage it was at


def transition_problems(
    current: str, target: str, on: dt.date | None, facts: TransitionFacts, *, today: dt.date
) -> list[str]:
    """Why ``current`` → ``target`` on date ``on`` is not allowed (empty list: allowed).

    Forward moves along the pipeline may skip stages (an infrastructure project has no 注册), except that
    入库, 竣工, 投产 and 达产 need 开工 first; 入库 also needs a total ≥ 500万元; 签约 is refused while the latest
    pre-review failed without override; 停缓建 is possible only during construction (开工 … 投产) and resumes
    at the stage it interrupted or later; 终止 is possible from anywhere and final. Every event has a date,
    not in the future.
    """
    cur, tgt = Stage(current), Stage(target)
    problems: list[str] = []
    if on is None:
        problems.append("请填写日期（开工等阶段须有实际日期）。")
    elif on > today:
        problems.append(f"日期 {on.isoformat()} 晚于今天，不能登记未来的事件。")
    if cur is Stage.TERMINATED:
        return [*problems, "项目已终止，不能再变更阶段。"]
    if tgt is cur:
        return [*problems, f"项目已处于“{STAGE_LABELS[cur]}”阶段。"]
    if tgt is Stage.TERMINATED:
        return problems
    if tgt is Stage.SUSPENDED:
        r = rank(cur)
        if r is None or not _RANK[Stage.STARTED] <= r < _RANK[Stage.FULL_CAPACITY]:
            problems.append("只有在建（开工至投产之间）的项目可以停缓建。")
        return problems
    effective: Stage = cur
    if cur is Stage.SUSPENDED:
        effective = Stage(facts.resume_stage or Stage.STARTED)
        if _RANK[tgt] < _RANK[effective]:
            problems.append(f"停缓建项目只能恢复到“{STAGE_LABELS[effective]}”或之后的阶段。")
            return problems
    elif _RANK[tgt] <= _RANK[effective]:
        problems.append(f"不能从“{STAGE_LABELS[cur]}”退回到“{STAGE_LABELS[tgt]}”。")
        return problems
    if tgt is Stage.SIGNED and facts.signing_blocked:
        problems.append("最近一次签约预审未通过且未经批准放行，不能登记签约。")
    if _RANK[tgt] > _RANK[Stage.STARTED] and _RANK[effective] < _RANK[Stage.STARTED]:
        problems.append(f"“{STAGE_LABELS[tgt]}”须在开工之后。")
    if tgt is Stage.IN_STATS and facts.total_investment_wan < STATS_ENTRY_MIN_WAN:
        problems.append("计划总投资不足500万元的项目不能入库。")
    return problems


def stage_change_problems(
    current: str,
    target: str,
    on: dt.date | None,
    facts: TransitionFacts,
    *,
    year: int,
    month: int,
    today: dt.date,
) -> list[str]:
    """A stage change reported in the monthly report of ``year``/``month``: a valid transition dated no later than
    the end of that month (it is recorded when the report is approved)."""
    problems = transition_problems(current, target, on, facts, today=today)
    if on is not None and on > month_end(year, month):
        problems.append(f"阶段变更日期 {on.isoformat()} 晚于{year}年{month}月，请在当月的调度中填报。")
    return problems


def first_reached(events: Iterable[tuple[str, dt.date]]) -> dict[Stage, dt.date]:
    """For each pipeline stage, the first date the project was at that stage *or beyond*.

    A project recorded straight at 竣工 has thereby passed 开工; 停缓建 and 终止 reach nothing.
    """
    out: dict[Stage, dt.date] = {}
    for stage, on in events:
        r = rank(stage)
        if r is None:
            continue
        for s in PIPELINE[: r + 1]:
            if s not in out or on < out[s]:
                out[s] = on
    return out


# --------------------------------------------------------------------------- signing tiers and counting


class SigningKind(StrEnum):
    INITIAL = "initial"
    CAPITAL_INCREASE = "capital_increase"
    INVESTOR_CHANGE = "investor_change"


SIGNING_KIND_LABELS = {
    SigningKind.INITIAL: "首次签约",
    SigningKind.CAPITAL_INCREASE: "增资",
    SigningKind.INVESTOR_CHANGE: "投资方变更",
}

TIERS: tuple[tuple[str, Decimal], ...] = (
    ("ge_1yi", Decimal(10_000)),
    ("ge_10yi", Decimal(100_000)),
    ("ge_50yi", Decimal(500_000)),
    ("ge_100yi", Decimal(1_000_000)),
)


@dataclass(frozen=True)
class Signing:
    project_id: int
    on: dt.date
    kind: SigningKind
    amount_wan: Decimal  # the agreement's amount; for a capital increase: the increment only
    chain: str = Chain.OTHER


@dataclass(frozen=True)
class CountedSigning:
    project_id: int
    on: dt.date
    amount_wan: Decimal
    chain: str


def counted_signings(signings: Iterable[Signing]) -> list[CountedSigning]:
    """Apply the counting rules: a project counts once, at its first signing (later re-signings are not
    counted); a capital increase counts only its increment; a change of investor is a new signing."""
    out: list[CountedSigning] = []
    seen: set[int] = set()
    for s in sorted(signings, key=lambda s: (s.on, s.project_id)):
        if s.kind is SigningKind.INITIAL and s.project_id in seen:
            continue
        seen.add(s.project_id)
        out.append(CountedSigning(s.project_id, s.on, s.amount_wan, s.chain))
    return out


def tier_of(amount_wan: Decimal) -> str | None:
    """The highest size tier reached (≥1亿 … ≥100亿), or None below 1亿."""
    reached = [name for name, floor in TIERS if amount_wan >= floor]
    return reached[-1] if reached else None


def tier_counts(amounts: Iterable[Decimal]) -> dict[str, int]:
    """Counts per tier; cumulative (a 55亿 signing counts in ≥1亿, ≥10亿 and ≥50亿)."""
    counts = dict.fromkeys((name for name, _ in TIERS), 0)
    for amount in amounts:
        for name, floor in TIERS:
            if amount >= floor:
                counts[name] += 1
    return counts


# --------------------------------------------------------------------------- rates and formulas


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A fraction, or None when the denominator is zero (nothing to measure)."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def pct1(fraction: Decimal) -> Decimal:
    """A fraction as a percentage with one decimal, half-up (display only): 238/286 → 83.2."""
    return (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def yi(amount_wan: Decimal) -> Decimal:
    """万元 → 亿元, rounded to 0.1 (display only, as the speech quotes them)."""
    return (amount_wan / WAN_PER_YI).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def on_schedule(ytd_wan: Decimal, annual_plan_wan: Decimal, month: int) -> bool:
    """续建达序: year-to-date investment is at least the pro-rata share (时序进度) of the annual plan."""
    return ytd_wan * 12 >= annual_plan_wan * month


def scheduled_ytd(annual_plan_wan: Decimal, month: int) -> Decimal:
    """The pro-rata share (时序进度) of the annual plan due by the end of ``month`` (the chart's plan line)."""
    return annual_plan_wan * month / 12


def behind_schedule(ytd_wan: Decimal, annual_plan_wan: Decimal, month: int) -> bool:
    """A project with an annual plan whose approved YTD is below the pro-rata share (滞后于时序进度)."""
    return annual_plan_wan > 0 and not on_schedule(ytd_wan, annual_plan_wan, month)


def investment_intensity(total_wan: Decimal | None, land_mu: Decimal | None) -> Decimal | None:
    """投资强度 (万元/亩); None without a land area."""
    if total_wan is None or not land_mu:
        return None
    return total_wan / land_mu


def tax_per_mu(annual_tax_wan: Decimal | None, land_mu: Decimal | None) -> Decimal | None:
    """亩均税收 (万元/亩) at full production; None without a land area or tax figure."""
    if annual_tax_wan is None or not land_mu:
        return None
    return annual_tax_wan / land_mu


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return dt.date(year, month, 30 if month in (6, 9) else 31)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --------------------------------------------------------------------------- pre-review (签约预审)


class RuleKind(StrEnum):
    MIN_INTENSITY = "min_intensity"
    MIN_TAX_PER_MU = "min_tax_per_mu"
    MIN_TOTAL = "min_total"
    CHAINS = "chains"
    INDUSTRY = "industry"
    MANUAL = "manual"


RULE_KIND_LABELS = {
    RuleKind.MIN_INTENSITY: "投资强度下限（万元/亩）",
    RuleKind.MIN_TAX_PER_MU: "亩均税收下限（万元/亩）",
    RuleKind.MIN_TOTAL: "总投资下限（万元）",
    RuleKind.CHAINS: "限定产业链",
    RuleKind.INDUSTRY: "限定行业代码",
    RuleKind.MANUAL: "人工核查项",
}


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"


OUTCOME_LABELS = {Outcome.PASS: "通过", Outcome.FAIL: "不通过", Outcome.NEEDS_REVIEW: "待核查"}


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: RuleKind
    label: str = ""
    threshold: Decimal | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectProfile:
    total_investment_wan: Decimal
    land_area_mu: Decimal | None
    expected_tax_wan: Decimal | None
    chain: str
    industry_code: str


@dataclass(frozen=True)
class RuleResult:
    rule_id: int
    kind: RuleKind
    outcome: Outcome
    value: Decimal | str | None
    threshold: Decimal | str | None
    explanation: str


def _fmt(d: Decimal) -> str:
    q = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return format(q, "f")


def _minimum(rule: RuleSpec, value: Decimal | None, what: str, unit: str, missing: str) -> RuleResult:
    assert rule.threshold is not None
    limit = rule.threshold
    if value is None:
        return RuleResult(
            rule.id, rule.kind, Outcome.NEEDS_REVIEW, None, limit, f"{missing}，无法计算{what}，请人工核查。"
        )
    if value >= limit:  # exactly at the threshold passes: only "低于" is refused
        return RuleResult(
            rule.id,
            rule.kind,
            Outcome.PASS,
            value,
            limit,
            f"{what}{_fmt(value)}{unit}，不低于{_fmt(limit)}{unit}。",
        )
    return RuleResult(
        rule.id,
        rule.kind,
        Outcome.FAIL,
        value,
        limit,
        f"{what}{_fmt(value)}{unit}，低于{_fmt(limit)}{unit}，原则上不引不建。",
    )


def evaluate_rule(rule: RuleSpec, project: ProjectProfile, ticked: bool | None = None) -> RuleResult:
    """One rule against one project; ``ticked`` is the reviewer's answer for a manual check."""
    kind = rule.kind
    if kind is RuleKind.MIN_INTENSITY:
        value = investment_intensity(project.total_investment_wan, project.land_area_mu)
        return _minimum(rule, value, "投资强度", "万元/亩", "未填写用地面积")
    if kind is RuleKind.MIN_TAX_PER_MU:
        value = tax_per_mu(project.expected_tax_wan, project.land_area_mu)
        return _minimum(rule, value, "亩均税收", "万元/亩", "未填写用地面积或达产税收")
    if kind is RuleKind.MIN_TOTAL:
        return _minimum(rule, project.total_investment_wan, "计划总投资", "万元", "未填写总投资")
    if kind is RuleKind.CHAINS:
        allowed = "、".join(CHAIN_LABELS.get(v, v) for v in rule.values)
        chain = CHAIN_LABELS.get(project.chain, project.chain)
        ok = project.chain in rule.values
        return RuleResult(
            rule.id,
            kind,
            Outcome.PASS if ok else Outcome.FAIL,
            chain,
            allowed,
            f"所属产业链“{chain}”{'属于' if ok else '不属于'}准入产业链（{allowed}）。",
        )
    if kind is RuleKind.INDUSTRY:
        allowed = "、".join(rule.values)
        code = project.industry_code
        if not code:
            return RuleResult(
                rule.id, kind, Outcome.NEEDS_REVIEW, None, allowed, "未填写行业代码，请人工核查。"
            )
        ok = any(code.startswith(prefix) for prefix in rule.values)
        return RuleResult(
            rule.id,
            kind,
            Outcome.PASS if ok else Outcome.FAIL,
            code,
            allowed,
            f"行业代码{code}{'在' if ok else '不在'}准入范围（{allowed}）内。",
        )
    label = rule.label or "人工核查项"
    if ticked is None:
        return RuleResult(rule.id, kind, Outcome.NEEDS_REVIEW, None, None, f"“{label}”尚未核查。")
    return RuleResult(
        rule.id,
        kind,
        Outcome.PASS if ticked else Outcome.FAIL,
        "是" if ticked else "否",
        None,
        f"“{label}”核查{'通过' if ticked else '未通过'}。",
    )


def evaluate_rules(
    rules: Sequence[RuleSpec], project: ProjectProfile, ticks: Mapping[int, bool] | None = None
) -> tuple[Outcome, list[RuleResult]]:
    """The overall outcome is FAIL if any rule fails, else NEEDS_REVIEW if any needs review, else PASS."""
    ticks = ticks or {}
    results = [evaluate_rule(r, project, ticks.get(r.id)) for r in rules]
    outcomes = {r.outcome for r in results}
    overall = (
        Outcome.FAIL
        if Outcome.FAIL in outcomes
        else Outcome.NEEDS_REVIEW
        if Outcome.NEEDS_REVIEW in outcomes
        else Outcome.PASS
    )
    return overall, results


def signing_blocked(latest_outcome: str | None, overridden: bool) -> bool:
    """A signing cannot be recorded while the latest pre-review failed without an override."""
    return latest_outcome == Outcome.FAIL and not overridden


# --------------------------------------------------------------------------- approvals (云易办)


class ApprovalStage(StrEnum):
    PROJECT_LAND = "project_land"
    ENGINEERING = "engineering"
    CONSTRUCTION = "construction"
    ACCEPTANCE = "acceptance"
    PARALLEL = "parallel"


APPROVAL_STAGE_LABELS = {
    ApprovalStage.PROJECT_LAND: "立项用地规划许可",
    ApprovalStage.ENGINEERING: "工程建设许可",
    ApprovalStage.CONSTRUCTION: "施工许可",
    ApprovalStage.ACCEPTANCE: "竣工验收",
    ApprovalStage.PARALLEL: "并联事项",
}


class DocState(StrEnum):
    PENDING = "pending"
    SUPPLIED = "supplied"
    OVERDUE = "overdue"


def missing_doc_state(due: dt.date, supplied_on: dt.date | None, today: dt.date) -> DocState:
    """容缺后补: supplied (whenever), pending until its due date (inclusive), overdue after it."""
    if supplied_on is not None:
        return DocState.SUPPLIED
    return DocState.OVERDUE if today > due else DocState.PENDING


def case_to_terminate(
    docs: Iterable[tuple[dt.date, dt.date | None]], today: dt.date, grace_workdays: int = 0
) -> bool:
    """A 容缺 case is terminated when a missing document is still not supplied ``grace_workdays`` working
    days after its due date (default 0: the day after the due date)."""
    return any(
        supplied is None and today > due and workdays_between(due, today) > grace_workdays
        for due, supplied in docs
    )


def approval_overdue(planned_on: dt.date | None, finished: bool, today: dt.date) -> bool:
    """An approval item still open after its planned date (逾期未办结)."""
    return not finished and planned_on is not None and today > planned_on


def land_to_permit_workdays(land_contract_on: dt.date | None, permit_on: dt.date | None) -> int | None:
    """拿地即开工: working days from the land contract to the construction permit (0 = the same day)."""
    if land_contract_on is None or permit_on is None:
        return None
    return workdays_between(land_contract_on, permit_on)


# --------------------------------------------------------------------------- monthly report (月度调度)


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    LOCKED = "locked"


REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: "草稿",
    ReportStatus.SUBMITTED: "已提交",
    ReportStatus.RETURNED: "已退回",
    ReportStatus.APPROVED: "已审核",
    ReportStatus.LOCKED: "已锁定",
}


class ReportAction(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    LOCK = "lock"
    REOPEN = "reopen"


REPORT_TRANSITIONS: dict[ReportAction, tuple[frozenset[ReportStatus], ReportStatus]] = {
    ReportAction.SUBMIT: (frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}), ReportStatus.SUBMITTED),
    ReportAction.RETURN: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.RETURNED),
    ReportAction.APPROVE: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED),
    ReportAction.LOCK: (frozenset({ReportStatus.APPROVED}), ReportStatus.LOCKED),
    ReportAction.REOPEN: (frozenset({ReportStatus.APPROVED, ReportStatus.LOCKED}), ReportStatus.RETURNED),
}
EDITABLE_REPORT_STATES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
COUNTED_REPORT_STATES = frozenset({ReportStatus.APPROVED, ReportStatus.LOCKED})


def next_report_status(current: str, action: ReportAction) -> ReportStatus | None:
    """The state after ``action``, or None if the action is not allowed from ``current``."""
    allowed, to = REPORT_TRANSITIONS[action]
    return to if ReportStatus(current) in allowed else None


JUMP_FACTOR = Decimal(10)  # a month ≥ 10× the previous month looks like a 万/亿 slip


@dataclass(frozen=True)
class ReportContext:
    """The facts a report is checked against."""

    today: dt.date
    total_investment_wan: Decimal
    completed_before_wan: Decimal = Decimal(0)  # 开累 at the start of the year
    previous_ytd_wan: Decimal | None = None  # latest earlier month of the same year
    previous_month_wan: Decimal | None = None  # that month's own investment
    next_ytd_wan: Decimal | None = None  # earliest later month already reported


@dataclass(frozen=True)
class ReportFigures:
    year: int
    month: int
    ytd_wan: Decimal
    confirm_note: str = ""

    def month_wan(self, ctx: ReportContext) -> Decimal:
        """This month's investment = YTD − previous YTD (kept consistent by construction)."""
        return self.ytd_wan - (ctx.previous_ytd_wan or Decimal(0))


def reconcile_month_ytd(
    month_wan: Decimal | None, ytd_wan: Decimal | None, previous_ytd_wan: Decimal | None
) -> tuple[Decimal | None, str]:
    """The dispatch sheet lets the officer type 本月完成投资, 累计完成投资 or both; returns the YTD to store and a
    problem ("" when none). One of them derives the other; both must agree (previous YTD + month = YTD)."""
    prev = previous_ytd_wan or Decimal(0)
    if ytd_wan is None and month_wan is None:
        return None, "请填写本月完成投资或累计完成投资。"
    if ytd_wan is None:
        assert month_wan is not None
        return prev + month_wan, ""
    if month_wan is not None and prev + month_wan != ytd_wan:
        return ytd_wan, (
            f"本月完成投资（{_fmt(month_wan)}万元）与累计不一致：上月累计{_fmt(prev)}万元 + 本月"
            f"{_fmt(month_wan)}万元 = {_fmt(prev + month_wan)}万元，而累计填的是{_fmt(ytd_wan)}万元。"
        )
    return ytd_wan, ""


def report_problems(fig: ReportFigures, ctx: ReportContext) -> dict[str, str]:
    """Every reason to reject a monthly report, keyed by field (empty dict: acceptable)."""
    problems: dict[str, str] = {}
    if not 1 <= fig.month <= 12:
        return {"month": "月份必须在1到12之间。"}
    if (fig.year, fig.month) > (ctx.today.year, ctx.today.month):
        problems["month"] = f"不能填报未来月份（{fig.year}年{fig.month}月）。"
    if fig.ytd_wan < 0:
        problems["ytd_wan"] = "累计完成投资不能为负数。"
        return problems
    if ctx.previous_ytd_wan is not None and fig.ytd_wan < ctx.previous_ytd_wan:
        problems["ytd_wan"] = (
            f"累计完成投资（{_fmt(fig.ytd_wan)}万元）不能小于此前月份的累计（{_fmt(ctx.previous_ytd_wan)}万元）。"
        )
    elif ctx.next_ytd_wan is not None and fig.ytd_wan > ctx.next_ytd_wan:
        problems["ytd_wan"] = (
            f"累计完成投资（{_fmt(fig.ytd_wan)}万元）不能大于之后月份已报的累计（{_fmt(ctx.next_ytd_wan)}万元）。"
        )
    cumulative = ctx.completed_before_wan + fig.ytd_wan
    if cumulative > ctx.total_investment_wan:
        problems.setdefault(
            "ytd_wan",
            f"开累完成投资（{_fmt(cumulative)}万元）超过项目总投资（{_fmt(ctx.total_investment_wan)}万元）。",
        )
    month_wan = fig.month_wan(ctx)
    prev = ctx.previous_month_wan
    if prev and prev > 0 and month_wan >= prev * JUMP_FACTOR and not fig.confirm_note.strip():
        problems.setdefault(
            "confirm_note",
            f"本月完成投资{_fmt(month_wan)}万元，是上月（{_fmt(prev)}万元）的{_fmt(month_wan / prev)}倍，"
            "请核实单位（万元/亿元）；确属实的请填写确认说明。",
        )
    return problems


# --------------------------------------------------------------------------- metrics over plain rows


@dataclass(frozen=True)
class ProjectRow:
    """One project as the metrics see it for one year (no ORM)."""

    id: int
    total_investment_wan: Decimal
    chain: str = Chain.OTHER
    category: str = Category.OTHER
    is_key: bool = False
    level: str = Level.NONE
    is_new: bool = False
    annual_plan_wan: Decimal = Decimal(0)
    planned_start_quarter: int | None = None
    reached: Mapping[Stage, dt.date] = field(default_factory=dict)
    recognised_on: dt.date | None = None
    ytd_wan: Decimal = Decimal(0)  # approved investment this year up to the as-of month

    def reached_by(self, stage: Stage, on: dt.date) -> bool:
        when = self.reached.get(stage)
        return when is not None and when <= on


@dataclass(frozen=True)
class Cohort:
    """转化开工率 / 认定率 cohort: projects whose first counted signing falls in [start, end]."""

    start: dt.date
    end: dt.date


START_RATE_Q1_TARGET = Decimal("0.8")
START_RATE_Q2_TARGET = Decimal(1)


def start_rate(rows: Iterable[ProjectRow], on: dt.date) -> tuple[int, int, Decimal | None]:
    """开工率 of new (新建) key projects: (planned, started by ``on``, rate)."""
    new = [r for r in rows if r.is_key and r.is_new]
    started = sum(1 for r in new if r.reached_by(Stage.STARTED, on))
    return len(new), started, rate(started, len(new))


def continuing_on_schedule(rows: Iterable[ProjectRow], month: int) -> tuple[int, int, Decimal | None]:
    """续建达序率: (continuing key projects, those on schedule at ``month``, rate)."""
    cont = [r for r in rows if r.is_key and not r.is_new]
    ok = sum(1 for r in cont if on_schedule(r.ytd_wan, r.annual_plan_wan, month))
    return len(cont), ok, rate(ok, len(cont))


def first_signing_dates(signings: Iterable[Signing]) -> dict[int, dt.date]:
    out: dict[int, dt.date] = {}
    for s in signings:
        if s.project_id not in out or s.on < out[s.project_id]:
            out[s.project_id] = s.on
    return out


def cohort_ids(signings: Iterable[Signing], cohort: Cohort) -> set[int]:
    return {pid for pid, on in first_signing_dates(signings).items() if cohort.start <= on <= cohort.end}


def conversion_start_rate(rows: Mapping[int, ProjectRow], cohort: set[int], on: dt.date) -> Decimal | None:
    """转化开工率 = signed projects of the cohort that have started by ``on`` / the cohort."""
    started = sum(1 for pid in cohort if pid in rows and rows[pid].reached_by(Stage.STARTED, on))
    return rate(started, len(cohort))


def recognition_rate(rows: Mapping[int, ProjectRow], cohort: set[int], on: dt.date) -> Decimal | None:
    """认定率 = cohort projects recognised by ``on`` / the cohort."""
    ok = sum(1 for pid in cohort if pid in rows and (d := rows[pid].recognised_on) is not None and d <= on)
    return rate(ok, len(cohort))


def stats_entry_rate(rows: Iterable[ProjectRow], year: int, on: dt.date) -> Decimal | None:
    """入库率 = projects that started in ``year`` (by ``on``) and entered the statistics by ``on`` / started."""
    started = [r for r in rows if r.reached_by(Stage.STARTED, on) and r.reached[Stage.STARTED].year == year]
    entered = sum(1 for r in started if r.reached_by(Stage.IN_STATS, on))
    return rate(entered, len(started))


def industry_concentration(counted: Iterable[CountedSigning]) -> Decimal | None:
    """产业集中度 = share of counted signed investment in the five leading chains."""
    total = Decimal(0)
    leading = Decimal(0)
    for s in counted:
        total += s.amount_wan
        if s.chain in LEADING_CHAINS:
            leading += s.amount_wan
    return rate(leading, total)


def key_project_summary(rows: Iterable[ProjectRow]) -> dict[str, object]:
    """Counts and amounts of the year's key projects, in total and by level (万元)."""
    key = [r for r in rows if r.is_key]
    by_level: dict[str, dict[str, object]] = {}
    groups: dict[str, list[ProjectRow]] = defaultdict(list)
    for r in key:
        groups[LEVEL_SHORT.get(r.level, r.level)].append(r)
    for label in ("市级", "县级", *sorted(set(groups) - {"市级", "县级"})):
        members = groups.get(label, [])
        by_level[label] = {
            "count": len(members),
            "total_investment_wan": sum((r.total_investment_wan for r in members), Decimal(0)),
            "annual_plan_wan": sum((r.annual_plan_wan for r in members), Decimal(0)),
        }
    plan = sum((r.annual_plan_wan for r in key), Decimal(0))
    done = sum((r.ytd_wan for r in key), Decimal(0))
    return {
        "count": len(key),
        "total_investment_wan": sum((r.total_investment_wan for r in key), Decimal(0)),
        "annual_plan_wan": plan,
        "completed_ytd_wan": done,
        "completion_rate": rate(done, plan),
        "by_level": by_level,
    }


# --------------------------------------------------------------------------- pages: monthly reporting, funnel, groups

# A project reports monthly (月度调度) in a year if it has an annual plan for it, or is between 签约 and 投产, or is
# suspended (停缓建 still reports its situation).
REPORTING_STAGES: frozenset[Stage] = frozenset(
    {*PIPELINE[_RANK[Stage.SIGNED] : _RANK[Stage.PRODUCING] + 1], Stage.SUSPENDED}
)
TIER_LABELS = {
    "ge_1yi": "1亿元以上",
    "ge_10yi": "10亿元以上",
    "ge_50yi": "50亿元以上",
    "ge_100yi": "100亿元以上",
}
BELOW_TIERS = "below_1yi"


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    label: str
    count: int  # projects at this stage or beyond
    amount_wan: Decimal  # their total investment


def funnel(projects: Iterable[tuple[str, str, Decimal]]) -> tuple[list[FunnelStep], dict[str, int]]:
    """The pipeline funnel from (stage, resume stage, total investment) per project: for each pipeline stage the
    projects that have reached it (a suspended project counts at the stage it interrupted), and the counts of
    停缓建 and 终止 projects apart."""
    counts = [0] * len(PIPELINE)
    amounts = [Decimal(0)] * len(PIPELINE)
    apart = {Stage.SUSPENDED.value: 0, Stage.TERMINATED.value: 0}
    for stage, resume, total in projects:
        if stage in apart:
            apart[stage] += 1
        r = rank(resume or Stage.STARTED) if stage == Stage.SUSPENDED else rank(stage)
        if r is None:
            continue
        for i in range(r + 1):
            counts[i] += 1
            amounts[i] += total
    steps = [FunnelStep(s, STAGE_LABELS[s], counts[i], amounts[i]) for i, s in enumerate(PIPELINE)]
    return steps, apart


@dataclass(frozen=True)
class GroupTotals:
    count: int = 0
    total_investment_wan: Decimal = Decimal(0)
    annual_plan_wan: Decimal = Decimal(0)
    ytd_wan: Decimal = Decimal(0)

    @property
    def completion_rate(self) -> Decimal | None:
        return rate(self.ytd_wan, self.annual_plan_wan)


def group_totals(rows: Iterable[ProjectRow], key: Callable[[ProjectRow], str]) -> dict[str, GroupTotals]:
    """Counts and amounts of ``rows`` grouped by ``key`` (in first-seen order)."""
    out: dict[str, GroupTotals] = {}
    for r in rows:
        g = out.get(key(r), GroupTotals())
        out[key(r)] = GroupTotals(
            g.count + 1,
            g.total_investment_wan + r.total_investment_wan,
            g.annual_plan_wan + r.annual_plan_wan,
            g.ytd_wan + r.ytd_wan,
        )
    return out


def current_stage(reached: Mapping[Stage, dt.date]) -> Stage | None:
    """The furthest pipeline stage reached (from :func:`first_reached`)."""
    return max(reached, key=lambda s: _RANK[s], default=None)


def signed_tiers(counted: Iterable[CountedSigning], year: int, on: dt.date) -> dict[str, int]:
    return tier_counts(s.amount_wan for s in counted if s.on.year == year and s.on <= on)
