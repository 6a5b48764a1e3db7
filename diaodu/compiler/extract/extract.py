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
from .candidates import CLOSING, Cand, number_candidates, special_candidates
from .catalogue import Catalogue, Unit, default_catalogue
from .deadlines import deadline_for, real_deadline, resolve_deadline
from .names import compose_tier, split_names, stage1_name, stage2_name
from .normalise import is_heading, normalise

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
                (m.start(), resolve_deadline(m, self.ctx))
                for m in P.DEADLINE.finditer(clause)
                if real_deadline(m)
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
        numbers = number_candidates(clause)
        has_values = any(c.status != "skip" for c in numbers)
        specials = special_candidates(clause, has_values, bool(deadlines) or carried is not None)
        cands = sorted(numbers + specials, key=lambda c: c.start)
        kept: list[Cand] = []
        for c in cands:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        # an attribute or attributive status runs back along a "、" list
        for i in range(len(kept) - 2, -1, -1):
            between = clause[kept[i].end : kept[i + 1].start].lstrip(CLOSING)
            if (
                between.startswith("、")
                and kept[i + 1].status in ("attr", "skip")
                and kept[i].status == "post"
            ):
                kept[i].status = kept[i + 1].status
        made = False
        prev_end = 0
        attr_group: list[tuple[Cand, int]] = []
        for c in kept:
            text_before = clause[prev_end : c.start]
            quote_start = prev_end + (len(text_before) - len(text_before.lstrip("、，：" + CLOSING)))
            if c.status == "skip":
                continue  # a threshold or description stays part of the name
            if c.status == "attr":
                attr_group.append((c, quote_start))
                prev_end = c.end
                continue
            level = self._level_at(levels, seg_pos + (c.end if c.kind == "relative" else c.start))
            deadline = deadline_for(deadlines, prev_end, c.start, carried)
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

    def _comparator(self, c: Cand, level: str, flow: bool, pre: bool) -> str:
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
        c: Cand,
        clause: str,
        absolute: int,
        quote_start: int,
        text_before: str,
        level: str,
        scopes: list[str | None],
        deadline: dt.date | None,
        attr_group: list[tuple[Cand, int]],
    ) -> bool:
        noun = stage2_name(stage1_name(c.noun, self.ctx.catalogue))
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
            attr_name = stage2_name(stage1_name(attr_raw, self.ctx.catalogue))
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
        c: Cand,
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
        stage1 = stage1_name(raw, cat)
        if P.CHAIN_START.match(stage1):
            self.chain_from = len(self.items)
            stage1 = P.CHAIN_START.sub("", stage1).lstrip("：:")
        name = stage2_name(stage1)
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
        names = split_names(name, raw, force=c.kind == "double")
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
                names = [compose_tier(parent_item.indicator, n) for n in names]
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
                text_before.lstrip(CLOSING).startswith("、")
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
        name = stage2_name(stage1_name(clause, cat))
        quote_start = absolute
        quote = clause
        if len(name) < 4 and prev_clause is not None:
            prev_abs, prev_text = prev_clause
            name = stage2_name(stage1_name(prev_text, cat)) + name
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
