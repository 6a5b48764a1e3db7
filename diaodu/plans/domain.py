"""Pure target evaluation rules (DOMAIN.md §3).

No Django here: every page, API and report evaluates targets through these functions.
Numbers are :class:`~decimal.Decimal`; percentages are in percent (``7`` means 7%).
Nothing is rounded inside a comparison; :func:`round1` and :func:`format_points` are for display only.

Summary of the rules implemented by :func:`evaluate`:

* Growth targets compare the year-to-date growth (同比 on 累计), published growth preferred, no pro-rating.
* Relative targets (``value is None``) compare against ``reference_growth[month]``; missing reference -> grey.
* Cumulative (YTD) targets are judged against the pro-rata schedule (时序进度) to year end or to the deadline.
* Point-in-time targets compare the latest value directly; dated ones are pro-rated up to their deadline.
* Traffic lights: a missed month is red; once a later month is met, the missed months turn yellow and so does
  every met month that follows a miss (a made-up target never returns to green within the year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

__all__ = [
    "Accumulation",
    "Band",
    "Comparator",
    "Direction",
    "Evaluation",
    "Level",
    "Measure",
    "Observation",
    "Status",
    "TargetSpec",
    "compare",
    "evaluate",
    "format_points",
    "growth_pct",
    "observed_growth",
    "points_ahead",
    "progress_band",
    "round1",
    "schedule_pct",
]

HUNDRED = Decimal(100)
MONTHS_IN_YEAR = 12


class Comparator(StrEnum):
    """How the actual figure is compared with the target."""

    GE = ">="
    LE = "<="
    APPROX = "~"
    EQ = "="


class Level(StrEnum):
    """Target level: 约束性/committed, 预期性 stretch (力争), or plain."""

    COMMITTED = "committed"
    STRETCH = "stretch"
    PLAIN = "plain"


class Measure(StrEnum):
    """What kind of quantity the target is about."""

    GROWTH = "growth"
    ABSOLUTE = "absolute"
    COUNT = "count"
    RATIO = "ratio"
    AREA = "area"
    REDUCTION = "reduction"
    DURATION = "duration"


class Direction(StrEnum):
    """Whether a higher or a lower figure is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Accumulation(StrEnum):
    """YTD = cumulative (累计) figure judged against the schedule; POINT = point-in-time value."""

    YTD = "ytd"
    POINT = "point"


class Status(StrEnum):
    """Traffic light."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


class Band(StrEnum):
    """Published alternative rating of observed vs needed growth (see :func:`progress_band`)."""

    ON_TRACK = "on_track"
    ACCELERATE = "accelerate"
    LIMITED = "limited"
    DETERIORATING = "deteriorating"


def _check_month(name: str, month: int) -> None:
    if not 1 <= month <= MONTHS_IN_YEAR:
        raise ValueError(f"{name} must be in 1..12, got {month!r}")


def _check_finite(name: str, value: Decimal | None) -> None:
    if value is not None and not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, got {value!r}")


@dataclass(frozen=True)
class TargetSpec:
    """One target of an indicator (committed and stretch targets are separate specs)."""

    value: Decimal | None  # None only for relative targets
    comparator: Comparator
    measure: Measure
    direction: Direction
    accumulation: Accumulation
    deadline_month: int | None = None  # 1..12, month of a dated target (一季度 -> 3); None = year end
    approx_tolerance: Decimal = Decimal("0.5")  # "~": points for growth/ratio, percent of target otherwise

    def __post_init__(self) -> None:
        if self.deadline_month is not None:
            _check_month("deadline_month", self.deadline_month)
        _check_finite("value", self.value)
        _check_finite("approx_tolerance", self.approx_tolerance)
        if self.approx_tolerance < 0:
            raise ValueError("approx_tolerance must be >= 0")

    @property
    def is_relative(self) -> bool:
        """True if the target is another indicator's growth (e.g. 与经济增长同步)."""
        return self.value is None

    @property
    def tolerance_is_relative(self) -> bool:
        """True if ``approx_tolerance`` is a percent of the target (not points)."""
        return self.measure not in (Measure.GROWTH, Measure.RATIO)


