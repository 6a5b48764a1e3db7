"""Chinese phrases of the briefings (通报), one small pure function each.

No Django, no ORM: numbers in, text out. Every number is already computed elsewhere
(:func:`diaodu.plans.evaluation.evaluate_targets`, :mod:`diaodu.projects.metrics`); these functions only word it
the way staff write a 通报. Percentages and points are shown with one decimal, half up ("增长7.0%", "低于目标
1.5个百分点"), as statistical briefings do. A missing value (``None``) gives ``""`` so that the caller can drop
the clause; a value that rounds to zero gives the "持平" wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "Streak",
    "completion_phrase",
    "count_subject",
    "forecast_phrase",
    "format_amount",
    "format_number",
    "growth_phrase",
    "pct",
    "period_phrase",
    "rank_phrase",
    "schedule_phrase",
    "streak",
    "streak_phrase",
    "versus_phrase",
]

ONE_PLACE = Decimal("0.1")
WAN_PER_YI = Decimal(10000)
# Rank positions this close to the bottom of the group are worded from the bottom ("倒数第1位", "倒数第2位").
BOTTOM_WORDING = 2

GREEN, YELLOW, RED = "green", "yellow", "red"


def _round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def pct(value: Decimal) -> str:
    """One decimal, half up, never "-0.0": ``Decimal("18.25")`` -> ``"18.3"``."""
    r = _round1(value)
    return format(abs(r) if r == 0 else r, "f")


def format_number(value: Decimal, places: int = 2) -> str:
    """At most ``places`` decimals, trailing zeros dropped: 21.30 -> "21.3", 120.0000 -> "120"."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --------------------------------------------------------------------------- period


def period_phrase(month: int | None) -> str:
    """The year-to-date period as briefings write it: 1 -> "1月", 9 -> "1—9月" (em dash); None -> ""."""
    if month is None:
        return ""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, got {month!r}")
    return "1月" if month == 1 else f"1—{month}月"


# --------------------------------------------------------------------------- growth and comparisons


def growth_phrase(growth_pct: Decimal | None, *, prefix: str = "同比") -> str:
    """增长/下降 with the value: 18.2 -> "同比增长18.2%", -2.3 -> "同比下降2.3%", 0 -> "与上年同期持平"."""
    if growth_pct is None:
        return ""
    r = _round1(growth_pct)
    if r == 0:
        return "与上年同期持平"
    word = "增长" if r > 0 else "下降"
    return f"{prefix}{word}{pct(abs(r))}%"


def versus_phrase(actual: Decimal | None, target: Decimal | None, *, label: str = "目标") -> str:
    """高于/低于 ``label`` …个百分点 (both in percent): (18.2, 20) -> "低于目标1.8个百分点"; equal -> "与目标持平".

    ``label`` names what is compared with: "目标", "全市平均水平", "地区生产总值增速"...
    """
    if actual is None or target is None:
        return ""
    diff = _round1(actual - target)
    if diff == 0:
        return f"与{label}持平"
    word = "高于" if diff > 0 else "低于"
    return f"{word}{label}{pct(abs(diff))}个百分点"


def schedule_phrase(points_ahead: Decimal | None) -> str:
    """超/欠序时进度…个百分点: 6.5 -> "超序时进度6.5个百分点", -3 -> "欠序时进度3.0个百分点", 0 -> "与序时进度持平"."""
    if points_ahead is None:
        return ""
    r = _round1(points_ahead)
    if r == 0:
        return "与序时进度持平"
    word = "超" if r > 0 else "欠"
    return f"{word}序时进度{pct(abs(r))}个百分点"


def completion_phrase(completion_pct: Decimal | None, *, of: str = "年度目标") -> str:
    """完成年度目标的X%: 81.5 -> "完成年度目标的81.5%"; 0 -> "完成年度目标的0.0%".

    A negative completion (a negative figure against a positive target) says nothing useful: "".
    """
    if completion_pct is None or _round1(completion_pct) < 0:
        return ""
    return f"完成{of}的{pct(completion_pct)}%"


# --------------------------------------------------------------------------- rank


def rank_phrase(
    position: int | None, total: int | None = None, *, area: str = "全市", bottom: int = BOTTOM_WORDING
) -> str:
    """列第N位 / 列倒数第N位: (3, 6) -> "列全市第3位"; (6, 6) -> "列全市倒数第1位"; None -> "".

    A position in the lower half of the group and at most ``bottom`` places from the end is worded from the
    bottom (``total`` must be known for that). ``area`` names the group ("全市", "全县乡镇").
    """
    if position is None:
        return ""
    if position < 1 or (total is not None and position > total):
        raise ValueError(f"rank position {position!r} out of range (total {total!r})")
    if total is not None and total > 1 and position * 2 > total:
        from_bottom = total - position + 1
        if from_bottom <= bottom:
            return f"列{area}倒数第{from_bottom}位"
    return f"列{area}第{position}位"


