"""Amount text as offices type it (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from diaodu.workbooks.amounts import (
    AmountError,
    ParsedAmount,
    convert,
    parse_amount,
    parse_chinese_number,
    tidy,
    to_unit,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("三千五百", 3500),
        ("两百", 200),
        ("一万二千零五", 12005),
        ("二十亿", 2_000_000_000),
        ("五千万", 50_000_000),
        ("3万5千", 35_000),
        ("一点五", D("1.5")),
        ("一点五亿", 150_000_000),
        ("壹仟贰佰", 1200),
        ("1.2万", 12_000),
        ("3万5", 35_000),
        ("1亿2", 120_000_000),
        ("零", 0),
        ("〇", 0),
    ],
)
def test_chinese_numerals(text: str, expected: int | Decimal) -> None:
    assert parse_chinese_number(text) == D(expected)


@pytest.mark.parametrize("text", ["二三", "三x", "点"])
def test_bad_chinese_numerals(text: str) -> None:
    with pytest.raises(AmountError):
        parse_chinese_number(text)


@pytest.mark.parametrize(
    ("cell", "value", "unit", "scaled", "note"),
    [
        (5800, D(5800), None, False, ""),
        (12.5, D("12.5"), None, False, ""),
        (0.1 + 0.2, D("0.3"), None, False, ""),
        ("5800", D(5800), None, False, ""),
        ("5,800.50", D("5800.50"), None, False, ""),
        ("１２３４", D(1234), None, False, ""),  # full-width digits
        ("5800万元", D(5800), "万元", False, ""),
        ("20亿元", D(20), "亿元", False, ""),
        ("20 亿元", D(20), "亿元", False, ""),
        ("1.2万", D(12000), None, True, ""),
        ("3亿", D(300_000_000), None, True, ""),
        ("二十亿元", D(20), "亿元", False, ""),
        ("二十亿", D(2_000_000_000), None, True, ""),
        ("三千五百万元", D(3500), "万元", False, ""),
        ("3500元", D(3500), "元", False, ""),
        ("-12.5%", D("-12.5"), "%", False, ""),
        ("−3.2％", D("-3.2"), "%", False, ""),
        ("800万美元", D(800), "万美元", False, ""),
        ("1.5亿美元", D("1.5"), "亿美元", False, ""),
        ("120亩", D(120), "亩", False, ""),
        ("5800（预计）", D(5800), None, False, "预计"),
        ("约5800万元", D(5800), "万元", False, ""),
        ("5800万元(含土地款)", D(5800), "万元", False, "含土地款"),
        ("12个", D(12), "个", False, ""),
        ("  42  ", D(42), None, False, ""),
    ],
)
def test_parse_amount(cell: object, value: Decimal, unit: str | None, scaled: bool, note: str) -> None:
    assert parse_amount(cell) == ParsedAmount(value, unit, scaled, note)


@pytest.mark.parametrize("cell", [None, "", "-", "—", "——", "/", "无", "暂无", "N/A"])
def test_blank_amounts(cell: object) -> None:
    assert parse_amount(cell) is None


@pytest.mark.parametrize("cell", ["待统计", "约", "12..5", "五千万元左右吧", "abc", True, "1.2.3万"])
def test_text_is_not_an_amount(cell: object) -> None:
    with pytest.raises(AmountError, match="不是有效的数字"):
        parse_amount(cell)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (D(20), "亿元", "万元", D(200_000)),
        (D(5800), "万元", "亿元", D("0.58")),
        (D(35_000_000), "元", "万元", D(3500)),
        (D(1500), "千元", "万元", D("150")),
        (D(3), "百万元", "万元", D(300)),
        (D("1.5"), "亿美元", "万美元", D(15000)),
        (D(2), "万亩", "亩", D(20000)),
        (D(7), "万元", "万元", D(7)),
        (D(1), "万", "亿", D("0.0001")),
    ],
)
def test_convert(value: Decimal, src: str, dst: str, expected: Decimal) -> None:
    assert convert(value, src, dst) == expected


def test_convert_refuses_other_families() -> None:
    with pytest.raises(AmountError, match="不能换算"):
        convert(D(1), "万美元", "万元")
    with pytest.raises(AmountError, match="不能换算"):
        convert(D(1), "亩", "个")


@pytest.mark.parametrize(
    ("cell", "column_unit", "target", "expected"),
    [
        (5800, "万元", "万元", D(5800)),
        (20, "亿元", "万元", D(200_000)),  # the header says 亿元
        ("20亿元", "万元", "万元", D(200_000)),  # the cell's unit wins over the header's
        ("5800万元", "亿元", "万元", D(5800)),
        ("1.2万", "万元", "万元", D("1.2")),  # a bare 万 means 万元 in a money column
        ("1.2万", None, "万元", D("1.2")),
        ("1.2万", "个", "个", D(12000)),  # and 12,000 in a count column
        ("3亿", "万元", "万元", D(30000)),
        ("35000000元", None, "万元", D(3500)),
        (12, None, "万元", D(12)),
        ("12", None, None, D(12)),
        ("0.58亿元", None, "万元", D(5800)),
    ],
)
def test_to_unit(cell: object, column_unit: str | None, target: str | None, expected: Decimal) -> None:
    parsed = parse_amount(cell)
    assert parsed is not None
    assert to_unit(parsed, column_unit=column_unit, target_unit=target) == expected


def test_to_unit_refuses_a_foreign_unit() -> None:
    parsed = parse_amount("800万美元")
    assert parsed is not None
    with pytest.raises(AmountError, match="不能换算"):
        to_unit(parsed, column_unit="万元", target_unit="万元")


def test_tidy() -> None:
    assert str(tidy(D("200000.0000"))) == "200000"
    assert str(tidy(D("0.5800"))) == "0.58"
