"""Writing well-formatted workbooks with xlsxwriter: Chinese headers (one or two rows), 万元 with thousands
separators, percentages, frozen header, column widths, drop-down lists and locked key columns.

:func:`write_table` is used by every export and template; the caller describes columns, not cells.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

NUMBER_FORMATS = {
    "wan": "#,##0.00",  # 万元, thousands separators
    "amount": "#,##0.####",
    "number": "#,##0.####",
    "int": "#,##0",
    "pct": '0.0"%"',  # stored as 12.5 meaning 12.5%
    "ratio": "0.0%",  # stored as 0.125
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "@",
}


@dataclass
class Col:
    label: str  # header text, units included ("总投资（万元）")
    value: Callable[[Any], Any]
    kind: str = "text"  # a key of NUMBER_FORMATS
    width: float = 12
    group: str = ""  # a merged header over consecutive columns with the same group (two-row header)
    locked: bool = False  # templates: not editable
    choices: Sequence[str] = ()  # templates: drop-down list
    comment: str = ""


@dataclass
class Table:
    sheet: str
    columns: list[Col]
    rows: Iterable[Any]
    title: str = ""
    note: str = ""  # a line under the title ("单位：万元；数据范围：…")
    protect: bool = False  # templates: lock the sheet, leave unlocked cells editable
    blank_rows: int = 0  # templates: extra empty editable rows
    highlights: dict[tuple[int, int], str] = field(default_factory=dict)  # (row index, col index) -> message


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _write(ws: Worksheet, r: int, c: int, value: Any, fmt: Any) -> None:
    value = _cell(value)
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)  # never a formula, whatever the text starts with


def add_table(wb: xlsxwriter.Workbook, table: Table) -> int:
    """Write one sheet; returns the number of data rows written."""
    ws = wb.add_worksheet(table.sheet[:31])
    base = {"font_name": "宋体", "font_size": 10.5, "valign": "vcenter"}
    title_fmt = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    note_fmt = wb.add_format({**base, "font_color": "#555555"})
    head_fmt = wb.add_format(
        {
            **base,
            "bold": True,
            "align": "center",
            "text_wrap": True,
            "border": 1,
            "bg_color": "#DDEBF7",
            "locked": True,
        }
    )
    fmts = {}
    for kind, num in NUMBER_FORMATS.items():
        for locked in (True, False):
            spec = {**base, "border": 1, "num_format": num, "locked": locked}
            if not locked and table.protect:
                spec["bg_color"] = "#FFF9E5"
            fmts[(kind, locked)] = wb.add_format(spec)
    bad_fmt = wb.add_format({**base, "border": 2, "border_color": "#C00000", "bg_color": "#FFC7CE"})
    cols = table.columns
    r = 0
    if table.title:
        ws.merge_range(r, 0, r, max(len(cols) - 1, 1), table.title, title_fmt)
        ws.set_row(r, 24)
        r += 1
    if table.note:
        ws.merge_range(r, 0, r, max(len(cols) - 1, 1), table.note, note_fmt)
        r += 1
    two_rows = any(c.group for c in cols)
    header_top = r
    if two_rows:
        c = 0
        while c < len(cols):
            group = cols[c].group
            end = c
            while group and end + 1 < len(cols) and cols[end + 1].group == group:
                end += 1
            if group:
                if end > c:
                    ws.merge_range(r, c, r, end, group, head_fmt)
                else:
                    ws.write_string(r, c, group, head_fmt)
                for k in range(c, end + 1):
                    ws.write_string(r + 1, k, cols[k].label, head_fmt)
            else:
                ws.merge_range(r, c, r + 1, c, cols[c].label, head_fmt)
            c = end + 1
        r += 2
    else:
        for c, col in enumerate(cols):
            ws.write_string(r, c, col.label, head_fmt)
        r += 1
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        if col.comment:
            ws.write_comment(r - 1, c, col.comment, {"x_scale": 2})
    ws.freeze_panes(r, 0)
    first_data = r
    count = 0
    for i, obj in enumerate(table.rows):
        for c, col in enumerate(cols):
            message = table.highlights.get((i, c))
            fmt = bad_fmt if message else fmts[(col.kind, col.locked or not table.protect)]
            _write(ws, r, c, col.value(obj), fmt)
            if message:
                ws.write_comment(r, c, message, {"x_scale": 2.5, "y_scale": 1.5})
        r += 1
        count += 1
    for _ in range(table.blank_rows):
        for c, col in enumerate(cols):
            ws.write_blank(r, c, None, fmts[(col.kind, col.locked)])
        r += 1
    last = max(r - 1, first_data)
    for c, col in enumerate(cols):
        if col.choices and not col.locked:
            ws.data_validation(
                first_data,
                c,
                last + 200,
                c,
                {
                    "validate": "list",
                    "source": list(col.choices),
                    "error_title": "输入有误",
                    "error_message": f"请从下拉列表中选择{col.label}",
                },
            )
        elif col.kind in ("wan", "amount", "number", "int") and table.protect and not col.locked:
            ws.data_validation(
                first_data,
                c,
                last + 200,
                c,
                {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "ignore_blank": True,
                    "error_type": "warning",
                    "error_title": "请核对",
                    "error_message": f"{col.label}应为不小于0的数字",
                },
            )
    if table.protect:
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "sort": True,
                "autofilter": True,
                "insert_rows": True,
            },
        )
    elif count:
        ws.autofilter(header_top + (1 if two_rows else 0), 0, r - 1, len(cols) - 1)
    return count


def workbook_bytes(tables: Sequence[Table]) -> tuple[bytes, int]:
    """(the .xlsx bytes, data rows written across all sheets)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    wb.set_properties(
        {"title": tables[0].title if tables else "", "author": "调度 Diaodu", "company": "灌云县"}
    )
    total = sum(add_table(wb, t) for t in tables)
    wb.close()
    return buf.getvalue(), total
