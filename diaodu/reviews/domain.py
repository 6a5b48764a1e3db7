"""Pure rules of peer ranking (横比), year-end forecast (预测预警), quarterly review scoring and 实干指数.

No Django here: plain values in, plain values out. Pages, the CLI, the API and the Word briefings all call these
functions, so a rank, a forecast or a score has one definition. Numbers are :class:`~decimal.Decimal`; percentages
are in percent (``7`` means 7%). Nothing is rounded except where a function says so (:func:`composite` rounds each
contribution to 0.01 so that the breakdown sums exactly to the score that is shown).

* :func:`rank` — competition ranking ("1224"): ties share a rank and the next rank skips; missing values come last,
  unranked. :func:`weighted_rank` ranks on several indicators with weights (min–max scaled to 0–100 per indicator).
* :func:`rank_change` / :func:`bottom` — places gained since last month, the 倒数 list.
* :func:`forecast_year_end` — projected = YTD ÷ last year's share of the full year reached by the same month; falls
  back to 时序进度 (YTD ÷ months/12) when last year's profile is missing. :func:`warning_since` finds the month a
  warning first appeared (the start of the current run of warnings).
* :func:`trimmed_mean` — the observation score: drop one highest and one lowest when there are five or more raters.
* :func:`composite` — a weighted score with a breakdown whose contributions sum to the score (review totals,
  实干指数 of units and of leaders).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, TypeVar

__all__ = [
    "MIN_RATERS_FOR_TRIMMING",
    "Composite",
    "Forecast",
    "ForecastMethod",
    "IndicatorScore",
    "Part",
    "RankEntry",
    "TrimmedMean",
    "WeightedEntry",
    "bottom",
    "composite",
    "forecast_year_end",
    "from_bottom",
    "light_score",
    "projected_growth",
    "rank",
    "rank_change",
    "ratio_score",
    "scale_scores",
    "trimmed_mean",
    "warning_since",
    "weighted_rank",
]

K = TypeVar("K", bound=Hashable)
HUNDRED = Decimal(100)
MONTHS_IN_YEAR = 12
CENT = Decimal("0.01")


def _q2(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankEntry(Generic[K]):
    """One ranked key. ``rank`` is None (and ``tied`` False) when the value is missing."""

    key: K
    value: Decimal | None
    rank: int | None
    tied: bool = False


def rank(values: Mapping[K, Decimal | None], *, higher_is_better: bool = True) -> list[RankEntry[K]]:
    """Competition ranking of ``values``: best first, ties share a rank ("1224"), missing values last, unranked.

    Equal values are equal whatever their written precision (``Decimal("7")`` ties ``Decimal("7.00")``). Keys with
    equal values, and the missing ones, keep the order of ``values``.

    >>> [(e.key, e.rank, e.tied) for e in rank({"a": Decimal(3), "b": Decimal(5), "c": Decimal(3), "d": None})]
    [('b', 1, False), ('a', 2, True), ('c', 2, True), ('d', None, False)]
    """
    present = [(k, v) for k, v in values.items() if v is not None]
    missing = [k for k, v in values.items() if v is None]
    for _k, v in present:
        if not v.is_finite():
            raise ValueError(f"cannot rank a non-finite value {v!r}")
    present.sort(key=lambda kv: -kv[1] if higher_is_better else kv[1])  # stable: input order within ties
    counts: dict[Decimal, int] = {}
    for _k, v in present:
        counts[v] = counts.get(v, 0) + 1
    out: list[RankEntry[K]] = []
    previous: Decimal | None = None
    current_rank = 0
    for position, (k, v) in enumerate(present, start=1):
        if previous is None or v != previous:
            current_rank = position
            previous = v
        out.append(RankEntry(k, v, current_rank, counts[v] > 1))
    out.extend(RankEntry(k, None, None, False) for k in missing)
    return out


def rank_change(current: int | None, previous: int | None) -> int | None:
    """Places gained since the previous period (positive = moved up, 第5 → 第3 is +2); None if either is unranked."""
    if current is None or previous is None:
        return None
    return previous - current


def bottom(entries: Sequence[RankEntry[K]], n: int = 3) -> list[RankEntry[K]]:
    """The 倒数 list: ranked entries in the last ``n`` places, worst first (``倒数第1`` first).

    "Last n places" counts positions, so a tie straddling the cut is included whole: with ranks 1,2,3,3 and
    ``n=1`` both entries ranked 3 are returned. Unranked (missing) entries are never in it.
    """
    if n <= 0:
        return []
    ranked = [e for e in entries if e.rank is not None]
    if not ranked:
        return []
    cut = len(ranked) - n  # positions after ``cut`` are the last n
    chosen = [e for e in ranked if e.rank is not None and _last_position(ranked, e) > cut]
    return list(reversed(chosen))


def _last_position(ranked: Sequence[RankEntry[K]], entry: RankEntry[K]) -> int:
    """The last position (1-based) occupied by the entry's tie group."""
    return sum(1 for e in ranked if e.rank is not None and entry.rank is not None and e.rank <= entry.rank)


