"""Amounts as offices type them: "20亿元", "5800万元", "1.2万", "三千五百万元", "1,234.5", "5800（预计）".

Pure functions, no Django. :func:`parse_amount` reads a cell (number or text) and returns the number with the
unit written in the cell, if any; :func:`convert` changes units within a family (元/万元/亿元, 美元/万美元/亿美元,
亩/万亩, 吨/万吨, and plain counts with 万/亿 multipliers). Every error is a :class:`AmountError` whose message is
Chinese and names the offending text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "AmountError",
    "ParsedAmount",
    "convert",
    "normalise_unit",
    "parse_amount",
    "parse_chinese_number",
    "parse_decimal_text",
    "to_unit",
]


class AmountError(ValueError):
    """A cell that is not a usable amount; ``str(exc)`` is the Chinese reason."""


# unit -> (family, factor to the family's base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("cny", Decimal(1)),
    "千元": ("cny", Decimal(10) ** 3),
    "万元": ("cny", Decimal(10) ** 4),
    "百万元": ("cny", Decimal(10) ** 6),
    "千万元": ("cny", Decimal(10) ** 7),
    "亿元": ("cny", Decimal(10) ** 8),
    "美元": ("usd", Decimal(1)),
    "万美元": ("usd", Decimal(10) ** 4),
    "亿美元": ("usd", Decimal(10) ** 8),
    "亩": ("mu", Decimal(1)),
    "万亩": ("mu", Decimal(10) ** 4),
    "吨": ("ton", Decimal(1)),
    "万吨": ("ton", Decimal(10) ** 4),
    "%": ("pct", Decimal(1)),
    "个": ("count", Decimal(1)),
    "家": ("count", Decimal(1)),
    "项": ("count", Decimal(1)),
    "人": ("count", Decimal(1)),
    "户": ("count", Decimal(1)),
    "个月": ("months", Decimal(1)),
    "平方公里": ("km2", Decimal(1)),
}
# Spellings people use for the same unit.
UNIT_ALIASES = {
    "万": "万元",
    "亿": "亿元",
    "元人民币": "元",
    "万元人民币": "万元",
    "亿元人民币": "亿元",
    "RMB": "元",
    "USD": "美元",
    "万USD": "万美元",
    "百分比": "%",
    "百分点": "%",
    "％": "%",
    "km2": "平方公里",
    "km²": "平方公里",
}
# In a cell "三千五百万元" is 3500万元, not 三千五 百万元: only headers use 百万元/千万元.
_UNIT_WORDS = sorted({*UNITS, *UNIT_ALIASES} - {"万", "亿", "百万元", "千万元"}, key=len, reverse=True)
_BLANKS = {"", "-", "--", "—", "——", "/", "\\", "无", "空", "暂无", "N/A", "NA", "n/a", "null", "None", "－"}
_PREFIXES = ("约", "近", "超", "逾", "达", "预计", "共计", "合计", "累计")
_ARABIC = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_NOTE = re.compile(r"^(?P<body>.*?)[(\[【](?P<note>[^)\]】]*)[)\]】]$")

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


@dataclass(frozen=True)
class ParsedAmount:
    value: Decimal
    unit: str | None = None  # the unit written in the cell (normalised), if any
    scaled: bool = False  # a bare 万/亿/千 multiplier was part of the number ("1.2万")
    note: str = ""  # text in brackets after the number ("5800（预计）" -> "预计")


def normalise_unit(text: str) -> str:
    """ "万元" -> "万元", "亿" -> "亿元", "％" -> "%"; unknown text is returned stripped."""
    t = unicodedata.normalize("NFKC", text).strip()
    return UNIT_ALIASES.get(t, t)


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t).replace("−", "-").replace("–", "-")
    return _THOUSANDS.sub("", t)


def parse_chinese_number(text: str) -> Decimal:
    """ "三千五百" -> 3500, "二十亿" -> 2000000000, "一点五亿" -> 150000000, "3万5千" -> 35000, "两百" -> 200."""
    if not text:
        raise AmountError("空文本不是数字")
    for big, factor in sorted(CN_BIG.items(), key=lambda kv: -kv[1]):
        index = text.rfind(big)
        if index >= 0:
            head, tail = text[:index], text[index + 1 :]
            high = parse_chinese_number(head) if head else Decimal(1)
            low = parse_chinese_number(tail) if tail else Decimal(0)
            if tail and not any(c in CN_BIG for c in tail) and _is_abbreviated(tail):
                low = _abbreviated(tail, factor)  # "3万5" = 35000, "1亿2" = 1.2亿
            return high * factor + low
    return _section(text)


def _is_abbreviated(tail: str) -> bool:
    return len(tail) == 1 and (tail in CN_DIGITS or tail.isdigit()) and tail not in ("零", "〇")


def _abbreviated(tail: str, factor: int) -> Decimal:
    digit = CN_DIGITS.get(tail, None)
    return Decimal(digit if digit is not None else int(tail)) * factor / 10


def _section(text: str) -> Decimal:
    """A number below 万: Chinese digits with 十/百/千, Arabic digits, "点" as the decimal point."""
    if "点" in text:
        whole, _sep, frac = text.partition("点")
        digits = "".join(str(CN_DIGITS[c]) if c in CN_DIGITS else c for c in frac)
        if not digits.isdigit():
            raise AmountError(f"“{text}”不是有效的数字")
        return (_section(whole) if whole else Decimal(0)) + Decimal(f"0.{digits}")
    arabic = _ARABIC.fullmatch(text)
    if arabic:
        return Decimal(text)
    total = Decimal(0)
    pending: Decimal | None = None
    i = 0
    while i < len(text):
        m = _ARABIC.match(text, i)
        if m and m.group()[0] not in "+-":
            if pending is not None or (m.end() < len(text) and text[m.end()] not in CN_SMALL):
                raise AmountError(f"“{text}”不是有效的数字")
            pending = Decimal(m.group())
            i = m.end()
            continue
        ch = text[i]
        if ch in CN_DIGITS:
            if pending is not None and pending != 0:  # "二三" is not a number
                raise AmountError(f"“{text}”不是有效的数字")
            pending = Decimal(CN_DIGITS[ch])
        elif ch in CN_SMALL:
            total += (pending if pending is not None else Decimal(1)) * CN_SMALL[ch]
            pending = None
        else:
            raise AmountError(f"“{text}”不是有效的数字")
        i += 1
    return total + (pending or 0)


_NUMBER_CHARS = set("0123456789.+-") | set(CN_DIGITS) | set(CN_SMALL) | set(CN_BIG) | {"点"}


def parse_decimal_text(text: str) -> tuple[Decimal, bool]:
    """A number written as text: (value, had a 万/亿/千 multiplier). Raises AmountError."""
    t = _clean(text)
    if not t or any(c not in _NUMBER_CHARS for c in t):
        raise AmountError(f"“{text}”不是有效的数字")
    sign = Decimal(1)
    if t[0] in "+-":
        sign = Decimal(-1) if t[0] == "-" else Decimal(1)
        t = t[1:]
    try:
        if _ARABIC.fullmatch(t):
            return sign * Decimal(t), False
        scaled = any(c in CN_BIG for c in t)
        return sign * parse_chinese_number(t), scaled
    except (InvalidOperation, KeyError) as exc:
        raise AmountError(f"“{text}”不是有效的数字") from exc


def parse_amount(value: object) -> ParsedAmount | None:
    """Read a cell as an amount. ``None`` for a blank cell ("", "-", "—", "无"...).

    Numbers are taken as they are; text may carry thousands separators, a sign, a unit ("5800万元", "20亿元",
    "12.5%"), a multiplier ("1.2万"), Chinese numerals ("三千五百万元"), a leading "约/预计/合计" and a note in
    brackets ("5800（预计）"). Anything else raises :class:`AmountError`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise AmountError(f"“{value}”不是有效的数字")
    if isinstance(value, int):
        return ParsedAmount(Decimal(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError("单元格的值不是有效的数字")
        return ParsedAmount(Decimal(format(value, ".15g")))
    if isinstance(value, Decimal):
        return ParsedAmount(value)
    if not isinstance(value, str):
        raise AmountError(f"“{value}”不是有效的数字")
    raw = value
    t = _clean(raw)
    if t in _BLANKS:
        return None
    note = ""
    m = _NOTE.match(t)
    if m and m.group("body"):
        t, note = m.group("body"), m.group("note")
    for prefix in _PREFIXES:
        if t.startswith(prefix) and len(t) > len(prefix):
            t = t[len(prefix) :]
            break
    unit: str | None = None
    for word in _UNIT_WORDS:
        if t.endswith(word) and len(t) > len(word):
            unit = normalise_unit(word)
            t = t[: -len(word)]
            break
    if unit is None and t.endswith(("万元", "亿元")):
        unit = t[-2:]
        t = t[:-2]
    try:
        number, scaled = parse_decimal_text(t)
    except AmountError:
        raise AmountError(f"“{raw.strip()}”不是有效的数字") from None
    return ParsedAmount(number, unit, scaled, note)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Change ``value`` from one unit to another of the same family: ``convert(20, "亿元", "万元") == 200000``."""
    f, t = normalise_unit(from_unit), normalise_unit(to_unit)
    if f == t:
        return value
    if f not in UNITS or t not in UNITS or UNITS[f][0] != UNITS[t][0]:
        raise AmountError(f"单位“{from_unit}”不能换算为“{to_unit}”")
    return tidy(value * UNITS[f][1] / UNITS[t][1])


def tidy(value: Decimal) -> Decimal:
    """Without trailing zeros or an exponent: 200000.00 -> 200000, 0.5800 -> 0.58."""
    q = value.normalize()
    return q.quantize(Decimal(1)) if q.as_tuple().exponent > 0 else q  # type: ignore[operator]


def base_unit(unit: str) -> str:
    """The unit a bare multiplier applies to: 元 for 万元, 美元 for 万美元, the unit itself otherwise."""
    family = UNITS.get(normalise_unit(unit), ("", Decimal(1)))[0]
    for name, (fam, factor) in UNITS.items():
        if fam == family and factor == 1:
            return name
    return unit


def to_unit(parsed: ParsedAmount, *, column_unit: str | None, target_unit: str | None) -> Decimal:
    """The amount in ``target_unit``: a unit in the cell wins over the column's unit (from its header).

    "1.2万" (a bare multiplier) in a 万元 column means 1.2万元; a plain number means the column's unit.
    Without a target unit the value is returned as read.
    """
    if not target_unit:
        return parsed.value
    if parsed.unit:
        source = parsed.unit
    elif parsed.scaled:
        source = base_unit(column_unit or target_unit)
    else:
        source = column_unit or target_unit
    if normalise_unit(source) not in UNITS and normalise_unit(source) != normalise_unit(target_unit):
        raise AmountError(f"无法识别的单位“{source}”")
    return convert(parsed.value, source, target_unit)
