"""Write a :class:`~diaodu.reports.briefing.Briefing` as a .docx in the official layout (党政机关公文格式,
GB/T 9704-2012), with python-docx.

* A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
* Title 方正小标宋简体 二号 centred; part headings 黑体 三号 "一、"; sub-headings 楷体_GB2312 三号 "（一）"; body
  仿宋_GB2312 三号 with a fixed 28-point line spacing and a two-character first-line indent.
* Chinese font names are set as the east-asian font (``w:eastAsia``) of every run and of the styles, so Word and
  WPS pick them; the Latin font is Times New Roman. A machine without those fonts substitutes its own.
* Page numbers "— 1 —" in 四号 宋体 from a PAGE field: odd pages on the right, even pages on the left.
* Tables with a repeated header row in 黑体; charts as PNG pictures with a caption.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from diaodu.reports.briefing import Briefing, ChartSpec, Paragraph, Subheading, Table, chinese_numeral

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(10.5)  # 五号
LINE_SPACING = Pt(28)
CHART_WIDTH = Mm(150)
TEXT_WIDTH = Mm(210 - 28 - 26)  # 156 mm between the margins

ChartRenderer = Callable[[ChartSpec], bytes]


def set_font(run: Run, east_asia: str, size: Pt | None = None, *, bold: bool | None = None) -> Run:
    """Set the run's fonts: Latin and the east-asian name (``w:rFonts/@w:eastAsia``)."""
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    return run


def _fixed_spacing(p: DocxParagraph, *, indent: bool = False) -> DocxParagraph:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = SIZE_3 * 2
    return p


def _text(
    doc: DocxDocument,
    text: str,
    font: str,
    size: Pt,
    *,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    indent: bool = False,
    bold: bool | None = None,
) -> DocxParagraph:
    p = _fixed_spacing(doc.add_paragraph(), indent=indent)
    if align is not None:
        p.alignment = align
    set_font(p.add_run(text), font, size, bold=bold)
    return p


def _page_layout(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the number's baseline sits 7 mm below the text block
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = SIZE_3
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _field(p: DocxParagraph, instruction: str) -> None:
    """A complex field (``PAGE``) whose cached result is "1" until Word updates it."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = set_font(p.add_run(), PAGE_NUMBER_FONT, SIZE_4)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._element.append(el)
        elif kind == "text":
            run.text = text or ""
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)


def _page_number(p: DocxParagraph, align: WD_PARAGRAPH_ALIGNMENT) -> None:
    """ "— 1 —" with a one-character gap from the outer edge (单页码居右空一字，双页码居左空一字)."""
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = SIZE_4
    else:
        p.paragraph_format.left_indent = SIZE_4
    set_font(p.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    _field(p, "PAGE")
    set_font(p.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def _cell_text(cell: _Cell, text: str, *, header: bool, centre: bool) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if header or centre else WD_ALIGN_PARAGRAPH.LEFT
    set_font(p.add_run(text), HEADING_FONT if header else BODY_FONT, SIZE_TABLE)


def column_widths(table: Table, total: int = TEXT_WIDTH) -> list[int]:
    """Widths in EMU proportional to each column's longest text (header or cell), 3 to 14 characters."""
    weights = [
        min(max(len(h), *(len(r[i]) for r in table.rows), 3), 14) if table.rows else max(len(h), 3)
        for i, h in enumerate(table.header)
    ]
    return [total * w // sum(weights) for w in weights]


def _repeat_header(table: DocxTable) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def write_table(doc: DocxDocument, table: Table) -> DocxTable:
    _text(doc, table.title, HEADING_FONT, SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER)
    t = doc.add_table(rows=1, cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = column_widths(table)
    for cell, text in zip(t.rows[0].cells, table.header, strict=True):
        _cell_text(cell, text, header=True, centre=True)
    _repeat_header(t)
    for row in table.rows:
        cells = t.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, text, header=False, centre=i > 0 and len(text) <= 12)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Emu(width)  # w:gridCol, which LibreOffice and WPS read
        for cell in column.cells:  # w:tcW, which Word reads
            cell.width = Emu(width)
    if table.note:
        p = doc.add_paragraph()
        set_font(p.add_run(f"注：{table.note}"), BODY_FONT, SIZE_TABLE)
    return t


def write_chart(doc: DocxDocument, spec: ChartSpec, render: ChartRenderer) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(render(spec)), width=CHART_WIDTH)
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(caption.add_run(f"图：{spec.title}"), BODY_FONT, SIZE_TABLE)


def build_document(briefing: Briefing, *, render: ChartRenderer | None = None) -> DocxDocument:
    if render is None:
        from diaodu.reports.charts import render_png

        render = render_png
    doc = Document()
    _page_layout(doc)
    title = _text(doc, briefing.title, TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    _text(doc, briefing.issue_line, BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(doc, "", BODY_FONT, SIZE_3)
    for i, part in enumerate(briefing.parts):
        _text(doc, f"{chinese_numeral(i + 1)}、{part.heading}", HEADING_FONT, SIZE_3, indent=True)
        for block in part.blocks:
            if isinstance(block, Subheading):
                _text(doc, block.text, SUBHEADING_FONT, SIZE_3, indent=True)
            elif isinstance(block, Paragraph):
                _text(doc, block.text, BODY_FONT, SIZE_3, indent=True)
            elif isinstance(block, Table):
                write_table(doc, block)
            else:
                write_chart(doc, block, render)
    _text(doc, "", BODY_FONT, SIZE_3)
    date = briefing.generated_at
    _text(doc, ISSUER_LINE.format(unit=briefing.unit.name), BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _text(doc, f"{date.year}年{date.month}月{date.day}日", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
    note = doc.add_paragraph()
    set_font(
        note.add_run(
            f"（本通报由调度平台根据已审核数据自动生成，数据范围：{briefing.scope_note}；"
            f"生成时间 {date:%Y-%m-%d %H:%M}。）"
        ),
        BODY_FONT,
        SIZE_TABLE,
    )
    for table in briefing.annex:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _text(doc, "附表", HEADING_FONT, SIZE_3)
        write_table(doc, table)
    return doc


ISSUER_LINE = "{unit}发展计划调度平台"


def docx_bytes(briefing: Briefing, *, render: ChartRenderer | None = None) -> bytes:
    buf = io.BytesIO()
    build_document(briefing, render=render).save(buf)
    return buf.getvalue()
