"""The demo month's county briefing, generated once for the module (the demo takes a while) at a frozen date,
then opened again with python-docx; and the golden file of its text.

Regenerate the golden file deliberately with ``DIAODU_REGENERATE_GOLDEN=1`` (and read the diff before committing).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from diaodu.orgunits.models import OrgUnit
from diaodu.plans.periods import Period
from diaodu.reports import docx as writer
from diaodu.reports.briefing import Briefing, NoInsights, build_briefing
from diaodu.reports.docx import docx_bytes

GOLDEN = Path(__file__).parent / "golden" / "briefing-320723-2025-09.txt"
FROZEN = dt.datetime(2025, 10, 15, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # the demo's accounts; hashing is not tested here
pytestmark = pytest.mark.django_db  # also makes pytest-django create the test database for the module fixture

MAIN_INDICATORS = (
    "地区生产总值",
    "固定资产投资",
    "工业投资",
    "规上工业总产值",
    "规上工业增加值",
    "工业应税销售收入",
    "一般公共预算收入",
    "批零住餐贸易额",
    "外贸进出口总额",
    "实际利用外资",
    "新增“四上”企业",
    "居民人均可支配收入",
)


@dataclass
class Demo:
    briefing: Briefing
    data: bytes

    @property
    def doc(self) -> DocxDocument:
        return Document(io.BytesIO(self.data))


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: object) -> Iterator[Demo]:
    """The demo database through September 2025 (as on 15 October 2025), rolled back after the module."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert (
            connection.creation.test_db_signature()
        )  # set up by pytest-django, not the development database
        assert is_test_database(), connection.settings_dict["NAME"]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with time_machine.travel(FROZEN, tick=False), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                call_command("demo", "--through", "2025-09", stdout=io.StringIO(), stderr=io.StringIO())
                county = OrgUnit.objects.get(code="320723")
                briefing = build_briefing(county, Period(2025, 9), insights=NoInsights())
                data = docx_bytes(briefing)
            yield Demo(briefing, data)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def is_test_database() -> bool:
    name = str(connection.settings_dict["NAME"])
    return "test" in name or "memory" in name


def paragraph_texts(doc: DocxDocument) -> list[str]:
    return [p.text for p in doc.paragraphs]


def east_asia(run: object) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_it_matches_the_golden_text(demo: Demo) -> None:
    text = "\n".join(demo.briefing.text_lines()) + "\n"
    if os.environ.get("DIAODU_REGENERATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_it_has_a_sentence_for_every_main_target(demo: Demo) -> None:
    sentences = demo.briefing.main_sentences
    assert len(sentences) == len(MAIN_INDICATORS)
    for name, sentence in zip(MAIN_INDICATORS, sentences, strict=True):
        assert sentence.startswith(("1—9月，全县", "1—8月，全县")) and name in sentence, sentence
    texts = paragraph_texts(demo.doc)
    for sentence in sentences:
        assert sentence in texts


def test_the_document_has_the_title_headings_and_scope(demo: Demo) -> None:
    texts = paragraph_texts(demo.doc)
    assert texts[0] == "灌云县2025年9月份发展计划调度通报"
    assert "一、主要指标完成情况" in texts
    assert "二、重点项目推进情况" in texts
    assert "三、滞后事项" in texts
    assert any("数据范围：全部数据（系统生成）" in t for t in texts)


def test_the_document_has_the_tables_with_header_rows(demo: Demo) -> None:
    doc = demo.doc
    assert len(doc.tables) == len(demo.briefing.tables())
    main = doc.tables[0]
    assert [c.text for c in main.rows[0].cells] == ["指标", "目标", "实绩", "完成率", "超欠进度", "状态"]
    assert len(main.rows) == 1 + len(MAIN_INDICATORS)
    tr_pr = main.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert main.rows[4].cells[0].text == "规上工业总产值"


def test_the_document_embeds_the_chart_images(demo: Demo) -> None:
    doc = demo.doc
    assert len(doc.inline_shapes) == len(demo.briefing.charts()) == 2
    images = [p for p in doc.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 2
    assert all(p.blob.startswith(b"\x89PNG") and len(p.blob) > 5000 for p in images)


def test_the_page_is_a4_with_official_margins(demo: Demo) -> None:
    section = demo.doc.sections[0]
    mm = [
        round(x.mm, 1) for x in (section.page_width, section.page_height) if x is not None
    ]  # stored in twips: 210 mm = 11906
    assert mm == [210, 297]
    margins = [
        round(x.mm, 1)
        for x in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        if x is not None
    ]
    assert margins == [37, 35, 28, 26]


def test_the_fonts_are_set_as_east_asian_names(demo: Demo) -> None:
    doc = demo.doc
    by_text = {p.text: p for p in doc.paragraphs}
    assert (
        east_asia(by_text["灌云县2025年9月份发展计划调度通报"].runs[0])
        == writer.TITLE_FONT
        == "方正小标宋简体"
    )
    assert east_asia(by_text["一、主要指标完成情况"].runs[0]) == "黑体"
    body = by_text[demo.briefing.main_sentences[0]]
    assert east_asia(body.runs[0]) == "仿宋_GB2312"
    assert body.runs[0].font.size == writer.SIZE_3
    assert body.paragraph_format.line_spacing == writer.LINE_SPACING
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_the_footer_numbers_pages_with_a_page_field(demo: Demo) -> None:
    section = demo.doc.sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