@dataclass(frozen=True)
class Observation:
    """A reported figure for one month."""

    month: int  # 1..12, the month the YTD figure is for
    ytd_value: Decimal | None  # year-to-date value (or the point value for point-in-time indicators)
    growth_pct: Decimal | None = None  # published YTD growth in percent (comparable basis), preferred
    base_value: Decimal | None = None  # same-period-last-year YTD value actually used as the base

    def __post_init__(self) -> None:
        _check_month("month", self.month)
        _check_finite("ytd_value", self.ytd_value)
        _check_finite("growth_pct", self.growth_pct)
        _check_finite("base_value", self.base_value)


@dataclass(frozen=True)
class Evaluation:
    """Result of :func:`evaluate` at one as-of month."""

    status: Status
    data_month: int | None  # month of the observation used (latest <= as_of_month), None if no data
    actual: Decimal | None  # the compared figure: growth % for growth targets, else the value
    target: Decimal | None  # effective target value (for relative targets: the reference growth)
    met: bool | None  # is the target met at data_month (for cumulative absolute: on schedule)
    completion_pct: Decimal | None  # actual / target * 100 (non-growth targets, target != 0)
    schedule_pct: Decimal | None  # 时序进度 % (ytd non-growth; pro-rated dated point targets)
    points_ahead: Decimal | None  # completion_pct - schedule_pct (超/欠进度, +ahead / -behind)
    made_up: bool  # met now after an earlier miss (=> yellow)
    monthly: tuple[tuple[int, Status], ...]  # light per month with data, 1..data_month

    @classmethod
    def grey(cls) -> Evaluation:
        """The evaluation when there is no usable data."""
        return cls(Status.GREY, None, None, None, None, None, None, None, False, ())


# --------------------------------------------------------------------------- formulas


def schedule_pct(months_elapsed: int, months_total: int = MONTHS_IN_YEAR) -> Decimal:
    """时序进度 in percent: ``months_elapsed / months_total * 100`` (8 of 12 -> 66.666...), unrounded."""
    if months_total <= 0:
        raise ValueError("months_total must be positive")
    if months_elapsed < 0:
        raise ValueError("months_elapsed must be >= 0")
    return Decimal(months_elapsed) * HUNDRED / Decimal(months_total)


def points_ahead(completion_pct: Decimal, schedule: Decimal) -> Decimal:
    """超/欠进度 in points: completion % minus schedule % (positive = ahead, negative = behind)."""
    return completion_pct - schedule


def growth_pct(ytd_value: Decimal, base_value: Decimal | None) -> Decimal | None:
    """同比 growth in percent: ``(ytd / base - 1) * 100``; None if the base is missing, zero or negative."""
    if base_value is None or base_value <= 0:
        return None
    return (ytd_value / base_value - 1) * HUNDRED


def observed_growth(obs: Observation) -> Decimal | None:
    """The observation's growth: the published figure if given, else computed from ``base_value``."""
    if obs.growth_pct is not None:
        return obs.growth_pct
    if obs.ytd_value is None:
        return None
    return growth_pct(obs.ytd_value, obs.base_value)


def compare(
    actual: Decimal,
    comparator: Comparator,
    target: Decimal,
    direction: Direction,
    tolerance: Decimal,
    *,
    relative_tolerance: bool,
) -> bool:
    """Is ``actual`` acceptable against ``target``?

    ``>=`` and ``<=`` are exact. ``=`` is exact for whole targets (a count of 100, 100%) and holds at the
    written precision for targets with decimals: "426.4亿元" is met by 426.43 (the speech rounds to
    0.1亿). ``~`` is one-sided towards the good direction: for HIGHER it is
    met iff ``actual >= target - tol``, for LOWER iff ``actual <= target + tol`` (better than target is fine).
    ``tol`` is ``tolerance`` points, or ``tolerance`` percent of ``|target|`` when ``relative_tolerance``.
    """
    if comparator is Comparator.GE:
        return actual >= target
    if comparator is Comparator.LE:
        return actual <= target
    if comparator is Comparator.EQ:
        return _at_written_precision(actual, target) == target
    tol = abs(target) * tolerance / HUNDRED if relative_tolerance else tolerance
    if direction is Direction.HIGHER:
        return actual >= target - tol
    return actual <= target + tol


