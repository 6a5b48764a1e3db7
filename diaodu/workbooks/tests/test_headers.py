"""Header detection over the sheets offices send (no database)."""

from __future__ import annotations

import pytest

from diaodu.workbooks.headers import (
    Column,
    HeaderError,
    choose_sheet,
    find_header,
    is_footer_row,
    is_subtotal_row,
    split_unit,
)
from diaodu.workbooks.read import Book, Sheet, Value, read_workbook
from diaodu.workbooks.tests.books import xlsx

COLUMNS = [
    Column("name", "项目名称", ("名称", "项目"), required=True),
    Column("code", "项目代码", ("投资项目代码", "代码")),
    Column("unit", "所在单位", ("单位", "所在板块", "乡镇")),
    Column("total", "总投资", ("计划总投资", "项目总投资"), required=True, unit="万元"),
    Column("annual", "年度计划投资", ("年度计划", "本年计划投资", "年度计划投资额"), unit="万元"),
    Column("month", "本月完成投资", ("本月完成", "本月"), unit="万元"),
    Column("ytd", "累计完成投资", ("累计完成", "累计", "1-本月累计"), unit="万元"),
]


@pytest.mark.parametrize(
    ("text", "name", "unit"),
    [
        ("总投资（万元）", "总投资", "万元"),
        ("总投资(亿元)", "总投资", "亿元"),
        ("计划总投资/亿元", "计划总投资", "亿元"),
        ("总投资 （单位：万元）", "总投资", "万元"),
        ("增速(%)", "增速", "%"),
        ("增速（％）", "增速", "%"),
        ("外资【万美元】", "外资", "万美元"),
        ("项目名称", "项目名称", None),
        ("总投资（预计）", "总投资(预计)", None),
        ("用地面积（亩）", "用地面积", "亩"),
    ],
)
def test_split_unit(text: str, name: str, unit: str | None) -> None:
    assert split_unit(text) == (name, unit)


def test_one_row_header_with_units() -> None:
    sheet = Sheet("表", [["项目名称", "总投资(亿元)", "年度计划/万元"], ["甲", 2, 5800]])
    m = find_header(sheet, COLUMNS)
    assert m is not None
    assert (m.header_row, m.depth, m.data_start) == (0, 1, 1)
    assert m.columns == {"name": 0, "total": 1, "annual": 2}
    assert m.units == {"name": None, "total": "亿元", "annual": "万元"}
    assert not m.missing


def test_title_and_two_row_merged_header() -> None:
    data = xlsx(
        {
            "调度": [
                [],
                [],
                ["序号", "项目名称", None, "投资（万元）", None, "完成投资（万元）", None],
                [None, None, None, "总投资", "年度计划", "本月", "累计"],
                [1, "甲项目", "伊山", 20000, 5000, 300, 2100],
            ]
        },
        merges={
            "调度": [
                ("A1:G1", "2025年9月全县重点项目调度表"),
                ("A2:G2", "单位：万元"),
                ("A3:A4", "序号"),
                ("B3:C4", "项目名称"),
                ("D3:E3", "投资（万元）"),
                ("F3:G3", "完成投资（万元）"),
            ]
        },
    )
    sheet = read_workbook(data, "a.xlsx").sheets[0]
    m = find_header(sheet, COLUMNS)
    assert m is not None
    assert (m.header_row, m.depth, m.data_start) == (2, 2, 4)
    assert m.labels[3] == "投资（万元）/总投资"
    assert m.columns == {"name": 1, "total": 3, "annual": 4, "month": 5, "ytd": 6}
    assert m.units["total"] == "万元" and m.units["ytd"] == "万元"
    assert "2025年9月" in m.title and m.sheet_unit == "万元"