# --------------------------------------------------------------------------- 首次 / 连续N个月


@dataclass(frozen=True)
class Streak:
    """The current run of monthly lights: ``met`` (green) or missed (red), ``months`` long, ``first`` when the
    run is the first of its kind this year (a change after months of the other kind)."""

    met: bool
    months: int
    first: bool


def streak(monthly: Sequence[tuple[int, str]]) -> Streak | None:
    """The trailing run of green (met) or red (missed) months in ``Evaluation.monthly``; None when there is no
    light or the latest light is yellow (a made-up target: no run to speak of).

    A yellow light earlier in the year is a missed month made up later (or a met month after a missed
    deadline): it ends a run and counts as "not green". So a run of green after yellow months is the first
    time the target is met this year; a run of red after green months is the first time it is missed (a red
    month after a green one stays red until it is made up, see :func:`diaodu.plans.domain.evaluate`).
    """
    lights = [str(light) for _month, light in monthly]
    if not lights or lights[-1] not in (GREEN, RED):
        return None
    last = lights[-1]
    n = 0
    for light in reversed(lights):
        if light != last:
            break
        n += 1
    earlier = lights[: len(lights) - n]
    if last == RED:
        first = bool(earlier) and all(light == GREEN for light in earlier)
    else:
        first = bool(earlier) and all(light != GREEN for light in earlier)
    return Streak(met=last == GREEN, months=n, first=first)


def streak_phrase(
    monthly: Sequence[tuple[int, str]], *, met: str = "达到目标", missed: str = "低于目标"
) -> str:
    """首次/连续N个月: "连续3个月低于目标", "首次低于目标", "连续2个月达到目标", "首次达到目标"; otherwise "".

    Said only when it is news: a run of two or more red months, or the first month of a change. A target met
    in every month so far needs no phrase; a single red month after earlier misses is neither "首次" nor
    "连续".
    """
    s = streak(monthly)
    if s is None:
        return ""
    words = met if s.met else missed
    if s.first and s.months == 1:
        return f"首次{words}"
    if s.months >= 2 and (not s.met or s.first):
        return f"连续{s.months}个月{words}"
    return ""


# --------------------------------------------------------------------------- forecast


def forecast_phrase(
    projected: Decimal | None,
    *,
    growth: bool,
    unit: str = "",
    warning: bool | None = None,
    since: int | None = None,
    fallback: bool = False,
) -> str:
    """The year-end forecast: "预计全年增长17.6%" / "预计全年下降1.0%" / "预计全年与上年持平" for growth, "预计全年可达
    5433万美元" otherwise; "（按时序进度推算）" when last year's profile was missing; "，有完不成目标的风险（自3月起预警）"
    when the forecast misses the target. Missing projection -> ""."""
    if projected is None:
        return ""
    if growth:
        r = _round1(projected)
        text = "预计全年与上年持平" if r == 0 else f"预计全年{'增长' if r > 0 else '下降'}{pct(abs(r))}%"
    else:
        text = f"预计全年可达{format_amount(projected, unit)}"
    if fallback:
        text += "（按时序进度推算）"
    if warning:
        text += "，有完不成目标的风险" + (f"（自{since}月起预警）" if since else "")
    return text


# --------------------------------------------------------------------------- amounts


def format_amount(value: Decimal | None, unit: str) -> str:
    """An amount as staff write it: 万元 from 1亿 upwards becomes 亿元 (one decimal from 10亿: "426.4亿元", at most
    two below: "1.25亿元"; trailing zeros dropped), below 1亿 whole 万元 ("4075万元"); 亿元 below 1 becomes 万元 ("0.5亿元" -> "5000万元");
    万美元 works like 万元 (亿美元). Other units: at most two decimals and the unit ("21.3个月", "120家")."""
    if value is None:
        return ""
    if unit in ("万元", "亿元", "万美元", "亿美元"):
        currency = "美元" if unit.endswith("美元") else "元"
        wan = value * WAN_PER_YI if unit.startswith("亿") else value
        if abs(wan) >= WAN_PER_YI:
            yi = wan / WAN_PER_YI
            return f"{format_number(yi, 1 if abs(yi) >= 10 else 2)}亿{currency}"
        places = 0 if abs(wan) >= 1 else 2
        return f"{format_number(wan, places)}万{currency}"
    return f"{format_number(value)}{unit}"


def count_subject(name: str, unit: str) -> str:
    """The subject of a count sentence: "新增“四上”企业数" counted in 家 reads "新增“四上”企业" (+ "120家")."""
    if unit in ("个", "家", "项") and name.endswith("数") and len(name) > 1:
        return name[:-1]
    return name
