"""The extractor: normalised text → draft targets and dated tasks, each with its exact quote.

How a text is read (each step is a plain function below):

1. Paragraphs. A heading starts a section; a review heading (回顾, 过去一年…) makes the section "past" and
   nothing in it is extracted. A paragraph that opens with 过去一年/去年/一年来… is past as well. A paragraph
   whose short lead sentence names one org unit ("要拓展提升临港产业区。") gives its sentences that scope.
2. Sentences (。！？), segments (；) and clauses (，：). A clause with a past marker (去年, 已完成, 增长了…)
   and no forward marker (力争, 确保, 目标…) is skipped.
3. Level: the last 确保/力保 (committed) or 力争/冲刺/争取 (stretch) before a number in the same segment.
   争取 only counts when its own clause carries a target ("争取扩区获批" is a verb, not a level).
4. Candidates in a clause: numbers with units and comparators (``QUANTITY``), 翻番/倍增, "全部开工" with a
   deadline (100%), "再有新突破" (at least one), relative targets ("与经济增长基本同步").
   A number is a *value* when it ends its phrase; one written before a noun is a *pre-nominal* count
   ("实施100个市县重点项目"), kept only next to an accomplishment verb, a deadline or a level word;
   "过10亿元" and "百亿元级" are thresholds inside a name; a number followed by 的 describes something
   ("投资强度低于420万元/亩的项目"), unless it is an attribute of a counted noun
   ("计划总投资426.4亿元的100个项目" → 项目计划总投资 426.4亿元).
5. The indicator is the text before the number in the clause, without level, time, scope words,
   example lists ("新开工A、B等重点产业项目" → "新开工重点产业项目") and effort verbs. An empty name repeats
   the previous one ("增长5.5%左右，力争6%"). After 其中, items are children of the preceding item with
   the same unit; a bare tier ("过10亿元") takes the parent's name with its threshold replaced.
6. Comparator: written (以上, 不少于, 控制在…以内, 左右…) if any; else ">=" under a level word; else "="
   for a pre-nominal count; else ">=" for growth, ratios, cuts and volumes to achieve (建设/新增/年度…);
   else "=" (a stock or size, e.g. "计划总投资426.4亿元").
7. Scope: an org unit named in the segment, a list of towns ("伊山、下车等镇级工业集中区每家"), "其他…每家"
   (the units of that kind not named in the sentence), 全县 (whole jurisdiction, None), else the paragraph's.
8. Deadlines (一季度, 6月底前, 年内, 明年3月底) resolve against the plan year; "明年" is the plan year when
   the text says 明年 more often than 今年 (a speech given the year before).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from . import patterns as P
from .catalogue import Catalogue, Unit, default_catalogue
from .normalise import is_heading, normalise
from .numbers import NumberError, parse_number, split_multiplier

__all__ = ["ITEM_KEYS", "Item", "extract", "extract_normalised", "infer_year"]

ITEM_KEYS = (
    "quote",
    "indicator",
    "measure",
    "value",
    "unit",
    "comparator",
    "level",
    "scope",
    "parent_indicator",
    "deadline",
    "kind",
)
_CLOSING = "”’」』）"


@dataclass
class Item:
    """One extracted target (``kind="target"``) or dated task (``kind="task"``)."""

    quote: str
    indicator: str
    measure: str | None
    value: Decimal | None
    unit: str | None
    comparator: str | None
    level: str
    scope: str | None
    parent_indicator: str | None
    deadline: dt.date | None
    kind: str = "target"
    start: int = 0  # offset of the quote in the normalised text (for highlighting)
    relative_to: str | None = None  # the other indicator of a relative target ("经济增长")

    def as_dict(self) -> dict[str, object]:
        """Exactly the keys of the issue, JSON-ready."""
        value: object = None
        if self.value is not None:
            value = int(self.value) if self.value == self.value.to_integral_value() else float(self.value)
        return {
            "quote": self.quote,
            "indicator": self.indicator,
            "measure": self.measure,
            "value": value,
            "unit": self.unit,
            "comparator": self.comparator,
            "level": self.level,
            "scope": self.scope,
            "parent_indicator": self.parent_indicator,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "kind": self.kind,
        }


# --------------------------------------------------------------------------- entry points


def extract(text: str, *, year: int | None = None, catalogue: Catalogue | None = None) -> list[Item]:
    """Targets and tasks of a raw text (normalised first; quotes refer to ``normalise(text)``)."""
    return extract_normalised(normalise(text), year=year, catalogue=catalogue)


def infer_year(text: str) -> int:
    """The plan year a text is about: the year most often written as "20XX年" (later wins a tie)."""
    years = Counter(int(y) for y in re.findall(r"(20\d\d)年", text))
    if not years:
        return dt.date.today().year
    return max(years, key=lambda y: (years[y], y))


def extract_normalised(
    text: str, *, year: int | None = None, catalogue: Catalogue | None = None
) -> list[Item]:
    ctx = _Context(
        text=text,
        year=year if year is not None else infer_year(text),
        delivered_before=text.count("明年") > text.count("今年"),
        catalogue=catalogue if catalogue is not None else default_catalogue(),
    )
    items: list[Item] = []
    review = False
    section_scope: str | None = None
    for para_start, para in _paragraphs(text):
        if _is_heading_paragraph(para):
            review = bool(P.REVIEW_HEADING.search(para))
            section_scope = ctx.single_unit(para)
            continue
        if review or _past_paragraph(para, ctx.year):
            continue
        para_scope = _lead_scope(para, ctx) or section_scope
        for start, sentence in _split(para, "。！？"):
            items.extend(_SentenceReader(ctx, sentence, para_start + start, para_scope).run())
    return items


# --------------------------------------------------------------------------- structure


@dataclass
class _Context:
    text: str
    year: int
    delivered_before: bool
    catalogue: Catalogue

    def single_unit(self, text: str) -> str | None:
        units = {u.name for u in self.mentions(text)}
        return units.pop() if len(units) == 1 else None

    def mentions(self, text: str) -> list[Unit]:
        return [self.catalogue.mention_names[m.group()] for m in self.catalogue.mention_re.finditer(text)]

    def year_of(self, word: str | None, y4: str | None) -> int:
        if y4:
            return int(y4)
        if word == "明年":
            return self.year if self.delivered_before else self.year + 1
        if word in ("今年", "本年"):
            return self.year - 1 if self.delivered_before else self.year
        return self.year


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        if line:
            yield pos, line
        pos += len(line) + 1


def _split(text: str, separators: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) for the pieces of ``text`` between separator characters (separators dropped)."""
    start = 0
    for i, ch in enumerate(text):
        if ch in separators:
            if i > start:
                yield start, text[start:i]
            start = i + 1
    if start < len(text):
        yield start, text[start:]


