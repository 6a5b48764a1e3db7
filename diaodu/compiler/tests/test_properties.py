"""Property tests of the extractor (hypothesis, no database)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.compiler.extract import ITEM_KEYS, extract, normalise

from .corpus import load_cases

FRAGMENTS = [c.text for c in load_cases()] + [
    "，",
    "。",
    "；",
    "\n\n",
    "确保",
    "力争",
    "其中",
    "一季度",
    "6月底前",
    "以上",
    "左右",
    "翻番",
    "临港产业区",
    "伊山、下车等镇级工业集中区每家",
    "其他镇每个",
    "过10亿元",
    "五千万美元",
    "与经济增长基本同步",
]


def _assert_well_formed(text: str) -> None:
    normalised = normalise(text)
    for item in extract(text, year=2025):
        assert item.quote in normalised
        assert normalised[item.start : item.start + len(item.quote)] == item.quote
        assert tuple(item.as_dict()) == ITEM_KEYS


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_crash_on_arbitrary_unicode_and_quotes_are_substrings(text: str) -> None:
    _assert_well_formed(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=8),
    st.text(alphabet="，。、；：0123456789%万亿个家以上\n ", max_size=12),
)
def test_quotes_are_substrings_of_the_normalised_input_for_plan_like_text(
    parts: list[str], noise: str
) -> None:
    _assert_well_formed(noise.join(parts))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