def from_bottom(entries: Sequence[RankEntry[K]], entry: RankEntry[K]) -> int | None:
    """倒数第N位 of an entry: 1 for the (group of) worst; None if unranked."""
    if entry.rank is None:
        return None
    return sum(1 for e in entries if e.rank is not None and e.rank > entry.rank) + 1


@dataclass(frozen=True)
class IndicatorScore:
    """How one indicator contributed to a weighted rank of one key."""

    indicator: str
    value: Decimal | None
    scaled: Decimal  # 0..100 (min–max over the keys with a value; 0 when missing)
    weight: Decimal
    contribution: Decimal  # weight * scaled / sum(weights), rounded to 0.01


@dataclass(frozen=True)
class WeightedEntry(Generic[K]):
    key: K
    score: Decimal | None  # sum of the contributions; None when the key has no value at all
    rank: int | None
    tied: bool
    parts: tuple[IndicatorScore, ...]


def scale_scores(values: Mapping[K, Decimal | None], *, higher_is_better: bool = True) -> dict[K, Decimal]:
    """Min–max scaling to 0..100 (best 100, worst 0); every key gets 100 when all present values are equal;
    missing values score 0."""
    present = [v for v in values.values() if v is not None]
    out: dict[K, Decimal] = {}
    lo, hi = (min(present), max(present)) if present else (Decimal(0), Decimal(0))
    for k, v in values.items():
        if v is None:
            out[k] = Decimal(0)
        elif hi == lo:
            out[k] = HUNDRED
        else:
            share = (v - lo) / (hi - lo) if higher_is_better else (hi - v) / (hi - lo)
            out[k] = share * HUNDRED
    return out


def weighted_rank(
    values: Mapping[str, Mapping[K, Decimal | None]],
    weights: Mapping[str, Decimal],
    *,
    higher_is_better: Mapping[str, bool] | None = None,
) -> list[WeightedEntry[K]]:
    """Rank keys on several indicators at once.

    ``values[indicator][key]``; each indicator is min–max scaled to 0..100 over the keys (see :func:`scale_scores`),
    weighted, and the contributions (``weight × scaled ÷ Σweights``, rounded to 0.01) are summed: the score is
    exactly the sum of its parts, so every rank can be explained. A missing value scores 0 on that indicator; a key
    with no value on any indicator is unranked. Keys are the union over indicators, in first-seen order.
    """
    if not values:
        return []
    unknown = set(values) - set(weights)
    if unknown:
        raise ValueError(f"no weight for {sorted(unknown)}")
    total_weight = sum((weights[i] for i in values), Decimal(0))
    if total_weight <= 0:
        raise ValueError("the weights must sum to a positive number")
    directions = higher_is_better or {}
    keys: list[K] = []
    for per_key in values.values():
        for k in per_key:
            if k not in keys:
                keys.append(k)
    scaled = {
        i: scale_scores({k: values[i].get(k) for k in keys}, higher_is_better=directions.get(i, True))
        for i in values
    }
    parts: dict[K, tuple[IndicatorScore, ...]] = {}
    scores: dict[K, Decimal | None] = {}
    for k in keys:
        row = tuple(
            IndicatorScore(
                i, values[i].get(k), scaled[i][k], weights[i], _q2(weights[i] * scaled[i][k] / total_weight)
            )
            for i in values
        )
        parts[k] = row
        scores[k] = (
            sum((p.contribution for p in row), Decimal(0)) if any(p.value is not None for p in row) else None
        )
    return [WeightedEntry(e.key, e.value, e.rank, e.tied, parts[e.key]) for e in rank(scores)]