def test_three_row_header_with_numbering_row() -> None:
    rows: list[list[Value]] = [
        ["项目名称", "项目代码", "投资情况", None, None, None],
        [None, None, "计划", None, "完成", None],
        [None, None, "计划总投资", "年度计划投资额", "本月完成", "1-本月累计"],
        ["甲", "乙", 1, 2, 3, 4],
        ["项目一", "2306-320723-89-02-799920", 20000, 5000, 300, 2100],
    ]
    merges = [(0, 0, 2, 0), (0, 1, 2, 1), (0, 2, 0, 5), (1, 2, 1, 3), (1, 4, 1, 5)]
    sheet = Sheet("表", [list(r) for r in rows], merges)
    m = find_header(sheet, COLUMNS)
    assert m is not None
    assert (m.header_row, m.depth, m.data_start) == (0, 3, 4)  # the numbering row is skipped
    assert m.columns == {"name": 0, "code": 1, "total": 2, "annual": 3, "month": 4, "ytd": 5}


def test_units_row_under_the_header() -> None:
    sheet = Sheet("表", [["项目名称", "总投资", "年度计划"], [None, "亿元", "（万元）"], ["甲", 2, 5800]])
    m = find_header(sheet, COLUMNS)
    assert m is not None
    assert m.data_start == 2
    assert m.units == {"name": None, "total": "亿元", "annual": "万元"}


def test_sheet_unit_from_the_title_applies_to_amount_columns_only() -> None:
    sheet = Sheet(
        "表", [["重点项目表（单位：亿元）"], ["项目名称", "总投资", "所在单位"], ["甲", 2, "伊山镇"]]
    )
    m = find_header(sheet, COLUMNS)
    assert m is not None
    assert m.units == {"name": None, "total": "亿元", "unit": None}


def test_missing_required_column_is_reported() -> None:
    m = find_header(Sheet("表", [["项目名称", "所在单位"], ["甲", "伊山镇"]]), COLUMNS)
    assert m is not None
    assert [c.key for c in m.missing] == ["total"]


def test_choose_sheet_by_content_and_by_name() -> None:
    notes = Sheet("填表说明", [["说明：金额单位为万元"], ["项目名称请填写全称"]])
    data = Sheet("Sheet2", [["项目名称", "总投资"], ["甲", 1]])
    other = Sheet("汇总", [["所在单位", "项目名称"], ["伊山镇", "甲"]])
    book = Book([notes, other, data], "xlsx")
    assert choose_sheet(book, COLUMNS).sheet is data
    assert choose_sheet(book, COLUMNS, name="汇总").sheet is other
    with pytest.raises(HeaderError, match="没有名为“明细”的工作表"):
        choose_sheet(book, COLUMNS, name="明细")
    with pytest.raises(HeaderError, match="没有找到可识别的表头"):
        choose_sheet(Book([Sheet("x", [["甲", "乙"], [1, 2]])], "xlsx"), COLUMNS)


@pytest.mark.parametrize(
    ("row", "subtotal"),
    [
        (["合计", None, 300], True),
        (["", "小 计", 2], True),
        ([None, "总计"], True),
        (["其中：工业项目", 2], True),
        (["1", "甲项目", 300], False),
        (["伊山镇", "合计项目"], False),
    ],
)
def test_subtotal_rows(row: list, subtotal: bool) -> None:
    assert is_subtotal_row(row, [1]) is subtotal


@pytest.mark.parametrize(
    ("row", "footer"),
    [
        (["填表人：张三", None, "审核人：李四"], True),
        ([None, "注：金额单位为万元"], True),
        (["备注:无"], True),
        (["甲项目", 1], False),
    ],
)
def test_footer_rows(row: list, footer: bool) -> None:
    assert is_footer_row(row) is footer


def test_unit_of_a_merged_group_header_reaches_its_columns() -> None:
    rows: list[list[Value]] = [
        ["2025年重点项目表", None, None, None],
        ["项目名称", "投资（亿元）", None, "本月完成投资（万元）"],
        [None, "总投资", "年度计划", None],
        ["甲项目", 2, "0.5", 300],
    ]
    merges = [(0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 1, 2), (1, 3, 2, 3)]
    m = find_header(Sheet("表", [list(r) for r in rows], merges), COLUMNS)
    assert m is not None
    assert (m.header_row, m.depth, m.data_start) == (1, 2, 3)
    assert m.units == {"name": None, "total": "亿元", "annual": "亿元", "month": "万元"}
