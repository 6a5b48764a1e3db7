"""Writing small workbooks for tests (xlsxwriter), including the odd ones offices send."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

Rows = Sequence[Sequence[Any]]


def xlsx(
    sheets: Mapping[str, Rows],
    *,
    merges: Mapping[str, Sequence[tuple[str, Any]]] | None = None,
    formulas: Mapping[str, Sequence[tuple[str, str, Any]]] | None = None,
) -> bytes:
    """``sheets``: name -> rows (row 1 first). ``merges``: name -> [("A1:C1", value)].
    ``formulas``: name -> [("D5", "=B5+C5", cached value or None)]."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, stamp_fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value))
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
        for cell_range, value in (merges or {}).get(name, ()):
            ws.merge_range(cell_range, value)
        for cell, formula, cached in (formulas or {}).get(name, ()):
            ws.write_formula(cell, formula, None, cached if cached is not None else 0)
    wb.close()
    return buf.getvalue()


def rewrite_member(data: bytes, member: str, change: Any) -> bytes:
    """A copy of the .xlsx with one zip member's bytes passed through ``change``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def csv_bytes(rows: Rows, *, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
