"""diaodu extract: JSON, table and --compare output (no database needed)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from diaodu.compiler.extract import ITEM_KEYS

from .conftest import PLAN_FILE


def _run(*args: str) -> str:
    out = StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_json_array_with_exactly_the_issue_keys(seed_speech: Path) -> None:
    items = json.loads(_run(str(seed_speech), "--year", "2025", "--json"))
    assert len(items) > 50
    assert all(tuple(item) == ITEM_KEYS for item in items)
    gdp = items[0]
    assert gdp == {
        "quote": "地区生产总值增长7%以上",
        "indicator": "地区生产总值",
        "measure": "growth",
        "value": 7,
        "unit": "%",
        "comparator": ">=",
        "level": "plain",
        "scope": None,
        "parent_indicator": None,
        "deadline": None,
        "kind": "target",
    }


def test_it_prints_a_table(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("确保地区生产总值增长6%以上。\n一季度前完成园区规划编制。", encoding="utf-8")
    out = _run(str(path), "--year", "2025")
    assert "地区生产总值\t>=\t6\t%\t确保\t全域" in out
    assert "任务\t园区规划编制" in out
    assert "共 2 项（目标 1，任务 1）" in out


def test_it_compares_with_a_plan_file_in_both_argument_orders(seed_speech: Path) -> None:
    first = _run("--compare", str(PLAN_FILE), str(seed_speech), "--year", "2025")
    second = _run(str(seed_speech), "--compare", str(PLAN_FILE), "--year", "2025")
    assert first == second
    assert first.startswith("precision ")
    assert "recall " in first


def test_it_reads_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("力争实际利用外资五千万美元以上。")
    path = tmp_path / "report.docx"
    document.save(str(path))
    [item] = json.loads(_run(str(path), "--json"))
    assert (item["indicator"], item["value"], item["unit"], item["level"]) == (
        "实际利用外资",
        5000,
        "万美元",
        "stretch",
    )


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        _run(str(tmp_path / "nope.txt"))
