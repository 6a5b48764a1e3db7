"""Finding the header of a sheet as offices draw it: one to three rows, merged group cells, a title above,
column names in several spellings, units in the header text ("总投资（万元）", "总投资(亿元)", "计划总投资/亿元",
"（单位：万元）" in the title) and sometimes a numbering row (甲 乙 1 2 3) under the header.

Pure functions over :class:`~diaodu.workbooks.read.Sheet`; no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from diaodu.workbooks.amounts import UNITS, normalise_unit
from diaodu.workbooks.read import Book, Sheet, Value

__all__ = [
    "Column",
    "HeaderError",
    "HeaderMatch",
    "choose_sheet",
    "find_header",
    "is_footer_row",
    "is_subtotal_row",
    "split_unit",
]

MAX_SCAN_ROWS = 20
MAX_DEPTH = 3


class HeaderError(Exception):
    """No usable header; the message is Chinese."""


@dataclass(frozen=True)
class Column:
    """One column an importer reads. ``unit`` is the unit the importer wants numbers in (None: not an amount)."""

    key: str
    label: str
    variants: tuple[str, ...] = ()
    required: bool = False
    unit: str | None = None

    def names(self) -> set[str]:
        return {name_key(v) for v in (self.label, *self.variants)}


@dataclass
class HeaderMatch:
    sheet: Sheet
    header_row: int  # 0-based first header row
    depth: int
    data_start: int  # 0-based first data row
    columns: dict[str, int]  # column key -> 0-based column index
    units: dict[str, str | None]  # column key -> unit written in the header (or the sheet's "单位：万元")
    labels: dict[int, str]  # column index -> header text as written
    missing: list[Column]
    title: str = ""  # the text above the header (for "2025年9月", "单位：万元")
    sheet_unit: str | None = None
    extra: list[int] = field(default_factory=list)  # columns with a header that no Column matches
    bottom_hits: int = 0  # columns recognised by the text of the window's last row
    title_rows: int = 0  # rows of the window that are a title across the sheet, not column headers

    @property
    def score(self) -> tuple[int, int, int, int, int]:
        """Most columns; then the window whose last row names them; without title rows; the deepest."""
        return (
            len(self.columns) - len(self.missing) * 2,
            len(self.columns),
            self.bottom_hits,
            -self.title_rows,
            self.depth,
        )


_UNIT_NAMES = sorted({*UNITS, "万", "亿", "％"}, key=len, reverse=True)
_UNIT_ALT = "|".join(re.escape(u) for u in _UNIT_NAMES)
_UNIT_PATTERNS = [
    re.compile(rf"[(\[【]\s*(?:单位\s*[:：]?\s*)?({_UNIT_ALT})\s*[)\]】]"),
    re.compile(rf"[/／]\s*({_UNIT_ALT})\s*$"),
    re.compile(rf"单位\s*[:：]\s*({_UNIT_ALT})"),
]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def split_unit(text: str) -> tuple[str, str | None]:
    """ "总投资（万元）" -> ("总投资", "万元"); "计划总投资/亿元" -> ("计划总投资", "亿元"); "名称" -> ("名称", None)."""
    t = _nfkc(text).strip()
    for pattern in _UNIT_PATTERNS:
        m = pattern.search(t)
        if m:
            unit = normalise_unit(m.group(1))
            return (t[: m.start()] + t[m.end() :]).strip(), unit
    return t, None


def name_key(text: str) -> str:
    """What header names are compared on: no spaces, brackets' content kept, markers like "*" dropped."""
    t = _nfkc(text)
    t = re.sub(r"[\s*＊:：、,，.。\"'“”‘’]", "", t)
    t = (
        t.replace("(", "")
        .replace(")", "")
        .replace("[", "")
        .replace("]", "")
        .replace("【", "")
        .replace("】", "")
    )
    return t.lower()


def _text(value: Value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _header_grid(sheet: Sheet, top: int, depth: int) -> list[list[str]]:
    """The header rows as text, merged ranges filled in from their top-left cell."""
    width = max((len(sheet.rows[r]) for r in range(top, min(top + depth, sheet.height))), default=0)
    grid = [[_text(sheet.value(r, c)) for c in range(width)] for r in range(top, top + depth)]
    for r0, c0, r1, c1 in sheet.merged:
        if r1 < top or r0 >= top + depth:
            continue
        value = _text(sheet.value(r0, c0))
        for r in range(max(r0, top), min(r1, top + depth - 1) + 1):
            for c in range(c0, min(c1 + 1, width)):
                grid[r - top][c] = value
    return grid


def _candidates(parts: list[str]) -> list[str]:
    names = [name_key(split_unit(p)[0]) for p in parts]
    names = [n for n in names if n]
    out = list(reversed(names))  # the bottom part is the most specific
    if len(names) > 1:
        out += ["".join(names), "".join(reversed(names)), "".join(names[-2:]), "".join(names[:2])]
    return out


_SERIAL = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "a", "b", "c", "d", "A", "B", "C", "D"}


def _is_serial_or_unit_row(row: list[Value]) -> bool:
    """A numbering row (甲 乙 1 2 3 …) or a row of units under the header."""
    cells = [v for v in row if v is not None]
    if not cells:
        return False
    for v in cells:
        if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 100:
            continue
        if isinstance(v, str) and (
            v in _SERIAL or split_unit(f"({v})")[1] or _nfkc(v).strip("()（）") in UNITS
        ):
            continue
        return False
    ints = [v for v in cells if isinstance(v, int)]
    return not ints or ints == sorted(ints)