# --------------------------------------------------------------------------- forecast and early warning


class ForecastMethod(StrEnum):
    # last year's monthly profile: YTD ÷ (last year's same-month YTD ÷ last year's full year)
    PROFILE = "profile"
    SCHEDULE = "schedule"  # 时序进度 fallback: YTD ÷ (months elapsed ÷ 12)


@dataclass(frozen=True)
class Forecast:
    """A projected year-end value.

    ``share`` is the fraction of the full year assumed reached by ``month`` (last year's, or ``month/12``);
    ``reason`` says in Chinese why the fallback was used (empty for the profile method).
    """

    value: Decimal | None
    method: ForecastMethod
    share: Decimal | None
    month: int
    reason: str = ""

    @property
    def is_fallback(self) -> bool:
        return self.method is ForecastMethod.SCHEDULE


def forecast_year_end(
    ytd: Decimal | None,
    last_year_same_month_ytd: Decimal | None,
    last_year_full: Decimal | None,
    *,
    month: int,
) -> Forecast:
    """Project the year-end value of a cumulative indicator from its year-to-date value at ``month``.

    ``projected = ytd ÷ share`` with ``share = last_year_same_month_ytd ÷ last_year_full`` (the profile method).
    When last year's same-month or full-year value is missing or not positive, or the share is not in (0, 1],
    the share is the 时序进度 ``month ÷ 12`` instead (method "schedule", with the reason). ``ytd`` None gives a
    forecast whose value is None. Worked example: 45亿 by September, last year 40亿 by September of 60亿 →
    share 2/3, projected 67.5亿; without last year's profile 45 ÷ 0.75 = 60亿.
    """
    if not 1 <= month <= MONTHS_IN_YEAR:
        raise ValueError(f"month must be in 1..12, got {month!r}")
    reason = ""
    share: Decimal | None = None
    if last_year_same_month_ytd is None or last_year_full is None:
        reason = "缺少上年同期或上年全年数据，按时序进度推算"
    elif last_year_full <= 0 or last_year_same_month_ytd <= 0:
        reason = "上年数据不为正数，按时序进度推算"
    else:
        share = last_year_same_month_ytd / last_year_full
        if share > 1:
            reason = "上年同期累计超过上年全年（口径不一致），按时序进度推算"
            share = None
    if share is None:
        share = Decimal(month) / Decimal(MONTHS_IN_YEAR)
        method = ForecastMethod.SCHEDULE
    else:
        method = ForecastMethod.PROFILE
    value = None if ytd is None else ytd / share
    return Forecast(value, method, share, month, reason)


def projected_growth(forecast: Forecast, last_year_full: Decimal | None) -> Decimal | None:
    """Projected full-year growth in percent: ``(projected ÷ last year's full year − 1) × 100``."""
    if forecast.value is None or last_year_full is None or last_year_full <= 0:
        return None
    return (forecast.value / last_year_full - 1) * HUNDRED


def warning_since(flags: Mapping[int, bool | None]) -> int | None:
    """The month the current warning first appeared: the first month of the unbroken run of warnings that
    reaches the latest judged month; None when the latest judged month is not a warning.

    ``flags[month]`` is True (warning), False (projected to meet) or None (not judged: skipped, it neither
    starts nor breaks a run). ``{7: False, 8: True, 9: True}`` → 8.
    """
    judged = sorted((m, f) for m, f in flags.items() if f is not None)
    if not judged or not judged[-1][1]:
        return None
    since = judged[-1][0]
    for m, f in reversed(judged):
        if not f:
            break
        since = m
    return since


# --------------------------------------------------------------------------- review scoring


MIN_RATERS_FOR_TRIMMING = 5


