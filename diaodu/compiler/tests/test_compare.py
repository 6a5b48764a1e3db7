"""Indicator-name normalisation and one-to-one matching (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from diaodu.compiler.extract import Item
from diaodu.compiler.extract.compare import PlanTarget, canonical_indicator, compare


@pytest.mark.parametrize(
    ("written", "catalogued"),
    [
        ("新增“四上”企业", "新增“四上”企业数"),
        ("引进重点产业项目", "签约投资过亿元重点产业项目数"),
        ("新竣工投产重点产业项目", "竣工投产重点产业项目数"),
        ("市级重点项目年度计划投资", "市级重点项目年度完成投资"),
        ("工业投资", "工业投资完成额"),
        ("百亿元战略性项目", "百亿元级项目"),
    ],
)
def test_written_names_meet_catalogue_names(written: str, catalogued: str) -> None:
    assert canonical_indicator(written) == canonical_indicator(catalogued)


def test_different_indicators_stay_different() -> None:
    assert canonical_indicator("新开工重点产业项目") != canonical_indicator("竣工投产重点产业项目数")
    assert canonical_indicator("签约投资过10亿元重点产业项目") != canonical_indicator(
        "签约投资过50亿元重点产业项目"
    )


def _item(
    indicator: str,
    value: str | None,
    unit: str,
    comparator: str = ">=",
    level: str = "plain",
    scope: str | None = None,
) -> Item:
    return Item(
        quote=indicator,
        indicator=indicator,
        measure=None,
        value=None if value is None else Decimal(value),
        unit=unit,
        comparator=comparator,
        level=level,
        scope=scope,
        parent_indicator=None,
        deadline=None,
    )


def _target(
    key: str,
    indicator: str,
    value: str | None,
    unit: str,
    comparator: str = ">=",
    level: str = "plain",
    scope: str | None = None,
) -> PlanTarget:
    return PlanTarget(
        key, indicator, None if value is None else Decimal(value), unit, comparator, level, scope, ""
    )


def test_it_counts_precision_recall_and_lists_mismatches() -> None:
    items = [
        _item("地区生产总值", "7", "%"),
        _item("先试先行区", "3", "平方公里", "="),  # contained in the catalogue name
        _item("新增规上工业企业", "10", "家", level="committed", scope="临港产业区"),
        _item("建筑业总产值", "70", "亿元", level="plain"),  # wrong level
    ]
    targets = [
        _target("gdp", "地区生产总值", "7", "%"),
        _target("pilot", "先试先行区框架面积", "3", "平方公里", "="),
        _target("firms", "新增规上工业企业数", "10", "家", level="committed", scope="临港产业区"),
        _target("build", "建筑业总产值", "70", "亿元", level="stretch"),
    ]
    result = compare(items, targets)
    assert (len(result.matched), result.precision, result.recall) == (3, 0.75, 0.75)
    report = result.report()
    assert "precision 0.750 (3/4)" in report
    assert "level plain≠stretch" in report


def test_tasks_are_not_compared() -> None:
    task = _item("总体规划编制", None, "")
    task.kind = "task"
    result = compare([task], [_target("gdp", "地区生产总值", "7", "%")])
    assert (result.precision, result.recall) == (0.0, 0.0)
    assert not result.extracted_only
