"""Normalisation: punctuation and digit widths, page-break artifacts, spaces (no database)."""

from __future__ import annotations

from pathlib import Path

from diaodu.compiler.extract import normalise, read_document


def test_it_unifies_widths_of_digits_and_punctuation() -> None:
    assert (
        normalise("地区生产总值增长７％以上,固定资产投资增长８%以上;")
        == "地区生产总值增长7%以上，固定资产投资增长8%以上；"
    )
    assert normalise("(上接第一版)这说明") == "（上接第一版）这说明"


def test_it_keeps_decimal_points_times_and_drops_thousands_separators() -> None:
    assert (
        normalise("盘活低效用地1,000亩,计划总投资426.4亿元,10:30开会")
        == "盘活低效用地1000亩，计划总投资426.4亿元，10:30开会"
    )


def test_it_joins_words_split_by_a_page_break() -> None:
    text = "把优化营商环境的着力点放在打通制约招商引资、项目建设、企\n\n业经营的卡点堵点问题上。"
    assert (
        normalise(text) == "把优化营商环境的着力点放在打通制约招商引资、项目建设、企业经营的卡点堵点问题上。"
    )


def test_it_keeps_headings_and_paragraphs_apart() -> None:
    text = "二、坚决打好收官之战\n\n新的一年，地区生产总值增长7%以上。\n\n三、扛起使命\n要始终对党绝对忠诚。"
    assert normalise(text).split("\n") == [
        "二、坚决打好收官之战",
        "新的一年，地区生产总值增长7%以上。",
        "三、扛起使命",
        "要始终对党绝对忠诚。",
    ]


def test_it_removes_spaces_next_to_chinese_text() -> None:
    assert normalise("实际利用外资 5000 万美元　以上 ,  PM2.5 ok") == "实际利用外资5000万美元以上，PM2.5 ok"


def test_it_pairs_straight_double_quotes() -> None:
    assert normalise('新增"四上"企业150家') == "新增“四上”企业150家"


def test_the_seed_page_breaks_are_repaired(seed_speech: Path) -> None:
    text = normalise(seed_speech.read_text(encoding="utf-8"))
    for joined in ("企业经营", "全链条贯彻", "基层治理上台阶"):
        assert joined in text


def test_it_reads_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("主要预期目标是：")
    document.add_paragraph("地区生产总值增长7%以上。")
    path = tmp_path / "speech.docx"
    document.save(str(path))
    assert normalise(read_document(path)) == "主要预期目标是：\n地区生产总值增长7%以上。"


def test_it_reads_gb18030_text(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    path.write_bytes("地区生产总值增长7%以上。".encode("gb18030"))
    assert read_document(path) == "地区生产总值增长7%以上。"
