"""Reading .xlsx, .xls and .csv into plain grids of normalised values (python-calamine for Excel).

Checks come before parsing: size limit, what the bytes really are (a ".xlsx" that is a text file), a zip that is
truncated or decompresses to far more than it should (zip bomb), then the row limit. Cell values are normalised:
whole floats become ``int`` (Excel stores 12 as 12.0), other floats a ``Decimal`` of their 15 significant digits,
a datetime at midnight a ``date``, text is stripped and empty text is ``None``.

Coordinates are kept: ``sheet.rows[i][j]`` is the cell at Excel row ``i + 1``, column ``j`` (0 = "A").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

__all__ = ["Book", "Limits", "ReadError", "Sheet", "cell_name", "column_letter", "normalise", "read_workbook"]

Value = None | str | int | Decimal | bool | dt.date | dt.datetime | dt.time | dt.timedelta

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ReadError(Exception):
    """The file cannot be read at all; the message is Chinese and says why."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 50_000
    max_uncompressed: int = 200 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, for members above 1 MiB

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_bytes=getattr(settings, "DIAODU_IMPORT_MAX_BYTES", cls.max_bytes),
            max_rows=getattr(settings, "DIAODU_IMPORT_MAX_ROWS", cls.max_rows),
        )


@dataclass
class Sheet:
    name: str
    rows: list[list[Value]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based
    uncomputed_formulas: set[tuple[int, int]] = field(
        default_factory=set
    )  # formula cells without a cached value

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, row: int, col: int) -> Value:
        r = self.rows[row] if row < len(self.rows) else []
        return r[col] if col < len(r) else None


@dataclass
class Book:
    sheets: list[Sheet]
    format: str  # "xlsx", "xls" or "csv"

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) -> "B5"."""
    return f"{column_letter(col)}{row + 1}"


def normalise(value: Any) -> Value:
    """One calamine (or CSV) value as the importers want it."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", " ").replace("\u3000", " ").strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return Decimal(format(value, ".15g"))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        return value
    return value  # int, date, time, timedelta


def _normalise_rows(raw: Iterable[list[Any]]) -> list[list[Value]]:
    rows = []
    for r in raw:
        row = [normalise(v) for v in r]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def sniff_format(data: bytes, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    if ext in ("xlsx", "xlsm", "xls"):
        if data[:5].lower().startswith((b"<html", b"<!doc", b"<?xml", b"<tabl")):
            raise ReadError(
                f"文件“{filename}”的扩展名是 .{ext}，但内容是网页（HTML），不是Excel文件，请在Excel中另存为 .xlsx"
            )
        raise ReadError(f"文件“{filename}”的扩展名是 .{ext}，但内容不是Excel文件（可能是文本文件或已损坏）")
    if ext in ("csv", "txt", ""):
        return "csv"
    raise ReadError(f"不支持的文件类型“.{ext}”，请上传 .xlsx、.xls 或 .csv 文件")


def _check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError("Excel文件已损坏或不完整（可能是上传中断），请重新保存后再上传") from exc
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_uncompressed or (info.file_size > 1024 * 1024 and ratio > limits.max_ratio):
            raise ReadError("Excel文件解压后异常巨大（疑似压缩炸弹），已拒绝读取")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ReadError("文件是压缩包，但不是Excel工作簿（缺少 xl/workbook.xml）")
    return archive


_SHEET_RE = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_RE = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_RE2 = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_CELL_RE = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?>(.*?)</c>', re.S)


def _xml_unescape(text: bytes) -> str:
    s = text.decode("utf-8", "replace")
    return (
        s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _uncomputed_formulas(archive: zipfile.ZipFile) -> dict[str, set[tuple[int, int]]]:
    """Formula cells that carry no cached value, per sheet name (calamine would read them as empty)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: tgt for rid, tgt in _REL_RE.findall(rels)} | {
        rid: tgt for tgt, rid in _REL_RE2.findall(rels)
    }
    out: dict[str, set[tuple[int, int]]] = {}
    for name, rid in _SHEET_RE.findall(workbook):
        target = targets.get(rid, b"").decode()
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        if b"<f" not in xml:
            continue
        cells: set[tuple[int, int]] = set()
        for col, row, body in _CELL_RE.findall(xml):
            if b"<f" in body and (b"<v>" not in body or b"<v></v>" in body):
                cells.add((int(row) - 1, _col_index(col)))
        if cells:
            out[_xml_unescape(name)] = cells
    return out


def _read_excel(data: bytes, fmt: str, limits: Limits) -> Book:
    formulas: dict[str, set[tuple[int, int]]] = {}
    if fmt == "xlsx":
        formulas = _uncomputed_formulas(_check_zip(data, limits))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise ReadError("无法读取Excel文件（文件已损坏、加密或格式不受支持）") from exc
    except Exception as exc:  # calamine raises plain errors for some malformed files
        raise ReadError("无法读取Excel文件（文件已损坏或格式不受支持）") from exc
    sheets = []
    with workbook:
        for meta in workbook.sheets_metadata:
            if str(meta.typ).endswith("ChartSheet"):
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                height = sheet.height
                if height > limits.max_rows + 20:
                    raise ReadError(
                        f"工作表“{meta.name}”有 {height} 行，超过单次导入上限 {limits.max_rows} 行，请拆分后导入"
                    )
                raw = sheet.to_python(skip_empty_area=False)
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            except ReadError:
                raise
            except Exception as exc:
                raise ReadError(f"无法读取工作表“{meta.name}”（文件已损坏）") from exc
            sheets.append(Sheet(meta.name, _normalise_rows(raw), merged, formulas.get(meta.name, set())))
    return Book(sheets, fmt)


_PLAIN_NUMBER = re.compile(r"^-?(?:[1-9]\d*|0)(?:\.\d+)?$")


def _csv_value(text: str) -> Value:
    value = normalise(text)
    if isinstance(value, str) and _PLAIN_NUMBER.match(value):
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() and "." not in value else number
    return value


def _read_csv(data: bytes, name: str, limits: Limits) -> Book:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise ReadError("CSV文件无法识别编码（请使用UTF-8或GBK编码）")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    for i, r in enumerate(reader):
        if i > limits.max_rows + 20:
            raise ReadError(f"CSV文件超过单次导入上限 {limits.max_rows} 行，请拆分后导入")
        rows.append(r)
    sheet_name = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV"
    grid = [[_csv_value(v) for v in r] for r in rows]
    for row in grid:
        while row and row[-1] is None:
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    return Book([Sheet(sheet_name, grid)], "csv")


def read_workbook(data: bytes, filename: str = "upload.xlsx", *, limits: Limits | None = None) -> Book:
    """Read an uploaded file. Raises :class:`ReadError` (Chinese message) for anything unreadable."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        mib = limits.max_bytes / 1024 / 1024
        raise ReadError(f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 {mib:.0f} MB")
    if not data:
        raise ReadError("文件是空的")
    fmt = sniff_format(data, filename)
    book = _read_csv(data, filename, limits) if fmt == "csv" else _read_excel(data, fmt, limits)
    if not any(s.rows for s in book.sheets):
        raise ReadError("工作簿中没有任何数据")
    return book
