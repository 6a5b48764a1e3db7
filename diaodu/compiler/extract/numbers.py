"""Chinese numerals ⇄ Arabic numbers (中文数字与阿拉伯数字互转).

``parse_number`` reads Arabic (``5000``, ``426.4``), Chinese (``五千``, ``一百二十``, ``两万``, ``百``) and mixed
forms (``1.2万``, ``五千万``, ``3万5千``) and returns a :class:`~decimal.Decimal`. ``to_chinese`` writes a
non-negative integer in standard Chinese (``12005`` → ``一万二千零五``); the two round-trip.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["CHINESE_DIGITS", "NumberError", "parse_number", "split_multiplier", "to_chinese"]

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
_DIGIT_CHARS = "零〇一二两三四五六七八九"
_ARABIC = re.compile(r"\d+(?:\.\d+)?")


class NumberError(ValueError):
    """The text is not a number."""


def _small_section(text: str) -> Decimal:
    """A section below 万: Chinese digits with 十/百/千, Arabic digits, or a mix (``3千``)."""
    if not text:
        return Decimal(0)
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    total = Decimal(0)
    pending: Decimal | None = None
    i = 0
    while i < len(text):
        arabic = _ARABIC.match(text, i)
        if arabic:
            pending = Decimal(arabic.group())
            i = arabic.end()
            continue
        ch = text[i]
        if ch in CHINESE_DIGITS:
            pending = Decimal(CHINESE_DIGITS[ch])
        elif ch in SMALL_UNITS:
            total += (pending if pending is not None else Decimal(1)) * SMALL_UNITS[ch]
            pending = None
        else:
            raise NumberError(text)
        i += 1
    if pending is not None:
        total += pending
    return total


def _parse_below(text: str, units: list[tuple[str, int]]) -> Decimal:
    if not units:
        return _small_section(text)
    (name, factor), rest = units[0], units[1:]
    index = text.rfind(name)
    if index < 0:
        return _parse_below(text, rest)
    high = text[:index]
    low = text[index + 1 :]
    high_value = _parse_below(high, rest) if high else Decimal(1)
    return high_value * factor + _parse_below(low, rest)


def parse_number(text: str) -> Decimal:
    """The value of an Arabic, Chinese or mixed numeral; raises :class:`NumberError` otherwise."""
    text = text.strip().replace(",", "")
    if not text:
        raise NumberError(text)
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    if any(
        ch not in _DIGIT_CHARS and ch not in SMALL_UNITS and ch not in BIG_UNITS
        for ch in _ARABIC.sub("", text)
    ):
        raise NumberError(text)
    if not re.search(r"[\d零〇一二两三四五六七八九十百千万亿]", text):
        raise NumberError(text)
    # 亿 binds looser than 万 ("一亿二千万" = 1.2e8); split on the last 亿, then on the last 万.
    try:
        return _parse_below(text, [("亿", 10**8), ("万", 10**4)])
    except InvalidOperation as exc:  # pragma: no cover - defensive
        raise NumberError(text) from exc


def split_multiplier(text: str) -> tuple[str, str]:
    """(numeral, trailing 万/亿) for numerals like ``五千万`` or ``1.2亿``; the multiplier is "" if absent.

    Used to keep ``5000万美元`` as 5000 in the unit 万美元 rather than 50,000,000 美元.
    """
    if len(text) > 1 and text[-1] in BIG_UNITS and text[-2] not in BIG_UNITS:
        return text[:-1], text[-1]
    return text, ""


_NAMES = "零一二三四五六七八九"


def _four(n: int, leading: bool) -> str:
    """0 < n < 10000 in Chinese; ``leading`` is True for the most significant section."""
    out: list[str] = []
    zero = False
    for factor, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // factor % 10
        if digit == 0:
            if out:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        if not (factor == 10 and digit == 1 and leading and not out):
            out.append(_NAMES[digit])
        out.append(name)
    return "".join(out)


def to_chinese(n: int) -> str:
    """Standard Chinese numeral for a non-negative integer (``10`` → ``十``, ``105`` → ``一百零五``)."""
    if n < 0:
        raise ValueError("negative")
    if n == 0:
        return "零"
    sections = []
    while n:
        sections.append(n % 10000)
        n //= 10000
    out: list[str] = []
    names = ["", "万", "亿", "万亿"]
    need_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or section < 1000):
            out.append("零")
        out.append(_four(section, leading=not out) + names[index])
        need_zero = False
    return "".join(out)
