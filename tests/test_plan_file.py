"""DB-free checks of the human-editable plan file plans/guanyun-2025.yaml.

Every target must quote the seed speech verbatim (whitespace-insensitive, because the
newspaper transcript has page breaks that split words), and the file must be internally
consistent: unique keys, known indicators, known org-unit codes, valid enum values.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAN_FILE = REPO_ROOT / "plans" / "guanyun-2025.yaml"
SPEECH_FILE = REPO_ROOT.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"

COUNTY = "320723"
TOWNS = [f"{COUNTY}-T{n:02d}" for n in range(1, 14)]
YANWEIGANG = f"{COUNTY}-T04"  # 燕尾港镇: its industry is the 临港产业区, no town cluster
ORG_UNIT_CODES = {
    COUNTY,
    *TOWNS,
    *(f"{town}-IZ" for town in TOWNS if town != YANWEIGANG),
    f"{COUNTY}-Z01",
    f"{COUNTY}-Z01-P01",
    f"{COUNTY}-Z02",
    f"{COUNTY}-Z02-P01",
    f"{COUNTY}-Z02-P02",
    f"{COUNTY}-Z02-P03",
}

SECTIONS = {
    "主要预期目标",
    "一条主线·招商引资",
    "一条主线·重点项目",
    "三大板块·临港产业区",
    "三大板块·经济开发区",
    "三大板块·镇级工业集中区",
    "五个上台阶",
}
UNITS = {"%", "亿元", "万元", "万美元", "个", "家", "亩", "万亩", "个月", "平方公里"}
MEASURES = {"growth", "absolute", "count", "ratio", "area", "reduction", "duration"}
DIRECTIONS = {"higher", "lower"}
ACCUMULATIONS = {"ytd", "point"}
ROLLUPS = {"sum", "none"}
COMPARATORS = {">=", "<=", "~", "="}
LEVELS = {"committed", "stretch", "plain"}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def plan() -> dict:
    with PLAN_FILE.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass


@pytest.fixture(scope="module")
def targets(plan: dict) -> list[dict]:
    return plan["targets"]


@pytest.fixture(scope="module")
def indicators(plan: dict) -> dict[str, dict]:
    return {ind["code"]: ind for ind in plan["indicators"]}


def test_plan_header(plan: dict) -> None:
    header = plan["plan"]
    assert header["code"] == "guanyun-2025"
    assert header["year"] == 2025
    assert header["org_unit"] == COUNTY
    assert header["source"]["file"] == "sources/guanyun-2025-economic-work-speech.txt"


def test_quotes_occur_verbatim_in_speech(targets: list[dict]) -> None:
    if not SPEECH_FILE.exists():
        pytest.skip(f"seed speech not available at {SPEECH_FILE}")
    speech = _squash(SPEECH_FILE.read_text(encoding="utf-8"))
    missing = [
        (t["key"], t["quote"]) for t in targets if not t.get("quote") or _squash(t["quote"]) not in speech
    ]
    assert not missing, f"quotes not found verbatim in the speech: {missing}"


def test_at_least_45_targets(targets: list[dict]) -> None:
    assert len(targets) >= 45


def test_target_keys_unique(targets: list[dict]) -> None:
    dupes = [k for k, n in Counter(t["key"] for t in targets).items() if n > 1]
    assert not dupes, f"duplicate target keys: {dupes}"
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", t["key"]) for t in targets)


def test_indicator_codes_and_names_unique(plan: dict) -> None:
    codes = Counter(ind["code"] for ind in plan["indicators"])
    names = Counter(ind["name"] for ind in plan["indicators"])
    assert not [c for c, n in codes.items() if n > 1], "duplicate indicator codes"
    assert not [c for c, n in names.items() if n > 1], "duplicate indicator names"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes)


def test_indicator_fields_valid(indicators: dict[str, dict]) -> None:
    for code, ind in indicators.items():
        assert ind["unit"] in UNITS, code
        assert ind.get("value_unit", "亿元") in UNITS, code
        assert ind["measure"] in MEASURES, code
        assert ind["direction"] in DIRECTIONS, code
        assert ind["accumulation"] in ACCUMULATIONS, code
        assert ind["rollup"] in ROLLUPS, code
        if ind["measure"] in {"growth", "ratio"}:
            assert ind["unit"] == "%", code


def test_every_target_indicator_is_declared(targets: list[dict], indicators: dict[str, dict]) -> None:
    unknown = [(t["key"], t["indicator"]) for t in targets if t["indicator"] not in indicators]
    assert not unknown, f"targets reference undeclared indicators: {unknown}"
    relative = [(t["key"], t["relative_to"]) for t in targets if t.get("relative_to")]
    assert all(code in indicators for _, code in relative), relative


def test_every_indicator_is_used(targets: list[dict], indicators: dict[str, dict]) -> None:
    used = {t["indicator"] for t in targets}
    assert set(indicators) - used == set()


def test_org_unit_codes_known(plan: dict, targets: list[dict]) -> None:
    assert plan["plan"]["org_unit"] in ORG_UNIT_CODES
    unknown = [(t["key"], t["org_unit"]) for t in targets if t["org_unit"] not in ORG_UNIT_CODES]
    assert not unknown, f"unknown org-unit codes: {unknown}"


def test_target_fields_valid(targets: list[dict]) -> None:
    for t in targets:
        key = t["key"]
        assert t["section"] in SECTIONS, key
        assert t["comparator"] in COMPARATORS, key
        assert t["level"] in LEVELS, key
        value = t.get("value")
        if value is None:
            assert t.get("relative_to"), f"{key}: a target without value must be relative_to something"
        else:
            assert isinstance(value, int | float) and not isinstance(value, bool), key
        if "deadline" in t:
            assert isinstance(t["deadline"], datetime.date), key
            assert t["deadline"].year == 2025, key


def test_parents_exist(targets: list[dict]) -> None:
    keys = {t["key"] for t in targets}
    for t in targets:
        if t.get("parent"):
            assert t["parent"] in keys, t["key"]
            assert t["parent"] != t["key"], t["key"]


def test_no_duplicate_target_slots(targets: list[dict]) -> None:
    slots = Counter((t["indicator"], t["org_unit"], t["level"], t.get("deadline")) for t in targets)
    dupes = [s for s, n in slots.items() if n > 1]
    assert not dupes, f"duplicate (indicator, org_unit, level, deadline): {dupes}"


def test_key_tasks_quote_the_speech_and_have_deadlines(plan: dict) -> None:
    """Key tasks (重点任务, issue 4): ≥12, each with a deadline in the plan year, an owner and a verbatim quote."""
    tasks = plan.get("tasks") or []
    assert len(tasks) >= 12
    keys = Counter(t["key"] for t in tasks)
    assert not [k for k, n in keys.items() if n > 1], "duplicate task keys"
    for t in tasks:
        assert isinstance(t["deadline"], datetime.date) and t["deadline"].year == 2025, t["key"]
        assert t["owner"] in ORG_UNIT_CODES | {f"{COUNTY}-D{n:02d}" for n in range(1, 12)}, t["key"]
        assert t["title"].strip() and t["leader"].strip(), t["key"]
        for m in t.get("milestones") or []:
            assert m["due"] <= t["deadline"], t["key"]
    # the dated tasks the issue names
    by_quote = {_squash(t["quote"]): t for t in tasks}
    assert by_quote[_squash("6月底前基本拉开3平方公里先试先行区的整体框架")]["deadline"] == datetime.date(
        2025, 6, 30
    )
    research = [t for t in tasks if t["key"].startswith("research-")]
    assert len(research) == 10 and all(t["deadline"] == datetime.date(2025, 3, 31) for t in research)
    if not SPEECH_FILE.exists():
        pytest.skip(f"seed speech not available at {SPEECH_FILE}")
    speech = _squash(SPEECH_FILE.read_text(encoding="utf-8"))
    missing = [(t["key"], t["quote"]) for t in tasks if _squash(t["quote"]) not in speech]
    assert not missing, f"task quotes not found verbatim in the speech: {missing}"