def _is_title(row: list[str]) -> bool:
    texts = {t for t in row if t.strip()}
    return len(texts) <= 1 and len(row) >= 3


def _match(
    sheet: Sheet, top: int, depth: int, columns: Sequence[Column], title_unit: str | None
) -> HeaderMatch | None:
    for r in range(top, top + depth - 1):  # rows above the last one must be header text, not data
        if any(v is not None and not isinstance(v, str) for v in sheet.rows[r]):
            return None
    grid = _header_grid(sheet, top, depth)
    width = len(grid[0]) if grid else 0
    bottom_hits = 0
    found: dict[str, int] = {}
    units: dict[str, str | None] = {}
    labels: dict[int, str] = {}
    extra: list[int] = []
    lookup = [(col, col.names()) for col in columns]
    for c in range(width):
        parts: list[str] = []
        for r in range(depth):
            text = grid[r][c].strip()
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        if not parts:
            continue
        labels[c] = "/".join(parts)
        unit = next((u for p in reversed(parts) if (u := split_unit(p)[1])), None)
        hit = None
        for candidate in _candidates(parts):
            hit = next((col for col, names in lookup if candidate in names and col.key not in found), None)
            if hit:
                break
        if hit is None:
            extra.append(c)
            continue
        found[hit.key] = c
        bottom_hits += name_key(split_unit(grid[-1][c])[0]) in hit.names()
        units[hit.key] = unit or (title_unit if hit.unit else None)
    data_start = top + depth
    while data_start < sheet.height and _is_serial_or_unit_row(sheet.rows[data_start]):
        unit_row = sheet.rows[data_start]
        for key, c in found.items():
            v = unit_row[c] if c < len(unit_row) else None
            if isinstance(v, str) and units.get(key) is None:
                units[key] = split_unit(f"({_nfkc(v).strip('()')})")[1]
        data_start += 1
    missing = [col for col in columns if col.required and col.key not in found]
    return HeaderMatch(
        sheet,
        top,
        depth,
        data_start,
        found,
        units,
        labels,
        missing,
        extra=extra,
        bottom_hits=bottom_hits,
        title_rows=sum(_is_title(row) for row in grid[:-1]),
    )


def _title_text(sheet: Sheet, top: int) -> str:
    texts = []
    for r in range(top):
        texts += [_text(v) for v in sheet.rows[r] if v is not None]
    return " ".join(texts)


def find_header(sheet: Sheet, columns: Sequence[Column]) -> HeaderMatch | None:
    """The best header of ``sheet`` for ``columns`` (None if not a single column is recognised)."""
    best: HeaderMatch | None = None
    for top in range(min(MAX_SCAN_ROWS, sheet.height)):
        if not sheet.rows[top]:
            continue
        title = _title_text(sheet, top)
        title_unit = split_unit(title)[1] if "单位" in title else None
        for depth in range(1, MAX_DEPTH + 1):
            if top + depth > sheet.height:
                break
            match = _match(sheet, top, depth, columns, title_unit)
            if match is None or not match.columns:
                continue
            match.title, match.sheet_unit = title, title_unit
            if best is None or match.score > best.score:
                best = match
    return best


def choose_sheet(book: Book, columns: Sequence[Column], name: str | None = None) -> HeaderMatch:
    """The sheet named ``name``, or else the sheet whose header fits ``columns`` best. Raises HeaderError."""
    sheets = book.sheets
    if name:
        chosen = book.sheet(name)
        if chosen is None:
            raise HeaderError(
                f"工作簿中没有名为“{name}”的工作表（现有：{'、'.join(s.name for s in sheets)}）"
            )
        sheets = [chosen]
    required = {c.key for c in columns if c.required}
    matches = [
        m
        for s in sheets
        if s.rows
        and (m := find_header(s, columns)) is not None
        and (len(m.columns) >= 2 or required & set(m.columns))  # one optional column is no header
    ]
    if not matches:
        wanted = "、".join(c.label for c in columns if c.required)
        raise HeaderError(f"没有找到可识别的表头（应包含：{wanted}）")
    return max(matches, key=lambda m: m.score)


_SUBTOTAL = re.compile(r"^\s*(?:[合小总共]\s*计\s*(?:[:：(（].*)?|其\s*中.*)$")
_FOOTER = re.compile(
    r"^\s*(?:填表人|填报人|审核人|负责人|联系人|联系电话|制表|填报日期|填表日期|注\s*[:：]|说明\s*[:：]|备注\s*[:：])"
)


def is_subtotal_row(row: Sequence[Value], key_columns: Sequence[int]) -> bool:
    """合计/小计/总计/其中 in one of the row's first cells or its key columns."""
    cells = [row[c] for c in (*range(min(3, len(row))), *key_columns) if c < len(row)]
    return any(isinstance(v, str) and _SUBTOTAL.match(v) for v in cells)


def is_footer_row(row: Sequence[Value]) -> bool:
    first = next((v for v in row if v is not None), None)
    return isinstance(first, str) and bool(_FOOTER.match(first))