def _is_heading_paragraph(para: str) -> bool:
    if is_heading(para):
        return True
    return len(para) <= 50 and not re.search(r"[。！？；]", para)


def _past_paragraph(para: str, year: int) -> bool:
    return bool(P.PAST_PARAGRAPH_START.match(para)) or para.startswith((f"{year - 1}年，", f"{year - 1}年,"))


def _lead_scope(para: str, ctx: _Context) -> str | None:
    """The unit named by a paragraph's short lead sentence ("要拓展提升临港产业区。")."""
    lead = re.split(r"[。！？]", para, maxsplit=1)[0]
    if len(lead) > 25:
        return None
    return ctx.single_unit(lead)


def _is_past(text: str, year: int) -> bool:
    if P.FORWARD_MARKERS.search(text):
        return False
    return bool(P.PAST_MARKERS.search(text)) or f"{year - 1}年" in text


# --------------------------------------------------------------------------- candidates


@dataclass
class _Cand:
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


def _number_candidates(clause: str) -> list[_Cand]:
    cands: list[_Cand] = []
    consumed = 0
    for m in P.QUANTITY.finditer(clause):
        if m.start() < consumed:
            continue
        cand = _number_candidate(clause, m)
        if cand is not None:
            cands.append(cand)
            consumed = cand.end
    return cands


def _number_candidate(clause: str, m: re.Match[str]) -> _Cand | None:
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
    cand = _Cand(m.start(), end, "num", value=value, unit=unit, measure=measure, comparator=comparator)
    after = clause[end:].lstrip(_CLOSING)
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
        _read_noun(cand, clause, end)
    return cand


_NOUN_STOP = re.compile(
    r"的|落户|开工|建成|投产|竣工|落地|扫尾|建设|实施|达标|完成|" + P.REDUCTION_ACTIONS.pattern
)


