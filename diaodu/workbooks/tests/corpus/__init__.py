"""The malformed-file corpus: every bad workbook is generated here (xlsxwriter, zip tricks), none is committed.

Each :class:`Case` names the file, how to build it and what must be reported: a list of (row, column, message
fragment) for located errors, or a file-level message fragment. ``tests/test_corpus.py`` runs them all.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from diaodu.workbooks.tests.books import csv_bytes, rewrite_member, xlsx

H = ["填报单位", "月份", "指标名称", "累计值", "公布增速(%)", "上年同期", "数据来源"]
REV = "测试一般公共预算收入"
GDP = "测试地区生产总值"


def row(
    value: Any = 1.5,
    *,
    unit: Any = "伊山镇",
    month: Any = "2025-04",
    name: Any = REV,
    growth: Any = None,
    base: Any = None,
    note: Any = "财政局",
) -> list[Any]:
    return [unit, month, name, value, growth, base, note]


def book(*rows: list[Any], header: list[str] = H, sheet: str = "实绩") -> bytes:
    return xlsx({sheet: [header, *rows]})


Located = tuple[int, str, str]  # (Excel row, column letter, message fragment)


@dataclass
class Case:
    name: str
    build: Callable[[], bytes]
    located: list[Located] = field(default_factory=list)
    file_error: str = ""
    filename: str = "实绩.xlsx"
    user: str = "yishan"
    options: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    accepted: bool = False  # a hostile-looking file that must import as plain data
    kind: str = "actuals"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def _no_cached_value(data: bytes) -> bytes:
    return rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"<f>B2*2</f><v>0</v>", b"<f>B2*2</f>")
    )


def _formula_book() -> bytes:
    data = xlsx(
        {"实绩": [["填报单位", "月份", "指标名称", "累计值"], ["伊山镇", "2025-04", REV, None]]},
        formulas={"实绩": [("D2", "=B2*2", None)]},
    )
    return rewrite_member(data, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"<v>0</v>", b""))


def _cached_formula_book() -> bytes:
    return xlsx(
        {"实绩": [["填报单位", "月份", "指标名称", "累计值"], ["伊山镇", "2025-04", REV, None]]},
        formulas={"实绩": [("D2", "=1+0.5", 1.5)]},
    )


def _merged_over_data() -> bytes:
    return xlsx({"实绩": [H, row(1.5), row(1.6, month="2025-05")]}, merges={"实绩": [("A2:A3", "伊山镇")]})


def _two_sheets_no_header() -> bytes:
    return xlsx({"Sheet1": [["甲", "乙", "丙"], [1, 2, 3]], "Sheet2": [["说明"]]})


PH = ["项目名称", "项目代码", "所在单位", "总投资（万元）", "统一社会信用代码"]
CODE = "2306-320723-89-02-799920"


def projects(*rows: list[Any]) -> bytes:
    return xlsx({"项目库": [PH, *rows]})


def progress(*rows: list[Any]) -> bytes:
    return xlsx({"调度": [["项目代码", "项目名称", "月份", "累计完成投资（亿元）"], *rows]})


PROJECT_CASES: list[Case] = [
    Case(
        "duplicate-project-codes",
        lambda: projects(
            ["甲", "2401-320723-04-01-123456", "伊山镇", 100, None],
            ["乙", "2401-320723-04-01-123456", "伊山镇", 100, None],
        ),
        [(3, "B", "项目代码与第2行重复")],
        kind="projects",
    ),
    Case(
        "malformed-project-code",
        lambda: projects(["甲", "2401-320723-04", "伊山镇", 100, None]),
        [(2, "B", "格式不对")],
        kind="projects",
    ),
    Case(
        "malformed-credit-code",
        lambda: projects(["甲", None, "伊山镇", 100, "91320723MA1MXXXXX0"]),
        [(2, "E", "统一社会信用代码")],
        kind="projects",
    ),
    Case(
        "credit-code-illegal-letters",
        lambda: projects(["甲", None, "伊山镇", 100, "91320723MA1OOOOOOI"]),
        [(2, "E", "统一社会信用代码")],
        kind="projects",
    ),
    Case(
        "project-out-of-scope",
        lambda: projects(["甲", None, "杨集镇", 100, None]),
        [(2, "C", "不在您的数据范围内")],
        kind="projects",
    ),
    Case(
        "project-total-is-text",
        lambda: projects(["甲", None, "伊山镇", "二十个亿左右", None]),
        [(2, "D", "不是有效的数字")],
        kind="projects",
    ),
    Case(
        "progress-over-total",
        lambda: progress([CODE, None, "2025-09", 25]),
        [(2, "D", "超过项目总投资")],
        kind="progress",
    ),
    Case(
        "progress-unknown-project",
        lambda: progress([None, "不存在的项目", "2025-09", 1]),
        [(2, "B", "找不到项目")],
        kind="progress",
    ),
]


CASES: list[Case] = [
    # ---- cells
    Case("text-in-number", lambda: book(row("待统计")), [(2, "D", "不是有效的数字")]),
    Case("text-with-words", lambda: book(row("约一点多亿吧")), [(2, "D", "不是有效的数字")]),
    Case("two-decimal-points", lambda: book(row("1.2.3")), [(2, "D", "不是有效的数字")]),
    Case("boolean-in-number", lambda: book(row(True)), [(2, "D", "不是有效的数字")]),
    Case(
        "date-in-number",
        lambda: book(row(__import__("datetime").date(2025, 4, 30))),
        [(2, "D", "不是有效的数字")],
    ),
    Case("negative-amount", lambda: book(row(-1.5)), [(2, "D", "不能为负数")]),
    Case("negative-base", lambda: book(row(1.5, base=-3)), [(2, "F", "不能为负数")]),
    Case("ytd-below-last-month", lambda: book(row(0.5)), [(2, "D", "小于3月的累计值")]),
    Case(
        "ytd-below-earlier-row",
        lambda: book(row(1.5), row(1.2, month="2025-05")),
        [(3, "D", "小于4月的累计值")],
    ),
    Case("wan-yi-slip", lambda: book(row(15000)), [(2, "D", "疑似万元/亿元单位填错")]),
    Case("wan-yi-slip-text", lambda: book(row("15000亿元")), [(2, "D", "疑似万元/亿元单位填错")]),
    Case(
        "wan-header-on-yi-values",
        lambda: book(row(1.5), header=[*H[:3], "累计值（万元）", *H[4:]]),
        [(2, "D", "小于3月的累计值")],
    ),
    Case("foreign-currency", lambda: book(row("800万美元")), [(2, "D", "不能换算")]),
    Case(
        "wrong-measure-unit",
        lambda: xlsx(
            {
                "实绩": [
                    ["填报单位", "月份", "指标名称", "计量单位", "累计值"],
                    ["伊山镇", "2025-04", REV, "个", 3],
                ]
            }
        ),
        [(2, "D", "计量单位应为“亿元”")],
    ),
    Case("number-too-big", lambda: book(row(1e16)), [(2, "D", "数值过大")]),
    Case("note-too-long", lambda: book(row(1.5, note="说" * 201)), [(2, "G", "超过 200 个字")]),
    Case("growth-not-a-number", lambda: book(row(30, name=GDP, growth="快")), [(2, "E", "不是有效的数字")]),
    Case("growth-out-of-range", lambda: book(row(30, name=GDP, growth=20000)), [(2, "E", "-100 到 10000")]),
    Case(
        "growth-indicator-without-growth",
        lambda: book(row(30, name=GDP)),
        [(2, "E", "增速类指标请填写公布增速")],
    ),
    Case("nothing-filled", lambda: book(row(None, note="")), [(2, "D", "请至少填写累计值或公布增速")]),
    # ---- who, what, when
    Case("unknown-unit", lambda: book(row(unit="伊山乡")), [(2, "A", "找不到单位“伊山乡”")]),
    Case("out-of-scope-unit", lambda: book(row(unit="杨集镇")), [(2, "A", "不在您的数据范围内")]),
    Case("out-of-scope-by-code", lambda: book(row(unit="320723-T03")), [(2, "A", "不在您的数据范围内")]),
    Case("no-unit-no-default", lambda: book(row(unit=None)), [(2, "A", "未指定默认单位")]),
    Case(
        "unit-without-target",
        lambda: book(row(unit="灌云县")),
        [(2, "C", "没有“测试一般公共预算收入”的目标")],
        user="county",
    ),
    Case("future-month", lambda: book(row(month="2025-11")), [(2, "B", "不能填报未来月份")]),
    Case("month-13", lambda: book(row(month="2025-13")), [(2, "B", "不是有效的月份")]),
    Case("month-words", lambda: book(row(month="下个月")), [(2, "B", "不是有效的月份")]),
    Case("no-month-anywhere", lambda: book(row(month=None)), [(2, "B", "未填写月份")]),
    Case("unknown-indicator", lambda: book(row(name="测试未知指标")), [(2, "C", "找不到指标")]),
    Case(
        "unknown-indicator-code",
        lambda: xlsx(
            {"实绩": [["填报单位", "月份", "指标编码", "累计值"], ["伊山镇", "2025-04", "no-such-code", 1.5]]}
        ),
        [(2, "C", "找不到指标编码")],
    ),
    Case(
        "code-name-mismatch",
        lambda: xlsx(
            {
                "实绩": [
                    ["填报单位", "月份", "指标编码", "指标名称", "累计值"],
                    ["伊山镇", "2025-04", "authz-revenue", GDP, 1.5],
                ]
            }
        ),
        [(2, "D", "与指标名称")],
    ),
    Case("duplicate-rows", lambda: book(row(1.5), row(1.5)), [(3, "C", "与第2行重复")]),
    Case(
        "approved-month-changed",
        lambda: book(row(0.35, month="2025-01")),
        [(2, "D", "已审核，不能通过导入修改")],
    ),
    Case(
        "submitted-month-changed",
        lambda: book(row(0.7, month="2025-02")),
        [(2, "D", "已提交，不能通过导入修改")],
    ),
    # ---- structure
    Case("formula-without-cached-value", _formula_book, [(2, "D", "公式没有计算结果")]),
    Case("merged-cells-over-data", _merged_over_data, [(2, "A", "数据区域有合并单元格 A2:A3")]),
    Case(
        "missing-value-column",
        lambda: xlsx(
            {"实绩": [["填报单位", "月份", "指标名称", "数据来源"], ["伊山镇", "2025-04", REV, "x"]]}
        ),
        file_error="缺少必需的列“累计值”",
    ),
    Case(
        "missing-indicator-columns",
        lambda: xlsx({"实绩": [["填报单位", "月份", "累计值"], ["伊山镇", "2025-04", 1]]}),
        file_error="缺少列：“指标编码”或“指标名称”",
    ),
    Case("header-only", lambda: book(), file_error="表头下面没有数据行"),
    Case(
        "only-subtotals",
        lambda: book(["合计", None, None, 3], ["小计", None, None, 2]),
        file_error="表头下面没有数据行",
    ),
    Case("empty-workbook", lambda: xlsx({"Sheet1": []}), file_error="没有任何数据"),
    Case("no-recognisable-header", _two_sheets_no_header, file_error="没有找到可识别的表头"),
    Case(
        "sheet-name-not-found",
        lambda: book(row()),
        file_error="没有名为“明细”的工作表",
        options={"sheet": "明细"},
    ),
    # ---- files
    Case(
        "xlsx-that-is-text",
        lambda: "填报单位,月份\n伊山镇,2025-04\n".encode(),
        file_error="内容不是Excel文件",
    ),
    Case(
        "xls-that-is-html",
        lambda: b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        file_error="内容是网页",
        filename="实绩.xls",
    ),
    Case("truncated-xlsx", lambda: book(row())[:900], file_error="已损坏或不完整"),
    Case(
        "zip-bomb",
        lambda: _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (40 << 20)}),
        file_error="疑似压缩炸弹",
    ),
    Case(
        "zip-not-a-workbook",
        lambda: _zip({"word/document.xml": b"<w:document/>"}),
        file_error="不是Excel工作簿",
    ),
    Case("empty-file", lambda: b"", file_error="文件是空的"),
    Case(
        "unsupported-extension", lambda: b"PK-not-really", file_error="不支持的文件类型", filename="实绩.docx"
    ),
    Case(
        "csv-binary-garbage",
        lambda: b"\x00\x01\x02\xff\xfe" * 50,
        file_error="无法识别编码",
        filename="实绩.csv",
    ),
    Case(
        "over-size-limit",
        lambda: book(row(), *[row(note="x" * 100) for _ in range(50)]),
        file_error="超过上限",
        settings={"DIAODU_IMPORT_MAX_BYTES": 2000},
    ),
    Case(
        "over-row-limit",
        lambda: book(*[row(note=str(i)) for i in range(80)]),
        file_error="超过单次导入上限",
        settings={"DIAODU_IMPORT_MAX_ROWS": 30},
    ),
    Case(
        "csv-over-row-limit",
        lambda: csv_bytes([H, *[row(note=str(i)) for i in range(80)]]),
        file_error="超过单次导入上限",
        filename="实绩.csv",
        settings={"DIAODU_IMPORT_MAX_ROWS": 30},
    ),
    # ---- hostile-looking but fine: imported as plain text / cached values
    Case(
        "html-and-js-in-text",
        lambda: book(row(1.5, note="<script>alert('x')</script><img src=x onerror=1>")),
        accepted=True,
    ),
    Case("formula-text-in-note", lambda: book(row(1.5, note='=HYPERLINK("http://x")')), accepted=True),
    Case("formula-with-cached-value", _cached_formula_book, accepted=True),
]
CASES += PROJECT_CASES