def _at_written_precision(actual: Decimal, target: Decimal) -> Decimal:
    """``actual`` rounded (half up) to the decimals ``target`` is written with; unchanged for whole targets."""
    exponent = int(target.normalize().as_tuple().exponent)
    if exponent >= 0:
        return actual
    return actual.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def progress_band(observed_growth: Decimal, needed_growth: Decimal) -> Band:
    """Rate observed/needed growth: >= 95% on_track, 60-95% accelerate, 0-60% limited, < 0 deteriorating.

    Boundaries belong to the better band (95 -> on_track, 60 -> accelerate, 0 -> limited). When the needed
    growth is zero or negative the ratio is meaningless:
    on_track iff ``observed >= needed``, else deteriorating.
    """
    if needed_growth <= 0:
        return Band.ON_TRACK if observed_growth >= needed_growth else Band.DETERIORATING
    # Cross-multiplied (needed > 0) so no division rounding at the boundaries.
    scaled = observed_growth * HUNDRED
    if scaled >= needed_growth * 95:
        return Band.ON_TRACK
    if scaled >= needed_growth * 60:
        return Band.ACCELERATE
    if scaled >= 0:
        return Band.LIMITED
    return Band.DETERIORATING


# --------------------------------------------------------------------------- display helpers


def round1(d: Decimal) -> Decimal:
    """Round to one decimal, half-up (display only)."""
    return d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_points(d: Decimal) -> str:
    """Signed points with one decimal: ``+25.9``, ``-3.0``; a value rounding to zero gives ``0.0``."""
    r = round1(d)
    if r == 0:
        return "0.0"
    return f"+{r}" if r > 0 else f"{r}"


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Judgement:
    actual: Decimal
    target: Decimal | None
    met: bool | None  # None: cannot be judged (relative target without reference)
    completion_pct: Decimal | None
    schedule_pct: Decimal | None
    points_ahead: Decimal | None


def _compares_growth(spec: TargetSpec) -> bool:
    return spec.measure is Measure.GROWTH


def _figure(spec: TargetSpec, obs: Observation) -> Decimal | None:
    """The figure compared for this spec, or None if the observation is unusable."""
    return observed_growth(obs) if _compares_growth(spec) else obs.ytd_value


def _completion(actual: Decimal, target: Decimal) -> Decimal | None:
    return actual * HUNDRED / target if target != 0 else None


def _cmp(spec: TargetSpec, actual: Decimal, target: Decimal) -> bool:
    """:func:`compare` with the spec's comparator, direction and tolerance."""
    return compare(
        actual,
        spec.comparator,
        target,
        spec.direction,
        spec.approx_tolerance,
        relative_tolerance=spec.tolerance_is_relative,
    )


def _judge(
    spec: TargetSpec, month: int, actual: Decimal, reference_growth: Mapping[int, Decimal] | None
) -> _Judgement:
    if spec.value is None:  # relative target: compared directly with the reference, no schedule
        ref = None if reference_growth is None else reference_growth.get(month)
        if ref is None:
            return _Judgement(actual, None, None, None, None, None)
        met = _cmp(spec, actual, ref)
        return _Judgement(actual, ref, met, None, None, None)

    target = spec.value
    if _compares_growth(spec):  # YTD growth, no pro-rating
        met = _cmp(spec, actual, target)
        return _Judgement(actual, target, met, None, None, None)

    total = spec.deadline_month or MONTHS_IN_YEAR
    elapsed = min(month, total)
    completion = _completion(actual, target)
    if spec.accumulation is Accumulation.YTD or _point_is_scheduled(spec):
        schedule: Decimal | None = schedule_pct(elapsed, total)
    else:
        schedule = None
    ahead = None if completion is None or schedule is None else points_ahead(completion, schedule)

    if spec.accumulation is Accumulation.YTD:
        met = _judge_cumulative(spec, target, actual, elapsed, total)
    else:
        met = _judge_point(spec, target, actual, elapsed, total)
    return _Judgement(actual, target, met, completion, schedule, ahead)


def _judge_cumulative(spec: TargetSpec, target: Decimal, actual: Decimal, elapsed: int, total: int) -> bool:
    """Cumulative target vs the pro-rata schedule (``needed = target * elapsed / total``)."""
    c = spec.comparator
    if c is Comparator.LE:  # a cap: never exceed it, no pro-rating
        return actual <= target
    if c is Comparator.EQ and elapsed >= total:  # exact once due
        return actual == target
    if c is Comparator.APPROX:
        return _cmp(spec, actual, target * elapsed / total)
    # ">=" (and "=" before its deadline): on or ahead of schedule, cross-multiplied to stay exact.
    return actual * total >= target * elapsed


