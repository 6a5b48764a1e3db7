"""Loading the labelled corpus (``corpus/*.yaml``) and checking one case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from diaodu.compiler.extract import Item, extract, normalise

CORPUS_DIR = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Case:
    family: str  # the file name: comparators, levels, ...
    index: int
    text: str
    year: int
    expect: tuple[dict[str, Any], ...]

    @property
    def id(self) -> str:
        return f"{self.family}-{self.index:02d}"


def load_cases(family: str | None = None) -> list[Case]:
    cases = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        if family is not None and path.stem != family:
            continue
        for index, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), start=1):
            cases.append(
                Case(path.stem, index, raw["text"], raw.get("year", 2025), tuple(raw.get("expect") or ()))
            )
    return cases


def _value(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def expected_view(e: dict[str, Any]) -> dict[str, Any]:
    kind = e.get("k", "target")
    view: dict[str, Any] = {
        "kind": kind,
        "indicator": e["i"],
        "level": e.get("l", "plain"),
        "scope": e.get("s"),
        "deadline": e.get("d"),
    }
    if kind == "target":
        view.update(
            value=_value(e.get("v")),
            unit=e.get("u"),
            comparator=e.get("c"),
            parent_indicator=e.get("p"),
        )
        if "m" in e:
            view["measure"] = e["m"]
    return view


def actual_view(item: Item, keys: set[str]) -> dict[str, Any]:
    view: dict[str, Any] = {
        "kind": item.kind,
        "indicator": item.indicator,
        "level": item.level,
        "scope": item.scope,
        "deadline": item.deadline,
        "value": item.value,
        "unit": item.unit,
        "comparator": item.comparator,
        "parent_indicator": item.parent_indicator,
        "measure": item.measure,
    }
    return {k: v for k, v in view.items() if k in keys}


def check(case: Case) -> list[Item]:
    """Extract the case and assert the items equal the labels; returns the items."""
    items = extract(case.text, year=case.year)
    expected = [expected_view(e) for e in case.expect]
    for e in expected:
        if isinstance(e["deadline"], str):
            e["deadline"] = dt.date.fromisoformat(e["deadline"])
    actual = [actual_view(item, set(e)) for item, e in zip(items, expected, strict=False)]
    assert len(items) == len(expected) and actual == expected, (
        f"{case.id}: {case.text}\n  expected {expected}\n  got {[i.as_dict() for i in items]}"
    )
    text = normalise(case.text)
    for item in items:
        assert item.quote and item.quote in text, (
            f"{case.id}: quote {item.quote!r} not in the normalised text"
        )
        assert text[item.start : item.start + len(item.quote)] == item.quote, f"{case.id}: wrong start offset"
    return items