@dataclass(frozen=True)
class TrimmedMean:
    value: Decimal | None
    kept: tuple[Decimal, ...]
    dropped: tuple[Decimal, ...]  # (highest, lowest) when trimmed

    @property
    def trimmed(self) -> bool:
        return bool(self.dropped)


def trimmed_mean(scores: Iterable[Decimal], *, min_raters: int = MIN_RATERS_FOR_TRIMMING) -> TrimmedMean:
    """The observation score of one unit: the mean of the raters' scores, after dropping one highest and one
    lowest score when there are ``min_raters`` (5) or more raters. No score → value None.

    ``[90, 85, 80, 70, 95]`` → drop 95 and 70 → mean(90, 85, 80) = 85.
    """
    ordered = sorted(scores)
    if not ordered:
        return TrimmedMean(None, (), ())
    dropped: tuple[Decimal, ...]
    if len(ordered) >= min_raters:
        dropped = (ordered[-1], ordered[0])
        kept = ordered[1:-1]
    else:
        dropped, kept = (), ordered
    return TrimmedMean(sum(kept, Decimal(0)) / len(kept), tuple(kept), dropped)


@dataclass(frozen=True)
class Part:
    """One component of a composite score: a 0–100 score and its weight (``score`` None: not applicable)."""

    key: str
    label: str
    score: Decimal | None
    weight: Decimal
    detail: str = ""


@dataclass(frozen=True)
class Contribution:
    part: Part
    effective_weight: Decimal  # the weight's share after re-weighting over the applicable parts, 0..1
    points: Decimal  # effective_weight × score, rounded to 0.01; 0 for a part that does not apply


@dataclass(frozen=True)
class Composite:
    """A weighted score and its breakdown: ``score == sum(c.points for c in contributions)`` exactly."""

    score: Decimal | None
    contributions: tuple[Contribution, ...] = field(default_factory=tuple)

    @property
    def applicable(self) -> tuple[Contribution, ...]:
        return tuple(c for c in self.contributions if c.part.score is not None)


def composite(parts: Sequence[Part]) -> Composite:
    """Weighted mean of the parts that apply (score not None), re-weighted over them.

    Each contribution is ``weight ÷ Σ(applicable weights) × score`` rounded to 0.01 and the score is the sum of
    the contributions, so the breakdown shown next to a score always adds up to it. A part that does not apply
    (no targets, no projects…) contributes 0 and says so; no applicable part → score None.
    """
    for p in parts:
        if p.weight < 0:
            raise ValueError(f"negative weight for {p.key}")
        if p.score is not None and not (0 <= p.score <= HUNDRED):
            raise ValueError(f"score of {p.key} must be in 0..100, got {p.score}")
    applicable = [p for p in parts if p.score is not None and p.weight > 0]
    total = sum((p.weight for p in applicable), Decimal(0))
    if not applicable or total <= 0:
        return Composite(None, tuple(Contribution(p, Decimal(0), Decimal(0)) for p in parts))
    out = []
    for p in parts:
        if p.score is None or p.weight <= 0:
            out.append(Contribution(p, Decimal(0), Decimal(0)))
            continue
        share = p.weight / total
        out.append(Contribution(p, share, _q2(share * p.score)))
    return Composite(sum((c.points for c in out), Decimal(0)), tuple(out))


# Points per traffic light of a target or a task (the objective part of a review and of 实干指数).
LIGHT_POINTS: dict[str, Decimal] = {"green": HUNDRED, "yellow": Decimal(60), "red": Decimal(0)}


def light_score(lights: Iterable[str]) -> Decimal | None:
    """Mean points of the judged lights (green 100, yellow 60, red 0; grey and unknown are not judged)."""
    points = [LIGHT_POINTS[s] for s in lights if s in LIGHT_POINTS]
    if not points:
        return None
    return sum(points, Decimal(0)) / len(points)


def ratio_score(done: Decimal, needed: Decimal) -> Decimal | None:
    """``done ÷ needed × 100`` capped to 0..100 (investment completed vs the pro-rata plan); None if nothing needed."""
    if needed <= 0:
        return None
    return max(Decimal(0), min(HUNDRED, done * HUNDRED / needed))