def _point_is_scheduled(spec: TargetSpec) -> bool:
    """Dated, higher-is-better, non-cap point targets are pro-rated to their deadline."""
    return (
        spec.deadline_month is not None
        and spec.direction is Direction.HIGHER
        and spec.comparator is not Comparator.LE
    )


def _judge_point(spec: TargetSpec, target: Decimal, actual: Decimal, elapsed: int, total: int) -> bool:
    """Point-in-time target; a dated higher-is-better target is pro-rated until its deadline."""
    c = spec.comparator
    if not (_point_is_scheduled(spec) and elapsed < total):
        return _cmp(spec, actual, target)
    if c is Comparator.APPROX:
        return _cmp(spec, actual, target * elapsed / total)
    return actual * total >= target * elapsed  # ">=" and "=" before the deadline


def _lights(
    mets: Sequence[tuple[int, bool]], deadline_month: int | None
) -> tuple[tuple[tuple[int, Status], ...], bool]:
    """Monthly lights after the made-up rule, and whether the last month is a made-up period target.

    Each month is a period of its own: met -> GREEN, missed -> RED, and a RED month turns YELLOW once a
    later month is met (made up later, "for that period"). A dated target has one period, its deadline:
    if it was missed at the deadline (the first judged month from the deadline on), every later met
    month is YELLOW, never GREEN again.
    """
    deadline_missed = False
    if deadline_month is not None:
        at_deadline = next((met for month, met in mets if month >= deadline_month), None)
        deadline_missed = at_deadline is False
    lights: list[tuple[int, Status]] = []
    for i, (month, met) in enumerate(mets):
        if not met:
            made_up_later = any(m for _, m in mets[i + 1 :])
            lights.append((month, Status.YELLOW if made_up_later else Status.RED))
        elif deadline_missed and deadline_month is not None and month > deadline_month:
            lights.append((month, Status.YELLOW))
        else:
            lights.append((month, Status.GREEN))
    made_up = bool(mets) and mets[-1][1] and lights[-1][1] is Status.YELLOW
    return tuple(lights), made_up


def evaluate(
    spec: TargetSpec,
    series: Sequence[Observation],
    as_of_month: int,
    *,
    reference_growth: Mapping[int, Decimal] | None = None,
) -> Evaluation:
    """Evaluate ``spec`` on ``series`` as of ``as_of_month`` (observations after it are ignored).

    The data month is the latest month <= ``as_of_month`` whose compared figure is present (growth computable
    for growth targets, ``ytd_value`` otherwise); none -> grey with everything None. If several observations
    share a month the last one in ``series`` wins. Relative targets without ``reference_growth`` at the data
    month are grey (actual and data_month still filled; months without reference get no light).

    Status: RED if not met at the data month; YELLOW if it is a dated target that was missed at its
    deadline and has been made up since (``made_up``); GREEN otherwise. ``monthly`` holds a light for every
    judged month up to the data month (see :func:`_lights`); a missed month turns YELLOW once a later
    month makes it up. The last entry therefore equals ``status`` whenever the status is not grey.
    """
    _check_month("as_of_month", as_of_month)
    figures: dict[int, Decimal] = {}
    for obs in series:
        if obs.month > as_of_month:
            continue
        fig = _figure(spec, obs)
        if fig is not None:
            figures[obs.month] = fig
        else:
            figures.pop(obs.month, None)  # a later unusable duplicate replaces the earlier one
    if not figures:
        return Evaluation.grey()

    months = sorted(figures)
    judgements = {m: _judge(spec, m, figures[m], reference_growth) for m in months}
    data_month = months[-1]
    current = judgements[data_month]
    history = [(m, j.met) for m, j in judgements.items() if j.met is not None]
    lights, made_up_now = _lights(history, spec.deadline_month) if history else ((), False)

    if current.met is None:
        status, made_up = Status.GREY, False
    elif not current.met:
        status, made_up = Status.RED, False
    elif made_up_now:
        status, made_up = Status.YELLOW, True
    else:
        status, made_up = Status.GREEN, False

    return Evaluation(
        status=status,
        data_month=data_month,
        actual=current.actual,
        target=current.target,
        met=current.met,
        completion_pct=current.completion_pct,
        schedule_pct=current.schedule_pct,
        points_ahead=current.points_ahead,
        made_up=made_up,
        monthly=lights,
    )
