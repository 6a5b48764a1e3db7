"""Compare extracted targets with a hand-built plan file: precision, recall and the mismatches.

An extracted target and a plan-file target match when all of these agree:

- **value** (numerically; both None for a relative target), **unit** (the plan indicator's ``unit``),
  **comparator** and **level**, exactly;
- **scope**: the plan target's ``org_unit`` code mapped to a unit name through the org-unit catalogue
  (the Guanyun seed by default, no database), the county itself being ``None`` (whole jurisdiction);
- **indicator**: the extractor's name "as written" and the plan indicator's ``name`` are equal after
  :func:`canonical_indicator`; failing that, one canonical name contains the other *and* no other
  unmatched plan target with the same value, unit, comparator, level and scope is a candidate
  (e.g. "先试先行区" ⊂ "先试先行区框架").

Only ``kind == "target"`` items are compared: the plan file has no tasks. Matching is one-to-one, exact
names first. Precision = matched / extracted targets; recall = matched / plan targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .catalogue import Catalogue, default_catalogue
from .extract import Item

__all__ = ["Comparison", "PlanTarget", "canonical_indicator", "compare", "load_plan_targets"]

# Written variants of one indicator -> one spelling. Kept small and explicit; applied in order.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("签约投资", "签约"),  # 签约投资过亿元项目 = 签约过亿元项目
    ("引进", "签约"),  # a project "introduced" is counted when signed (DOMAIN.md §4)
    ("招引", "签约"),
    ("过亿元重点产业项目", "重点产业项目"),  # 重点产业项目 are ≥1亿元 by definition
    ("战略性项目", "级项目"),  # 百亿元战略性项目 = 百亿元级项目
    ("新竣工投产", "竣工投产"),
    ("年度计划投资", "年度完成投资"),  # the year's planned investment is what must be completed
)
# Words that frame a name without changing the indicator.
PREFIXES = re.compile(r"^(?:全年|全县|年度内|完成|实现|建设|建成)")
SUFFIXES = re.compile(r"(?:个数|数量|数|面积|完成额|增速|增长)$")
_QUOTES = re.compile(r"[“”‘’「」『』\"'\s]")


def canonical_indicator(name: str) -> str:
    """The comparison form of an indicator name (quotes, framing words and known variants removed)."""
    name = _QUOTES.sub("", name)
    for old, new in SYNONYMS:
        name = name.replace(old, new)
    previous = None
    while previous != name:
        previous = name
        name = PREFIXES.sub("", name)
        name = SUFFIXES.sub("", name)
    return name


@dataclass(frozen=True)
class PlanTarget:
    key: str
    indicator: str  # indicator name
    value: Decimal | None
    unit: str
    comparator: str
    level: str
    scope: str | None
    quote: str


@dataclass
class Mismatch:
    side: str  # "extracted" (a false positive) or "plan" (a miss)
    description: str
    nearest: str  # the closest counterpart and the fields that differ, if any


@dataclass
class Comparison:
    matched: list[tuple[Item, PlanTarget]]
    extracted_only: list[Item]
    plan_only: list[PlanTarget]
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def precision(self) -> float:
        total = len(self.matched) + len(self.extracted_only)
        return len(self.matched) / total if total else 0.0

    @property
    def recall(self) -> float:
        total = len(self.matched) + len(self.plan_only)
        return len(self.matched) / total if total else 0.0

    def report(self) -> str:
        lines = [
            f"precision {self.precision:.3f} ({len(self.matched)}/{len(self.matched) + len(self.extracted_only)})",
            f"recall    {self.recall:.3f} ({len(self.matched)}/{len(self.matched) + len(self.plan_only)})",
        ]
        if self.mismatches:
            lines.append("mismatches:")
            for m in self.mismatches:
                label = "extra (not in plan)" if m.side == "extracted" else "missed (plan only)"
                lines.append(f"  {label}: {m.description}")
                if m.nearest:
                    lines.append(f"      nearest: {m.nearest}")
        return "\n".join(lines)


def load_plan_targets(path: str | Path, catalogue: Catalogue | None = None) -> list[PlanTarget]:
    """The targets of a plan file, with indicator names, units and scope names resolved."""
    from diaodu.plans.planfile import parse_plan_file

    catalogue = catalogue or default_catalogue()
    spec = parse_plan_file(path)
    indicators = {i.code: i for i in spec.indicators}
    out = []
    for t in spec.targets:
        indicator = indicators.get(t.indicator)
        out.append(
            PlanTarget(
                key=t.key,
                indicator=indicator.name if indicator else t.indicator,
                value=t.value,
                unit=indicator.unit if indicator else "",
                comparator=t.comparator,
                level=t.level,
                scope=catalogue.name_of(t.org_unit),
                quote=t.quote,
            )
        )
    return out


def _same_value(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


def _fields_agree(item: Item, target: PlanTarget) -> bool:
    return (
        _same_value(item.value, target.value)
        and (item.unit or "") == target.unit
        and item.comparator == target.comparator
        and item.level == target.level
        and item.scope == target.scope
    )


def _differences(item: Item, target: PlanTarget) -> list[str]:
    diffs = []
    if canonical_indicator(item.indicator) != canonical_indicator(target.indicator):
        diffs.append(f"indicator {item.indicator!r}≠{target.indicator!r}")
    if not _same_value(item.value, target.value):
        diffs.append(f"value {item.value}≠{target.value}")
    if (item.unit or "") != target.unit:
        diffs.append(f"unit {item.unit}≠{target.unit}")
    if item.comparator != target.comparator:
        diffs.append(f"comparator {item.comparator}≠{target.comparator}")
    if item.level != target.level:
        diffs.append(f"level {item.level}≠{target.level}")
    if item.scope != target.scope:
        diffs.append(f"scope {item.scope}≠{target.scope}")
    return diffs


def _describe_item(item: Item) -> str:
    value = "" if item.value is None else format(item.value.normalize(), "f")
    return (
        f"{item.indicator} {item.comparator} {value}{item.unit or ''} [{item.level}]"
        f" @{item.scope or '全域'} «{item.quote}»"
    )


def _describe_target(t: PlanTarget) -> str:
    value = "" if t.value is None else format(t.value.normalize(), "f")
    return (
        f"{t.key}: {t.indicator} {t.comparator} {value}{t.unit} [{t.level}] @{t.scope or '全域'} «{t.quote}»"
    )


def compare(items: Sequence[Item], targets: Sequence[PlanTarget]) -> Comparison:
    extracted = [i for i in items if i.kind == "target"]
    free_items = list(range(len(extracted)))
    free_targets = list(range(len(targets)))
    pairs: list[tuple[int, int]] = []

    # pass 1: equal canonical names
    for ii in list(free_items):
        name = canonical_indicator(extracted[ii].indicator)
        for ti in free_targets:
            t = targets[ti]
            if _fields_agree(extracted[ii], t) and canonical_indicator(t.indicator) == name:
                pairs.append((ii, ti))
                free_items.remove(ii)
                free_targets.remove(ti)
                break
    # pass 2: one name contains the other, and the candidate is unique
    for ii in list(free_items):
        name = canonical_indicator(extracted[ii].indicator)
        candidates = [
            ti
            for ti in free_targets
            if _fields_agree(extracted[ii], targets[ti])
            and name
            and (
                name in canonical_indicator(targets[ti].indicator)
                or canonical_indicator(targets[ti].indicator) in name
            )
        ]
        if len(candidates) == 1:
            pairs.append((ii, candidates[0]))
            free_items.remove(ii)
            free_targets.remove(candidates[0])

    result = Comparison(
        matched=[(extracted[i], targets[t]) for i, t in pairs],
        extracted_only=[extracted[i] for i in free_items],
        plan_only=[targets[t] for t in free_targets],
    )
    for ii in free_items:
        item = extracted[ii]
        nearest = min(
            (targets[t] for t in free_targets), key=lambda t: len(_differences(item, t)), default=None
        )
        note = f"{nearest.key} ({'; '.join(_differences(item, nearest))})" if nearest else ""
        result.mismatches.append(Mismatch("extracted", _describe_item(item), note))
    for ti in free_targets:
        target = targets[ti]
        nearest_item = min(
            (extracted[i] for i in free_items), key=lambda i: len(_differences(i, target)), default=None
        )
        note = (
            f"{nearest_item.indicator} ({'; '.join(_differences(nearest_item, target))})"
            if nearest_item
            else ""
        )
        result.mismatches.append(Mismatch("plan", _describe_target(target), note))
    return result