def _read_noun(cand: _Cand, clause: str, start: int) -> None:
    """The noun a pre-nominal number counts ("100个市县重点项目" → 市县重点项目)."""
    rest = clause[start:]
    stop = None
    for m in _NOUN_STOP.finditer(rest):
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


def _special_candidates(clause: str, has_numbers: bool, has_deadline: bool) -> list[_Cand]:
    cands: list[_Cand] = []
    for m in P.DOUBLING.finditer(clause):
        times = {"两": 3, "二": 3, "三": 7}.get(m.group("times") or "", 1)
        cand = _Cand(m.start(), m.end(), "double", value=Decimal(100 * times), unit="%", measure="growth")
        cand.comparator = ">="
        if "双倍增" in m.group():
            cand.times = 2
        after = clause[m.end() :].lstrip(_CLOSING)
        if after.startswith("的") or (after.startswith("、") and _attributive_list(after)):
            cand.status = "skip"
        cands.append(cand)
    if has_deadline:
        for m in P.ALL_DONE.finditer(clause):
            cand = _Cand(m.start(), m.end(), "alldone", value=Decimal(100), unit="%", measure="ratio")
            cand.comparator = ">="
            cand.noun = m.group("verb")
            cands.append(cand)
    if not has_numbers:
        m = P.BREAKTHROUGH.search(clause)
        if m and re.search(r"(?:项目|企业|工程)$", clause[: m.start()]):
            cand = _Cand(m.start(), m.end(), "breakthrough", value=Decimal(1), unit="个", measure="count")
            cand.comparator = ">="
            cands.append(cand)
        for regex, comparator in ((P.RELATIVE, "~"), (P.FASTER, ">=")):
            m = regex.search(clause)
            if m:
                growth = bool(m.group("growth"))
                cand = _Cand(m.start(), m.end(), "relative", unit="%" if growth else None)
                cand.measure = "growth" if growth else None
                cand.comparator = comparator
                cand.relative_to = m.group("ref")
                cand.name_override = m.group("ind")
                cands.append(cand)
                break
    return cands


def _attributive_list(after: str) -> bool:
    """After "、": the list goes on and ends in 的 (not 的目标) — the whole list describes a noun."""
    m = re.search(r"的", after)
    return bool(m) and not re.match(r"的(?:目标|任务)", after[m.start() :])


# --------------------------------------------------------------------------- names


def _strip_scope(name: str, cat: Catalogue) -> str:
    name = cat.town_list_re.sub("", name)
    name = cat.others_re.sub("", name)
    name = cat.mention_re.sub("", name)
    for county in cat.county_names:
        name = name.replace(county, "")
    name = P.WHOLE_JURISDICTION.sub("", name).lstrip("、和及与")
    return re.sub(r"^(?:每家|每个|各)|(?:每家|每个)", "", name)


def _stage1(raw: str, cat: Catalogue) -> str:
    """Name without level, time and scope words (verbs of effort kept, for the flow rule)."""
    name = P.LEVEL_WORDS.sub("", raw)
    name = P.DEADLINE.sub(lambda m: "" if _real_deadline(m) else m.group(), name)
    name = P.TIME_WORDS.sub("", name)
    name = _strip_scope(name, cat)
    return name.strip("、，：；（） ")


def _stage2(name: str) -> str:
    """Final indicator name: effort verbs, example lists and dangling words removed."""
    m = P.EXAMPLES.search(name)
    if m and (("、" in m.group("examples")) or m.group("verb") or m.start() == 0):
        name = name[: m.start()] + (m.group("verb") or "") + name[m.end() :]
    previous = None
    while previous != name:
        previous = name
        name = P.LEADING_FILLERS.sub("", name)
        name = P.TRAILING_FILLERS.sub("", name)
        name = name.strip("、，：；（） ")
    if name.count("“") != name.count("”"):
        name = name.strip("“”")
    return name


_TIER_AT_START = re.compile(
    r"^(?:(?:过|超)[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)|[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)以上)"
)


