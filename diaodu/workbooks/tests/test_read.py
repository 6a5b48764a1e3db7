"""Reading and normalising workbooks (no database)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from diaodu.workbooks.read import Limits, ReadError, cell_name, column_letter, normalise, read_workbook
from diaodu.workbooks.tests.books import csv_bytes, rewrite_member, xlsx


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12.0, 12),
        (12.5, Decimal("12.5")),
        (0.1 + 0.2, Decimal("0.3")),
        (1e20, Decimal("1E+20")),
        ("  伊山镇 ", "伊山镇"),
        ("", None),
        ("\u3000", None),
        (None, None),
        (True, True),
        (7, 7),
        (dt.datetime(2025, 9, 1), dt.date(2025, 9, 1)),
        (dt.datetime(2025, 9, 1, 8, 30), dt.datetime(2025, 9, 1, 8, 30)),
        (dt.date(2025, 9, 1), dt.date(2025, 9, 1)),
        (float("nan"), None),
    ],
)
def test_normalise(raw: object, expected: object) -> None:
    assert normalise(raw) == expected
    assert type(normalise(raw)) is type(expected)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
    assert cell_name(4, 1) == "B5"


def test_xlsx_keeps_coordinates_and_types() -> None:
    data = xlsx(
        {
            "说明": [["填表说明"]],
            "调度表": [
                [],
                [None, "名称", "金额", "日期", "时间"],
                [None, "甲项目", 12.0, dt.date(2025, 9, 1), dt.datetime(2025, 9, 1, 13, 5)],
            ],
        },
        merges={"调度表": [("B1:E1", "2025年9月重点项目调度表")]},
    )
    book = read_workbook(data, "调度.xlsx")
    assert book.format == "xlsx" and [s.name for s in book.sheets] == ["说明", "调度表"]
    sheet = book.sheet("调度表")
    assert sheet is not None
    assert sheet.value(0, 1) == "2025年9月重点项目调度表"
    assert sheet.rows[2] == [None, "甲项目", 12, dt.date(2025, 9, 1), dt.datetime(2025, 9, 1, 13, 5)]
    assert sheet.merged == [(0, 1, 0, 4)]


def test_formulas_take_the_cached_value_and_report_missing_ones() -> None:
    data = xlsx(
        {"表": [["a", "b", "c"], [1, 2, None], [3, 4, None]]},
        formulas={"表": [("C2", "=A2+B2", 3), ("C3", "=A3+B3", None)]},
    )
    # xlsxwriter always writes a cached value; drop the second one as generators that skip it do.
    data = rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"<f>A3+B3</f><v>0</v>", b"<f>A3+B3</f>")
    )
    sheet = read_workbook(data, "f.xlsx").sheets[0]
    assert sheet.value(1, 2) == 3
    assert sheet.value(2, 2) is None
    assert sheet.uncomputed_formulas == {(2, 2)}


def test_csv_utf8_and_gbk() -> None:
    rows = [["名称", "金额", "代码"], ["甲项目", "5800", "007"], ["乙项目", "12.5", ""]]
    for encoding in ("utf-8-sig", "gb18030"):
        sheet = read_workbook(csv_bytes(rows, encoding=encoding), "调度.csv").sheets[0]
        assert sheet.name == "调度"
        assert sheet.rows[1] == ["甲项目", 5800, "007"]
        assert sheet.rows[2] == ["乙项目", Decimal("12.5")]


def test_limits_and_lies() -> None:
    with pytest.raises(ReadError, match="文件是空的"):
        read_workbook(b"", "a.xlsx")
    with pytest.raises(ReadError, match="超过上限"):
        read_workbook(b"x" * 2000, "a.xlsx", limits=Limits(max_bytes=1000))
    with pytest.raises(ReadError, match="内容不是Excel文件"):
        read_workbook("名称,金额\n甲,1\n".encode(), "a.xlsx")
    with pytest.raises(ReadError, match="网页"):
        read_workbook(b"<html><table><tr><td>1</td></tr></table></html>", "a.xls")
    with pytest.raises(ReadError, match="不支持的文件类型"):
        read_workbook(b"hello", "a.docx")
    good = xlsx({"表": [["名称"], ["甲"]]})
    with pytest.raises(ReadError, match="损坏或不完整"):
        read_workbook(good[: len(good) // 2], "a.xlsx")
    with pytest.raises(ReadError, match="超过单次导入上限"):
        read_workbook(
            xlsx({"表": [["名称"], *[[f"项目{i}"] for i in range(60)]]}), "a.xlsx", limits=Limits(max_rows=30)
        )


def test_zip_bomb_is_refused_before_parsing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(ReadError, match="压缩炸弹"):
        read_workbook(out.getvalue(), "bomb.xlsx")


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(ReadError, match="不是Excel工作簿"):
        read_workbook(out.getvalue(), "a.xlsx")
