"""Whole sentences of the briefing, from plain facts (no ORM): one target, the key projects.

The facts carry the :class:`~diaodu.plans.domain.Evaluation` made by
:func:`diaodu.plans.evaluation.evaluate_targets` and the figures of :mod:`diaodu.projects.metrics`; nothing is
judged or recomputed here, only worded with :mod:`diaodu.reports.phrases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from diaodu.plans import domain
from diaodu.reports import phrases

MEASURES_IN_POINTS = (domain.Measure.GROWTH, domain.Measure.RATIO)


@dataclass(frozen=True)
class RankFact:
    """A unit's place in its peer group for one indicator (from the peer ranking, 横比)."""

    position: int
    total: int
    area: str = "全市"  # how the group is named in a sentence: "全市", "全县乡镇"
    change: int | None = None  # places gained since last month (+ up, - down)


@dataclass(frozen=True)
class TargetFacts:
    subject: str  # "全县", "临港产业区"
    name: str  # indicator name
    unit: str  # the target's unit: "%", "万美元", "家"
    measure: str
    direction: str
    evaluation: domain.Evaluation
    reference: str = ""  # relative targets: the reference indicator ("地区生产总值")
    deadline_month: int | None = None  # dated targets within the year (3 -> "3月底目标")
    rank: RankFact | None = None
    forecast: str = ""  # an optional clause about the year-end forecast ("预计全年增长17.6%")


def _target_label(f: TargetFacts) -> str:
    if f.reference:
        return f"{f.reference}增速"
    if f.deadline_month is not None and f.deadline_month != 12:
        return f"{f.deadline_month}月底目标"
    return "目标"


def _figure_clause(f: TargetFacts, actual: Decimal) -> str:
    if f.measure == domain.Measure.GROWTH:
        return f"{f.subject}{f.name}{phrases.growth_phrase(actual)}"
    if f.unit == "%":
        return f"{f.subject}{f.name}为{phrases.format_number(actual, 1)}%"
    return f"{f.subject}{phrases.count_subject(f.name, f.unit)}{phrases.format_amount(actual, f.unit)}"


def _comparison_clauses(f: TargetFacts) -> list[str]:
    ev = f.evaluation
    label = _target_label(f)
    if f.measure in MEASURES_IN_POINTS or f.unit == "%":
        return [phrases.versus_phrase(ev.actual, ev.target, label=label)]
    if ev.schedule_pct is not None:
        of = "年度目标" if label == "目标" else label
        return [phrases.completion_phrase(ev.completion_pct, of=of), phrases.schedule_phrase(ev.points_ahead)]
    if ev.actual is None or ev.target is None:
        return []
    if f.direction == domain.Direction.LOWER:
        if ev.met:
            return [f"控制在{label}{phrases.format_amount(ev.target, f.unit)}以内"]
        return [f"超出{label}{phrases.format_amount(ev.actual - ev.target, f.unit)}"]
    return [phrases.completion_phrase(ev.completion_pct, of="年度目标" if label == "目标" else label)]


def _streak_words(f: TargetFacts) -> tuple[str, str]:
    if f.evaluation.schedule_pct is not None and f.measure not in MEASURES_IN_POINTS:
        return "达到序时进度", "落后序时进度"
    label = _target_label(f)
    return f"达到{label}", f"低于{label}"


def target_sentence(f: TargetFacts) -> str:
    """ "1—9月，全县规上工业总产值同比增长18.5%，低于目标1.5个百分点，连续3个月低于目标，列全市第3位。"

    Clauses: period and figure; against the target (points for growth and ratios, completion and 序时进度 for
    cumulative amounts); "已追补达标" for a made-up dated target; 首次/连续N个月; the rank and the forecast when
    known. A target without data reads "全县XX暂无数据。".
    """
    ev = f.evaluation
    if ev.data_month is None or ev.actual is None:
        return f"{f.subject}{f.name}暂无数据。"
    clauses = [_figure_clause(f, ev.actual), *_comparison_clauses(f)]
    if ev.made_up:
        clauses.append("已追补达标")
    met, missed = _streak_words(f)
    clauses.append(phrases.streak_phrase(ev.monthly, met=met, missed=missed))
    if f.rank is not None:
        clauses.append(phrases.rank_phrase(f.rank.position, f.rank.total, area=f.rank.area))
    clauses.append(f.forecast)
    body = "，".join(c for c in clauses if c)
    return f"{phrases.period_phrase(ev.data_month)}，{body}。"


# --------------------------------------------------------------------------- key projects


@dataclass(frozen=True)
class KeyProjectFacts:
    subject: str
    month: int
    count: int
    total_investment_wan: Decimal
    annual_plan_wan: Decimal
    completed_ytd_wan: Decimal
    completion_pct: Decimal | None  # completed / annual plan, in percent
    points_ahead: Decimal | None  # against 时序进度
    new_planned: int
    new_started: int
    start_rate_pct: Decimal | None
    continuing: int
    continuing_on_schedule: int
    continuing_rate_pct: Decimal | None


def key_project_sentences(f: KeyProjectFacts) -> list[str]:
    """The key-project paragraph: size of the library, investment against the plan, 开工率 and 续建达序率."""
    if f.count == 0:
        return [f"{f.subject}暂无市县重点项目。"]
    first = (
        f"{f.subject}共有市县重点项目{f.count}个，计划总投资{phrases.format_amount(f.total_investment_wan, '万元')}，"
        f"年度计划投资{phrases.format_amount(f.annual_plan_wan, '万元')}。"
    )
    done = [f"累计完成投资{phrases.format_amount(f.completed_ytd_wan, '万元')}"]
    done.append(phrases.completion_phrase(f.completion_pct, of="年度计划"))
    done.append(phrases.schedule_phrase(f.points_ahead))
    second = f"{phrases.period_phrase(f.month)}，" + "，".join(c for c in done if c) + "。"
    out = [first, second]
    parts = []
    if f.new_planned:
        parts.append(
            f"新建项目{f.new_planned}个，已开工{f.new_started}个，开工率{phrases.pct(f.start_rate_pct or Decimal(0))}%"
        )
    if f.continuing:
        parts.append(
            f"续建项目{f.continuing}个，达到序时进度{f.continuing_on_schedule}个，"
            f"续建达序率{phrases.pct(f.continuing_rate_pct or Decimal(0))}%"
        )
    if parts:
        out.append("；".join(parts) + "。")
    return out