def _compose_tier(parent: str, child: str) -> str:
    """A size tier under its parent: parent "签约投资过亿元重点产业项目" + child "过10亿元" →
    "签约投资过10亿元重点产业项目"; "10亿元以上项目" under "签约亿元以上项目" → "签约10亿元以上项目".
    Any other child keeps its own name."""
    m = _TIER_AT_START.match(child)
    if not m:
        return child
    rest = child[m.end() :].removeprefix("级")
    threshold = P.THRESHOLD_IN_NAME.search(parent)
    if threshold is None or not parent.endswith(rest):
        return child
    return parent[: threshold.start()] + m.group() + parent[threshold.end() :]


def _split_names(name: str, raw: str, force: bool) -> list[str]:
    parts = [p for p in P.NAME_LIST_SPLIT.split(name) if p]
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return [name]
    if force or re.search(r"均|分别|都", raw) or all(len(p) >= 4 for p in parts):
        return parts
    return [name]


# --------------------------------------------------------------------------- deadlines


def _real_deadline(m: re.Match[str]) -> bool:
    if m.group("month") and not (m.group("day") or m.group("part") or m.group("before") or m.group("year")):
        return False
    return True


def _resolve_deadline(m: re.Match[str], ctx: _Context) -> dt.date | None:
    year = ctx.year_of(m.group("year") if not m.group("y4") else None, m.group("y4"))
    if m.group("quarter"):
        q = {"一": 1, "二": 2, "三": 3, "四": 4}.get(m.group("quarter")) or int(m.group("quarter"))
        return _month_end(year, 3 * q)
    if m.group("half"):
        return _month_end(year, 6 if m.group("half") == "上半年" else 12)
    if m.group("yearend"):
        return dt.date(year, 12, 31)
    month_text = m.group("month")
    try:
        month = int(parse_number(month_text))
    except NumberError:
        return None
    if not 1 <= month <= 12:
        return None
    if m.group("day"):
        try:
            return dt.date(year, month, int(m.group("day")))
        except ValueError:
            return None
    part = m.group("part")
    if part == "上旬":
        return dt.date(year, month, 10)
    if part == "中旬":
        return dt.date(year, month, 20)
    return _month_end(year, month)


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _deadline_for(
    deadlines: list[tuple[int, dt.date | None]], since: int, before: int, carried: dt.date | None
) -> dt.date | None:
    """The deadline written in the candidate's own stretch of the clause, else the first of the clause."""
    own = [d for pos, d in deadlines if since <= pos < before]
    if own:
        return own[-1]
    earlier = [d for pos, d in deadlines if pos < since]
    if earlier:
        return earlier[-1]
    return deadlines[0][1] if deadlines else carried


# --------------------------------------------------------------------------- sentences


