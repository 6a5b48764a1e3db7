"""The seed speech against the hand-built Guanyun plan file: precision and recall ≥ 0.95 (no database).

Run with ``-s`` to see the figures and the mismatches.
"""

from __future__ import annotations

from pathlib import Path

from diaodu.compiler.extract import extract, normalise, read_document
from diaodu.compiler.extract.compare import compare, load_plan_targets

from .conftest import PLAN_FILE


def test_the_seed_speech_matches_the_plan_file(seed_speech: Path) -> None:
    items = extract(read_document(seed_speech), year=2025)
    result = compare(items, load_plan_targets(PLAN_FILE))
    print(f"\n[seed vs {PLAN_FILE.name}] {len(items)} items extracted")
    print(result.report())
    assert result.precision >= 0.95
    assert result.recall >= 0.95


def test_every_seed_quote_is_in_the_normalised_speech(seed_speech: Path) -> None:
    text = normalise(read_document(seed_speech))
    items = extract(text, year=2025)
    assert items
    for item in items:
        assert text[item.start : item.start + len(item.quote)] == item.quote


def test_the_seed_tasks_have_their_deadlines(seed_speech: Path) -> None:
    tasks = {
        i.quote: i.deadline.isoformat()
        for i in extract(read_document(seed_speech), year=2025)
        if i.kind == "task" and i.deadline
    }
    assert tasks == {
        "一季度前完成总体规划、产业规划编制和区域环评": "2025-03-31",
        "加快推进省级渔港经济区建设，力争年内获批": "2025-12-31",
        "明年3月底集中汇报交流": "2025-03-31",
    }


def test_the_plan_year_is_inferred_from_the_text(seed_speech: Path) -> None:
    from diaodu.compiler.extract import infer_year

    assert infer_year(normalise(read_document(seed_speech))) == 2025
