"""The compiler pages: upload, review with highlighted quotes, htmx edits and decisions, export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from diaodu.compiler.models import ItemStatus, SourceDocument
from diaodu.compiler.tests.conftest import SAMPLE, item_named
from diaodu.plans.models import Plan, Target

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fgw(personas) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["fgw"])
    return client


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_it_uploads_a_txt_and_shows_the_review_page(fgw, plan, indicators) -> None:  # type: ignore[no-untyped-def]
    response = fgw.post(
        reverse("compiler:upload"),
        {
            "file": SimpleUploadedFile("县委书记讲话.txt", SAMPLE.encode()),
            "plan": str(plan.pk),
            "title": "",
        },
    )
    document = SourceDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.title == "县委书记讲话" and document.items.count() == 6
    page = fgw.get(response["Location"]).content.decode()
    assert page.count('data-testid="item"') == 6
    assert '<mark id="q-' in page  # the quotes are highlighted in the document
    assert 'id="q-' in page and "全县地区生产总值增长7%以上" in page


def test_it_uploads_a_docx_in_gb18030_free_form(fgw, plan) -> None:  # type: ignore[no-untyped-def]
    fgw.post(
        reverse("compiler:upload"),
        {
            "file": SimpleUploadedFile("报告.docx", _docx(SAMPLE)),
            "plan": str(plan.pk),
            "title": "政府工作报告",
        },
    )
    document = SourceDocument.objects.get()
    assert document.title == "政府工作报告" and document.items.count() == 6


def test_it_reads_gb18030_text(fgw, plan) -> None:  # type: ignore[no-untyped-def]
    fgw.post(
        reverse("compiler:upload"),
        {"file": SimpleUploadedFile("a.txt", SAMPLE.encode("gb18030")), "plan": str(plan.pk)},
    )
    assert SourceDocument.objects.get().items.count() == 6


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("a.txt", b"\x00\x01binary", "这不是文本文件"),
        ("a.docx", b"not a zip", "文件内容与扩展名 .docx 不符"),
        ("b.docx", b"PK\x03\x04broken", "无法读取该 Word 文件"),
    ],
)
def test_it_refuses_other_files(fgw, plan, name, content, message) -> None:  # type: ignore[no-untyped-def]
    response = fgw.post(
        reverse("compiler:upload"), {"file": SimpleUploadedFile(name, content), "plan": str(plan.pk)}
    )
    assert response.status_code == 200 and not SourceDocument.objects.exists()
    assert message in response.content.decode()


def test_it_creates_a_new_plan_from_the_upload_page(fgw, orgunits) -> None:  # type: ignore[no-untyped-def]
    response = fgw.post(
        reverse("compiler:upload"),
        {
            "file": SimpleUploadedFile("讲话.txt", SAMPLE.encode()),
            "plan": "new",
            "new_plan_code": "guanyun-2025-draft",
            "new_plan_title": "灌云县2025年目标（讲话稿）",
            "new_plan_unit": str(orgunits["320723"].pk),
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(code="guanyun-2025-draft")
    assert plan.year == 2025  # inferred from the text
    missing = fgw.post(
        reverse("compiler:upload"), {"file": SimpleUploadedFile("讲话.txt", SAMPLE.encode()), "plan": "new"}
    )
    assert missing.status_code == 200 and "新建计划时必填" in missing.content.decode()


def test_everything_from_the_document_is_escaped(fgw, plan) -> None:  # type: ignore[no-untyped-def]
    text = '<script>alert("x")</script>全县地区生产总值增长7%以上。\n<img src=x onerror=alert(1)>'
    fgw.post(
        reverse("compiler:upload"),
        {"file": SimpleUploadedFile("<b>讲话</b>.txt", text.encode()), "plan": str(plan.pk)},
    )
    document = SourceDocument.objects.get()
    page = fgw.get(document.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>讲话</b>" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert（1）&gt;" in page


def test_the_review_page_needs_few_queries(fgw, document, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(14):
        assert fgw.get(document.get_absolute_url()).status_code == 200


def test_the_status_filter_keeps_real_links(fgw, document, personas) -> None:  # type: ignore[no-untyped-def]
    from diaodu.compiler import services

    services.discard_item(item_named(document, "实际利用外资"), actor=personas["fgw"])
    page = fgw.get(document.get_absolute_url(), {"status": "discarded"}).content.decode()
    assert page.count('data-testid="item"') == 1 and 'href="?status=pending"' in page


def test_accept_by_htmx_swaps_the_card(fgw, document) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    response = fgw.post(reverse("compiler:item_accept", args=[item.pk]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div class="card mb-2 compiler-item"')
    assert 'data-status="accepted"' in body and "已采纳：地区生产总值" in body
    assert Target.objects.get().quote == item.quote


def test_accept_without_javascript_redirects_to_the_item(fgw, document) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    response = fgw.post(reverse("compiler:item_accept", args=[item.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")


def test_a_refused_accept_shows_why_in_the_card(fgw, document) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "签约投资过亿元重点产业项目")
    fgw.post(reverse("compiler:item_accept", args=[item.pk]))
    again = fgw.post(reverse("compiler:item_accept", args=[item.pk]), **HTMX).content.decode()
    assert 'data-testid="item-error"' in again and "不能再修改" in again


def test_edit_form_and_save_and_accept(fgw, document, orgunits) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    url = reverse("compiler:item_edit", args=[item.pk])
    form = fgw.get(url, **HTMX).content.decode()
    assert 'data-testid="item-form"' in form and "<html" not in form
    assert "地区生产总值（%） · 100%" in form  # the suggestion, first
    assert "<html" in fgw.get(url).content.decode()  # without htmx: a whole page
    p = f"item{item.pk}-"
    data = {
        p + "kind": "target",
        p + "indicator": str(item.indicator_id),
        p + "indicator_name": "地区生产总值",
        p + "value": "7.5",
        p + "unit": "%",
        p + "measure": "growth",
        p + "comparator": ">=",
        p + "level": "stretch",
        p + "scope_unit": "",
        p + "deadline": "",
        p + "relative_to": "",
        p + "leader": "",
        "action": "accept",
    }
    response = fgw.post(url, data, **HTMX)
    body = response.content.decode()
    assert 'data-status="accepted"' in body and 'data-testid="edited-field">value' in body
    target = Target.objects.get()
    assert (target.value, target.level, target.quote) == (Decimal("7.5"), "stretch", item.quote)


def test_an_invalid_edit_is_shown_again(fgw, document) -> None:  # type: ignore[no-untyped-def]
    item = item_named(document, "地区生产总值")
    p = f"item{item.pk}-"
    response = fgw.post(
        reverse("compiler:item_edit", args=[item.pk]),
        {
            p + "kind": "target",
            p + "indicator_name": "地区生产总值",
            p + "level": "plain",
            p + "value": "abc",
            p + "deadline": "2030-01-01",
        },
        **HTMX,
    )
    body = response.content.decode()
    assert 'data-testid="item-form"' in body and "计划年度" in body
    item.refresh_from_db()
    assert item.value == 7 and item.status == ItemStatus.PENDING


def test_export_downloads_yaml(fgw, document, personas) -> None:  # type: ignore[no-untyped-def]
    from diaodu.compiler import services

    url = reverse("compiler:export", args=[document.pk])
    assert fgw.get(url).status_code == 302  # nothing accepted yet
    services.accept_item(item_named(document, "地区生产总值"), actor=personas["fgw"])
    response = fgw.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="draft-2025.yaml"'
    assert "quote: 全县地区生产总值增长7%以上" in response.content.decode()


def test_the_plans_page_links_here_for_compilers_only(fgw, personas) -> None:  # type: ignore[no-untyped-def]
    assert 'data-testid="compile-link"' in fgw.get(reverse("plans:targets")).content.decode()
    leader = Client()
    leader.force_login(personas["leader"])
    assert 'data-testid="compile-link"' not in leader.get(reverse("plans:targets")).content.decode()