@dataclass
class _SentenceReader:
    ctx: _Context
    text: str
    offset: int  # of the sentence in the normalised text
    para_scope: str | None
    items: list[Item] = field(default_factory=list)
    chain_from: int | None = None  # index in items where 其中 started
    attrs: dict[str, Item] = field(default_factory=dict)
    subject: str | None = None
    named_units: set[str] = field(default_factory=set)
    pending_names: list[str] = field(default_factory=list)

    def run(self) -> list[Item]:
        clauses = [c for _, c in _split(self.text, "，；：")]
        if any(_is_past(c, self.ctx.year) for c in clauses) and not P.FORWARD_MARKERS.search(self.text):
            return []  # "新增城镇就业1.1万人，完成了省定任务": a report of the past
        for seg_start, segment in _split(self.text, "；"):
            self._segment(seg_start, segment)
        return self.items

    # -- scope

    def _clause_scopes(self, clause: str) -> list[str | None] | None:
        """Units a clause lists ("伊山、下车等镇级工业集中区每家", "其他镇级工业集中区每家"), if any."""
        cat = self.ctx.catalogue
        m = cat.town_list_re.search(clause)
        if m:
            towns = [cat.towns[n] for n in re.split(r"[、和及]", m.group("list")) if n in cat.towns]
            units: list[Unit] = []
            for town in towns:
                unit = (
                    cat.cluster_of(town)
                    if m.group("kind") in ("镇级工业集中区", "工业集中区", "集中区")
                    else town
                )
                if unit is not None:
                    units.append(unit)
            self.named_units.update(u.code for u in units)
            if units:
                return [u.name for u in units]
        m = cat.others_re.search(clause)
        if m:
            units = [u for u in cat.of_kind_word(m.group("kind")) if u.code not in self.named_units]
            if units:
                return [u.name for u in units]
        return None

    def _segment_scopes(self, segment: str) -> list[str | None]:
        cat = self.ctx.catalogue
        mentioned = list(dict.fromkeys(self.ctx.mentions(segment)))
        if mentioned:
            self.named_units.update(u.code for u in mentioned)
            if len(mentioned) > 1 and P.DISTRIBUTIVE.search(segment):
                return [u.name for u in mentioned]
            return [mentioned[0].name]
        if P.WHOLE_JURISDICTION.search(segment) or any(c in segment for c in cat.county_names if len(c) > 2):
            return [None]
        return [self.para_scope]

    # -- levels

    def _levels(self, segment: str) -> list[tuple[int, str]]:
        out = []
        for m in P.LEVEL_WORDS.finditer(segment):
            word = m.group()
            if word in P.WEAK_LEVEL_WORDS:
                clause_end = re.search(r"[，：]|$", segment[m.end() :])
                clause = segment[m.start() : m.end() + (clause_end.start() if clause_end else 0)]
                if not re.search(
                    r"\d|翻番|倍增|突破|季度|月底|年内|年底|[一二三四五六七八九十百千]+[个家项]", clause
                ):
                    continue
            out.append((m.start(), P.LEVEL_OF.get(word, "stretch")))
        return out

    @staticmethod
    def _level_at(levels: list[tuple[int, str]], pos: int) -> str:
        level = "plain"
        for start, lvl in levels:
            if start < pos:
                level = lvl
        return level

    # -- segments and clauses

    def _segment(self, seg_start: int, segment: str) -> None:
        scopes = self._segment_scopes(segment)
        levels = self._levels(segment)
        carried: dt.date | None = None
        prev_clause: tuple[int, str] | None = None
        for clause_start, clause in _split(segment, "，："):
            absolute = self.offset + seg_start + clause_start
            if _is_past(clause, self.ctx.year):
                prev_clause = None
                continue
            deadlines = [
                (m.start(), _resolve_deadline(m, self.ctx))
                for m in P.DEADLINE.finditer(clause)
                if _real_deadline(m)
            ]
            if deadlines and not P.DEADLINE_ONLY_FILLERS.sub("", P.DEADLINE.sub("", clause)).strip("，、 "):
                carried = deadlines[0][1]  # "6月底前，完成…" — the date belongs to the next clause
                continue
            if P.CHAIN_START.match(P.LEVEL_WORDS.sub("", clause)):
                self.chain_from = len(self.items)
            clause_scopes = self._clause_scopes(clause) or scopes
            made = self._clause(clause, absolute, clause_start, levels, clause_scopes, deadlines, carried)
            deadline = deadlines[0][1] if deadlines else carried
            if not made and deadline is not None:
                self._task(clause, absolute, clause_start, levels, clause_scopes, deadline, prev_clause)
            carried = None
            prev_clause = (absolute, clause)

    def _clause(
        self,
        clause: str,
        absolute: int,
        seg_pos: int,
        levels: list[tuple[int, str]],
        scopes: list[str | None],
        deadlines: list[tuple[int, dt.date | None]],
        carried: dt.date | None,
    ) -> bool:
        numbers = _number_candidates(clause)
        has_values = any(c.status != "skip" for c in numbers)
        specials = _special_candidates(clause, has_values, bool(deadlines) or carried is not None)
        cands = sorted(numbers + specials, key=lambda c: c.start)
        kept: list[_Cand] = []
        for c in cands:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        # an attribute or attributive status runs back along a "、" list
        for i in range(len(kept) - 2, -1, -1):
            between = clause[kept[i].end : kept[i + 1].start].lstrip(_CLOSING)
            if (
                between.startswith("、")
                and kept[i + 1].status in ("attr", "skip")
                and kept[i].status == "post"
            ):
                kept[i].status = kept[i + 1].status
        made = False
        prev_end = 0
        attr_group: list[tuple[_Cand, int]] = []
        for c in kept:
            text_before = clause[prev_end : c.start]
            quote_start = prev_end + (len(text_before) - len(text_before.lstrip("、，：" + _CLOSING)))
            if c.status == "skip":
                continue  # a threshold or description stays part of the name
            if c.status == "attr":
                attr_group.append((c, quote_start))
                prev_end = c.end
                continue
            level = self._level_at(levels, seg_pos + (c.end if c.kind == "relative" else c.start))
            deadline = _deadline_for(deadlines, prev_end, c.start, carried)
            if c.status == "pre":
                accept = (
                    deadline is not None
                    or level != "plain"
                    or bool(attr_group)  # "总投资300亿元的60个项目": a project list
                    or bool(P.ACCOMPLISH.search(clause))
                )
                if not accept or not c.noun:
                    attr_group = []
                    prev_end = max(c.end, c.noun_end)
                    continue
                made |= self._pre(
                    c, clause, absolute, quote_start, text_before, level, scopes, deadline, attr_group
                )
                attr_group = []
                prev_end = max(c.end, c.noun_end)
                continue
            made |= self._post(c, clause, absolute, quote_start, text_before, level, scopes, deadline)
            prev_end = c.end
        return made

    # -- item builders

    def _emit(self, base: Item, scopes: list[str | None]) -> list[Item]:
        out = []
        for scope in scopes:
            item = Item(**{**base.__dict__, "scope": scope})
            self.items.append(item)
            out.append(item)
        return out

    def _quote(self, absolute: int, clause: str, start: int, end: int) -> tuple[str, int]:
        quote = clause[start:end].strip("、，：；")
        offset = clause.find(quote, start) if quote else start
        return quote, absolute + offset

    def _comparator(self, c: _Cand, level: str, flow: bool, pre: bool) -> str:
        if c.comparator:
            return c.comparator
        if level != "plain":
            return ">="
        if pre:
            return "="
        if c.measure in ("growth", "ratio", "reduction"):
            return ">="
        if flow:
            return ">="
        return "="

    def _pre(
        self,
        c: _Cand,
        clause: str,
        absolute: int,
        quote_start: int,
        text_before: str,
        level: str,
        scopes: list[str | None],
        deadline: dt.date | None,
        attr_group: list[tuple[_Cand, int]],
    ) -> bool:
        noun = _stage2(_stage1(c.noun, self.ctx.catalogue))
        if not noun:
            return False
        if attr_group:
            quote_start = attr_group[0][1]
        quote, start = self._quote(absolute, clause, quote_start, c.noun_end)
        verb_before = re.search(rf"(?:{P.REDUCTION_ACTIONS.pattern})$", text_before)
        name = (verb_before.group() if verb_before else "") + noun + c.reduction_verb
        if verb_before:
            c.measure = "reduction"
        parent_item = self._chain_parent(c.unit, name)
        parent = parent_item.indicator if parent_item else None
        count = Item(
            quote=quote,
            indicator=name,
            measure=c.measure,
            value=c.value,
            unit=c.unit,
            comparator=self._comparator(c, level, False, pre=True),
            level=level,
            scope=None,
            parent_indicator=parent,
            deadline=deadline,
            start=start,
        )
        self._emit(count, scopes)
        self.subject = noun
        prev = quote_start
        for attr, _attr_quote_start in attr_group:
            attr_raw = clause[prev : attr.start]
            attr_name = _stage2(_stage1(attr_raw, self.ctx.catalogue))
            prev = attr.end
            if not attr_name:
                continue
            attr_level = level
            item = Item(
                quote=quote,
                indicator=noun + attr_name,
                measure=attr.measure,
                value=attr.value,
                unit=attr.unit,
                comparator=self._comparator(
                    attr, attr_level, bool(re.search(r"年度|全年|当年", attr_raw)), pre=False
                ),
                level=attr_level,
                scope=None,
                parent_indicator=None,
                deadline=deadline,
                start=start,
            )
            emitted = self._emit(item, scopes)
            self.attrs[attr_name] = emitted[0]
        return True

    def _chain_parent(self, unit: str | None, name: str) -> Item | None:
        """After 其中: the latest earlier item of the sentence with the same unit."""
        if self.chain_from is None:
            return None
        for item in reversed(self.items[: self.chain_from]):
            if item.kind == "target" and item.unit == unit and item.indicator != name:
                return item
        return None

    def _post(
        self,
        c: _Cand,
        clause: str,
        absolute: int,
        quote_start: int,
        text_before: str,
        level: str,
        scopes: list[str | None],
        deadline: dt.date | None,
    ) -> bool:
        cat = self.ctx.catalogue
        raw = c.name_override if c.name_override is not None else text_before
        if c.kind == "breakthrough" or c.kind == "relative":
            quote_end = c.end
        else:
            quote_end = c.end
        stage1 = _stage1(raw, cat)
        if P.CHAIN_START.match(stage1):
            self.chain_from = len(self.items)
            stage1 = P.CHAIN_START.sub("", stage1).lstrip("：:")
        name = _stage2(stage1)
        measure = c.measure
        if c.kind == "alldone" and not name:
            previous = self._previous()
            name = previous.indicator if previous and previous.unit == "%" else c.noun + "率"
        if not name:
            previous = self._previous()
            if self.pending_names:
                name = self.pending_names.pop(0)
            elif previous is None:
                return False
            else:
                name = previous.indicator
            if previous is not None and previous.measure == "growth" and c.unit == "%":
                measure = "growth"
        names = _split_names(name, raw, force=c.kind == "double")
        if len(names) > 1 and "分别" in raw and c.kind == "num":
            self.pending_names = names[1:]
            names = names[:1]
        if c.kind == "alldone" and stage1 and not name.endswith("率"):
            names = [n + c.noun + "率" for n in names]
        parent_item: Item | None = None
        attribute = (
            len(names) == 1
            and self.subject is not None
            and (name in self.attrs or bool(P.ATTRIBUTE_NAME.match(name)))
        )
        if attribute and self.subject is not None:
            if self.chain_from is not None:
                parent_item = self.attrs.get(name)
            names = [self.subject + name]
        elif self.chain_from is not None:
            parent_item = self._chain_parent(c.unit, name)
            if parent_item is None:
                self.chain_from = None
            else:
                names = [_compose_tier(parent_item.indicator, n) for n in names]
        if c.measure == "count" and len(names) == 1:
            self.subject = names[0]
        if measure == "ratio" and c.kind == "num":
            names = [n + "率" if P.RATE_VERBS.search(n) else n for n in names]
        flow = bool(P.FLOW_NAME.search(stage1)) or bool(re.search(r"年度|全年|当年", raw))
        comparator = self._comparator(c, level, flow, pre=False)
        if not c.comparator and level == "plain":
            if parent_item is not None:
                comparator = parent_item.comparator or comparator
            elif (
                text_before.lstrip(_CLOSING).startswith("、")
                and self.items
                and self.items[-1].start >= absolute
            ):
                comparator = self.items[-1].comparator or comparator  # a list shares its verb
        quote, start = self._quote(absolute, clause, quote_start, quote_end)
        for indicator in names:
            item = Item(
                quote=quote,
                indicator=indicator,
                measure=measure,
                value=c.value,
                unit=c.unit,
                comparator=comparator,
                level=level,
                scope=None,
                parent_indicator=parent_item.indicator if parent_item else None,
                deadline=deadline,
                start=start,
                relative_to=c.relative_to,
            )
            emitted = self._emit(item, scopes)
            if attribute and self.chain_from is None and emitted:
                self.attrs[name] = emitted[0]
        return True

    def _previous(self) -> Item | None:
        for item in reversed(self.items):
            if item.kind == "target":
                return item
        return None

    def _task(
        self,
        clause: str,
        absolute: int,
        seg_pos: int,
        levels: list[tuple[int, str]],
        scopes: list[str | None],
        deadline: dt.date,
        prev_clause: tuple[int, str] | None,
    ) -> None:
        cat = self.ctx.catalogue
        name = _stage2(_stage1(clause, cat))
        quote_start = absolute
        quote = clause
        if len(name) < 4 and prev_clause is not None:
            prev_abs, prev_text = prev_clause
            name = _stage2(_stage1(prev_text, cat)) + name
            quote_start = prev_abs
            quote = self.ctx.text[prev_abs : absolute + len(clause)]
        if len(name) < 2:
            return
        item = Item(
            quote=quote,
            indicator=name,
            measure=None,
            value=None,
            unit=None,
            comparator=None,
            level=self._level_at(levels, seg_pos + len(clause)),
            scope=None,
            parent_indicator=None,
            deadline=deadline,
            kind="task",
            start=quote_start,
        )
        self._emit(item, scopes[:1] if len(scopes) > 1 else scopes)
