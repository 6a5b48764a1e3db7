"""Chinese numerals ⇄ Arabic numbers (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diaodu.compiler.extract.numbers import NumberError, parse_number, split_multiplier, to_chinese


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5000", 5000),
        ("426.4", Decimal("426.4")),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("一百零五", 105),
        ("两千", 2000),
        ("五千", 5000),
        ("百", 100),
        ("十万", 100000),
        ("五千万", 50000000),
        ("一亿二千万", 120000000),
        ("百亿", 10**10),
        ("1.2万", 12000),
        ("3万5千", 35000),
        ("一万二千零五", 12005),
    ],
)
def test_it_reads_arabic_chinese_and_mixed_numerals(text: str, value: object) -> None:
    assert parse_number(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["", "项目", "十四五规划", "abc"])
def test_it_rejects_non_numbers(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


def test_it_splits_a_trailing_multiplier() -> None:
    assert split_multiplier("五千万") == ("五千", "万")
    assert split_multiplier("1.2亿") == ("1.2", "亿")
    assert split_multiplier("5000") == ("5000", "")
    assert split_multiplier("万") == ("万", "")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (105, "一百零五"),
        (1005, "一千零五"),
        (10005, "一万零五"),
        (110000, "十一万"),
    ],
)
def test_it_writes_standard_chinese(n: int, text: str) -> None:
    assert to_chinese(n) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_numbers_round_trip_between_chinese_and_arabic(n: int) -> None:
    assert parse_number(to_chinese(n)) == n
    assert parse_number(str(n)) == n
