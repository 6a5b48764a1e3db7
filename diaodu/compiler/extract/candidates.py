"""Candidates in a clause: numbers with units and comparators, 翻番/倍增, "全部开工", "新突破", relative targets.

Each candidate gets a status: ``post`` (a value ending its phrase), ``pre`` (a count written before its noun),
``attr`` (an attribute of a counted noun, "总投资300亿元的60个项目") or ``skip`` (a threshold or description
that stays part of the name, "过10亿元", "投资强度低于420万元/亩的项目").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import patterns as P
from .numbers import NumberError, parse_number, split_multiplier

CLOSING = "”’」』）"


@dataclass
class Cand:
    start: int  # in the clause
    end: int
    kind: str  # num, double, breakthrough, alldone, relative
    value: Decimal | None = None
    unit: str | None = None
    measure: str | None = None
    comparator: str | None = None  # as written
    status: str = "post"  # post, pre, attr, skip
    noun: str = ""  # for pre-nominal counts
    noun_end: int = 0
    reduction_verb: str = ""
    relative_to: str | None = None
    times: int = 1  # 双倍增: two indicators
    name_override: str | None = None  # relative targets carry their own name


def number_candidates(clause: str) -> list[Cand]:
    cands: list[Cand] = []
    consumed = 0
    for m in P.QUANTITY.finditer(clause):
        if m.start() < consumed:
            continue
        cand = number_candidate(clause, m)
        if cand is not None:
            cands.append(cand)
            consumed = cand.end
    return cands


def number_candidate(clause: str, m: re.Match[str]) -> Cand | None:
    num, unit_raw, prefix, suffix = (
        m.group("num"),
        m.group("unit") or "",
        m.group("prefix"),
        m.group("suffix"),
    )
    core, multiplier = split_multiplier(num)
    chinese = bool(P.CHINESE_NUMERAL.match(num))
    if not unit_raw and not multiplier:
        return None
    before = clause[: m.start("num")]
    if not prefix and before.endswith(("过", "超", "第", ".", "约第")):
        return None
    if before[-1:].isdigit():
        return None
    if chinese and not (prefix or suffix or re.search(r"[十百千万亿]", num)):
        return None
    try:
        value = parse_number(core)
    except NumberError:
        return None
    base, _, per = unit_raw.partition("/")
    if multiplier:
        if not base:
            unit = multiplier + "元"
        elif base in P.PREFIXABLE:
            unit = multiplier + base
        else:
            value *= 10**4 if multiplier == "万" else 10**8
            unit = base
    else:
        unit = base
    if per:
        unit = f"{unit}/{per}"
    measure = P.UNITS.get(base, "absolute") if base else "absolute"
    if per:
        measure = "absolute"
    comparator = P.SUFFIX_COMPARATORS.get(suffix or "") or P.PREFIX_COMPARATORS.get(prefix or "")
    end = m.end()
    if m.group("range"):
        comparator = comparator or ">="
    else:
        tail = re.match(
            rf"[-—~至到]{P.NUM}(?:{re.escape(unit_raw)})?(?:{'|'.join(P.SUFFIX_COMPARATORS)})?", clause[end:]
        )
        if unit_raw and tail:  # "6%-7%": the lower bound, at least
            end += tail.end()
            comparator = comparator or ">="
    if unit == "%" or base == "%":
        text_before = clause[: m.start("num")]
        if P.GROWTH_VERBS.search(text_before):
            measure = "growth"
        elif P.REDUCTION_VERBS.search(text_before):
            measure = "reduction"
    elif P.REDUCTION_VERBS.search(clause[: m.start("num")]) or P.REDUCTION_ACTIONS.search(
        clause[: m.start()]
    ):
        measure = "reduction"
    cand = Cand(m.start(), end, "num", value=value, unit=unit, measure=measure, comparator=comparator)
    after = clause[end:].lstrip(CLOSING)
    if after.startswith("级"):
        return None
    if (
        not after
        or after[0] in "、，；：（("
        or re.match(r"(?:的)?(?:目标|任务|水平|规模|大关|台阶|左右)", after)
    ):
        cand.status = "post"
    elif after.startswith("的"):
        cand.status = "attr" if re.match(rf"的{P.NUM}(?:{'|'.join(P.MEASURE_WORDS)})", after) else "skip"
    elif suffix or P.UNITS.get(base) not in ("count", "area") or chinese or prefix:
        cand.status = "skip"  # "5000万元以上项目", "投资50亿元再生资源项目"
    else:
        cand.status = "pre"
        read_noun(cand, clause, end)
    return cand


NOUN_STOP = re.compile(
    r"的|落户|开工|建成|投产|竣工|落地|扫尾|建设|实施|达标|完成|" + P.REDUCTION_ACTIONS.pattern
)


def read_noun(cand: Cand, clause: str, start: int) -> None:
    """The noun a pre-nominal number counts ("100个市县重点项目" → 市县重点项目)."""
    rest = clause[start:]
    stop = None
    for m in NOUN_STOP.finditer(rest):
        if m.start() >= 2:
            stop = m
            break
    noun = rest[: stop.start()] if stop else rest
    cand.noun = noun
    cand.noun_end = start + len(rest)
    if stop and P.REDUCTION_ACTIONS.fullmatch(stop.group()):
        cand.reduction_verb = stop.group()
        cand.measure = "reduction"
    if stop and re.search(r"\d", rest[stop.end() :]):
        cand.noun_end = start + stop.start()  # another number follows in the clause


def special_candidates(clause: str, has_numbers: bool, has_deadline: bool) -> list[Cand]:
    cands: list[Cand] = []
    for m in P.DOUBLING.finditer(clause):
        times = {"两": 3, "二": 3, "三": 7}.get(m.group("times") or "", 1)
        cand = Cand(m.start(), m.end(), "double", value=Decimal(100 * times), unit="%", measure="growth")
        cand.comparator = ">="
        if "双倍增" in m.group():
            cand.times = 2
        after = clause[m.end() :].lstrip(CLOSING)
        if after.startswith("的") or (after.startswith("、") and attributive_list(after)):
            cand.status = "skip"
        cands.append(cand)
    if has_deadline:
        for m in P.ALL_DONE.finditer(clause):
            cand = Cand(m.start(), m.end(), "alldone", value=Decimal(100), unit="%", measure="ratio")
            cand.comparator = ">="
            cand.noun = m.group("verb")
            cands.append(cand)
    if not has_numbers:
        found = P.BREAKTHROUGH.search(clause)
        if found and re.search(r"(?:项目|企业|工程)$", clause[: found.start()]):
            cand = Cand(
                found.start(), found.end(), "breakthrough", value=Decimal(1), unit="个", measure="count"
            )
            cand.comparator = ">="
            cands.append(cand)
        for regex, comparator in ((P.RELATIVE, "~"), (P.FASTER, ">=")):
            relative = regex.search(clause)
            if relative:
                growth = bool(relative.group("growth"))
                cand = Cand(relative.start(), relative.end(), "relative", unit="%" if growth else None)
                cand.measure = "growth" if growth else None
                cand.comparator = comparator
                cand.relative_to = relative.group("ref")
                cand.name_override = relative.group("ind")
                cands.append(cand)
                break
    return cands


def attributive_list(after: str) -> bool:
    """After "、": the list goes on and ends in 的 (not 的目标) — the whole list describes a noun."""
    m = re.search(r"的", after)
    return m is not None and not re.match(r"的(?:目标|任务)", after[m.start() :])
