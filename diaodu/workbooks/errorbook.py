"""The error workbook: the uploaded sheets as they were, bad cells filled red with the reason as a comment, an
"错误说明" column on each bad row, and a first sheet listing every problem. Users fix it and upload it again."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from diaodu.workbooks.read import Book, Sheet, read_workbook

ProblemDict = dict[str, Any]


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _write(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def error_workbook(data: bytes, filename: str, problems: Sequence[ProblemDict]) -> bytes:
    """The uploaded file annotated with ``problems`` (dicts with sheet, row, column, value, message)."""
    try:
        book = read_workbook(data, filename)
    except Exception:  # the file itself is unreadable: the list is all we can give
        book = Book([], "xlsx")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = wb.add_format(
        {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 2, "border_color": "#C00000"}
    )
    note = wb.add_format({"font_color": "#C00000", "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bad_date = wb.add_format(
        {"num_format": "yyyy-mm-dd", "bg_color": "#FFC7CE", "border": 2, "border_color": "#C00000"}
    )

    listing = wb.add_worksheet("错误清单")
    for c, (label, width) in enumerate((("工作表", 14), ("行", 6), ("列", 6), ("值", 20), ("问题", 70))):
        listing.write_string(0, c, label, head)
        listing.set_column(c, c, width)
    for i, p in enumerate(problems, start=1):
        for c, key in enumerate(("sheet", "row", "column", "value", "message")):
            _write(listing, i, c, p.get(key), None)
    listing.freeze_panes(1, 0)

    by_cell: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for p in problems:
        if p.get("row") and p.get("sheet"):
            by_row[(p["sheet"], p["row"] - 1)].append(p["message"])
            if p.get("column"):
                by_cell[(p["sheet"], p["row"] - 1, _col_index(p["column"]))].append(p["message"])
    for sheet in book.sheets:
        _copy_sheet(
            wb,
            sheet,
            by_cell,
            by_row,
            bad=bad,
            bad_date=bad_date,
            note=note,
            date_fmt=date_fmt,
            stamp_fmt=stamp_fmt,
        )
    wb.close()
    return buf.getvalue()


def _copy_sheet(
    wb: Any,
    sheet: Sheet,
    by_cell: dict[tuple[str, int, int], list[str]],
    by_row: dict[tuple[str, int], list[str]],
    **fmts: Any,
) -> None:
    name = sheet.name[:31] if sheet.name != "错误清单" else "原表"
    ws = wb.add_worksheet(name)
    width = max((len(r) for r in sheet.rows), default=0)
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            messages = by_cell.get((sheet.name, r, c))
            if messages:
                fmt = fmts["bad_date"] if isinstance(value, dt.date) else fmts["bad"]
                _write(ws, r, c, value if value is not None else "", fmt)
                ws.write_comment(r, c, "；".join(messages), {"x_scale": 2.5, "y_scale": 1.5})
            else:
                fmt = (
                    fmts["stamp_fmt"]
                    if isinstance(value, dt.datetime)
                    else (fmts["date_fmt"] if isinstance(value, dt.date) else None)
                )
                _write(ws, r, c, value, fmt)
        for (s, rr, c), messages in by_cell.items():
            if s == sheet.name and rr == r and c >= len(row):  # a bad cell that is empty
                ws.write_blank(r, c, None, fmts["bad"])
                ws.write_comment(r, c, "；".join(messages), {"x_scale": 2.5, "y_scale": 1.5})
        messages = by_row.get((sheet.name, r))
        if messages:
            ws.write_string(r, width, "错误：" + "；".join(dict.fromkeys(messages)), fmts["note"])
    ws.set_column(0, max(width - 1, 0), 14)
    ws.set_column(width, width, 60)
    for r0, c0, r1, c1 in sheet.merged:
        if r0 == r1 and c0 == c1:
            continue
        value = sheet.value(r0, c0)
        try:
            ws.merge_range(r0, c0, r1, c1, "" if value is None else value)
        except Exception:  # noqa: S112 - overlapping ranges in a broken file: keep the values unmerged
            continue
