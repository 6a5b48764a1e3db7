"""The review page's rules on plain values (no database)."""

from __future__ import annotations

from diaodu.compiler import domain
from diaodu.compiler.domain import IndicatorOption, Span

TEXT = "一、目标\n地区生产总值增长7%以上，力争8%。\n二、工作\n完成规划。"


def test_it_cuts_paragraphs_at_every_quote_boundary() -> None:
    start = TEXT.index("地区")
    paras = domain.highlight(TEXT, [Span(1, start, start + 12), Span(2, start + 13, start + 17, "accepted")])
    assert len(paras) == 4
    second = paras[1]
    assert "".join(s.text for s in second) == "地区生产总值增长7%以上，力争8%。"
    marked = [(s.text, s.item_ids, s.anchors) for s in second if s.item_ids]
    assert marked == [("地区生产总值增长7%以上", (1,), (1,)), ("力争8%", (2,), (2,))]
    assert [s.anchor for s in second if s.item_ids] == [1, 2]
    assert [s.accepted for s in second if s.item_ids] == [False, True]


def test_it_handles_overlapping_quotes() -> None:
    start = TEXT.index("地区")
    paras = domain.highlight(TEXT, [Span(1, start, start + 10), Span(2, start + 6, start + 12)])
    runs = [(s.text, s.item_ids) for s in paras[1] if s.item_ids]
    assert runs == [("地区生产总值", (1,)), ("增长7%", (1, 2)), ("以上", (2,))]


def test_it_ignores_spans_outside_the_text() -> None:
    paras = domain.highlight("短文", [Span(1, 5, 9), Span(2, 1, 1)])
    assert [(s.text, s.item_ids) for s in paras[0]] == [("短文", ())]


def test_it_shows_a_quote_in_its_paragraph() -> None:
    start = TEXT.index("力争")
    before, quote, after = domain.in_context(TEXT, start, start + 4, width=5)
    assert (before, quote, after) == ("…7%以上，", "力争8%", "。")


def test_it_finds_the_section_heading() -> None:
    assert domain.section_at(TEXT, TEXT.index("地区")) == "目标"
    assert domain.section_at(TEXT, TEXT.index("完成")) == "工作"
    assert domain.section_at("没有标题的一段话。", 3) == ""


OPTIONS = [
    IndicatorOption(1, "地区生产总值", "%", "growth"),
    IndicatorOption(2, "新增“四上”企业数", "家", "count"),
    IndicatorOption(3, "实际利用外资", "万美元", "absolute"),
    IndicatorOption(4, "签约过亿元重点产业项目", "个", "count"),
]


def test_it_suggests_the_same_canonical_name_first() -> None:
    [(best, score), *_rest] = domain.suggest_indicators("新增'四上'企业", "家", "count", OPTIONS)
    assert best.pk == 2 and score == 1.0


def test_it_suggests_only_indicators_in_the_same_unit() -> None:
    assert domain.suggest_indicators("地区生产总值", "亿元", "absolute", OPTIONS) == []
    assert [o.pk for o, _s in domain.suggest_indicators("地区生产总值", "%", "growth", OPTIONS)] == [1]


def test_it_uses_the_comparison_synonyms() -> None:
    [(best, _score)] = domain.suggest_indicators("签约投资过亿元重点产业项目", "个", "count", OPTIONS)
    assert best.pk == 4


def test_it_suggests_nothing_for_unrelated_names() -> None:
    assert domain.suggest_indicators("农村人居环境整治", "个", "count", OPTIONS) == []


def test_keys_and_codes_are_slugs() -> None:
    assert domain.target_key(3, 17, "gdp") == "c3-17-gdp"
    code = domain.new_indicator_code("新增规上工业企业")
    assert code.startswith("x-") and len(code) == 12 and code == domain.new_indicator_code("新增规上工业企业")
