"""Data entry, review and the target list: through the pages, with errors located by row and field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.cockpit.tests.world import COUNTY, YANGJI_IZ, YISHAN_IZ, approved, make_plan, submitted
from diaodu.plans.models import Actual, ActualStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(orgunits, personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_plan(orgunits)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entry_url(unit: str, month: str = "2025-09") -> str:
    return f"{reverse('plans:entry')}?unit={unit}&month={month}"


def test_it_lists_one_row_per_indicator_with_a_target(personas, world) -> None:  # type: ignore[no-untyped-def]
    html = client_for(personas["county"]).get(entry_url(COUNTY)).content.decode()
    assert html.count('data-testid="entry-row"') == 2
    assert "地区生产总值" in html and "单位：亿元" in html and "不低于 7%" in html
    assert "保存草稿" in html and "提交" in html


def test_it_explains_an_empty_sheet_and_offers_the_units(personas, world) -> None:  # type: ignore[no-untyped-def]
    html = client_for(personas["yishan"]).get(reverse("plans:entry")).content.decode()
    assert "该单位在此年度没有需要填报的目标" in html
    assert '<option value="320723-T02-IZ"' in html


def test_it_saves_and_submits_one_row(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["yishan"])
    response = client.post(
        entry_url(YISHAN_IZ), {"action": "submit:iz", "iz-ytd_value": "4", "iz-note": "镇经发局"}
    )
    assert response.status_code == 302
    actual = Actual.objects.get(org_unit=orgunits[YISHAN_IZ], month=9)
    assert actual.status == ActualStatus.SUBMITTED and actual.ytd_value == 4 and actual.note == "镇经发局"
    html = client.get(entry_url(YISHAN_IZ)).content.decode()
    assert (
        "已提交 1 项，等待审核。" in html and 'name="iz-ytd_value"' not in html
    )  # read-only while submitted


def test_it_saves_drafts_of_every_filled_row(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["county"]).post(
        entry_url(COUNTY),
        {
            "action": "save",
            "gdp-growth_pct": "6.8",
            "gdp-ytd_value": "310.5",
            "four-ytd_value": "",
        },
    )
    assert response.status_code == 302
    assert list(Actual.objects.values_list("indicator__code", "status")) == [("gdp", "draft")]


def test_it_saves_nothing_when_a_row_is_wrong(personas, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["county"]).post(
        entry_url(COUNTY),
        {
            "action": "submit",
            "gdp-ytd_value": "310.5",
            "four-ytd_value": "88",  # gdp: growth indicator, no growth
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Actual.objects.exists()
    assert "增速类指标请填写公布增速，或同时填写累计值和上年同期值。" in html
    assert "1 行数据有误，未保存任何数据。" in html
    assert 'value="88"' in html  # the other row keeps what was typed


def test_it_reports_format_errors_by_field(personas, world) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas["county"]).post(
        entry_url(COUNTY), {"action": "save", "four-ytd_value": "八十"}
    )
    html = response.content.decode()
    assert "部分数据格式有误" in html and "输入一个数字" in html
    assert not Actual.objects.exists()


def test_it_shows_the_return_comment_and_locks_approved_rows(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    actual = submitted(personas, world["iz"], orgunits[YISHAN_IZ], 9, "3", officer="yishan")
    client_for(personas["fgw"]).post(
        reverse("plans:actual_return", args=[actual.pk]), {"comment": "与台账不符，请核实"}
    )
    html = client_for(personas["yishan"]).get(entry_url(YISHAN_IZ)).content.decode()
    assert 'data-testid="review-comment"' in html and "与台账不符，请核实" in html
    assert 'name="iz-ytd_value"' in html  # returned rows are editable again
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 8, ytd="2", officer="yishan")
    html = client_for(personas["yishan"]).get(entry_url(YISHAN_IZ, "2025-08")).content.decode()
    assert "🔒" in html and 'name="iz-ytd_value"' not in html


def test_it_refuses_units_out_of_scope(personas, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["yishan"])
    assert client.get(entry_url(YANGJI_IZ)).status_code == 404
    assert client.post(entry_url(YANGJI_IZ), {"action": "save", "iz-ytd_value": "1"}).status_code == 404
    assert client_for(personas["leader"]).get(entry_url(COUNTY)).status_code == 403
    assert not Actual.objects.exists()


def test_it_lists_the_review_queue_with_context(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 8, ytd="2", officer="yishan")
    submitted(personas, world["iz"], orgunits[YISHAN_IZ], 9, "4", officer="yishan")
    html = client_for(personas["fgw"]).get(reverse("plans:review")).content.decode()
    assert html.count('data-testid="review-row"') == 1
    assert "伊山镇工业集中区 · 2025年9月" in html and "(已审核)" in html  # previous month for context
    assert client_for(personas["yishan"]).get(reverse("plans:review")).status_code == 403


def test_it_approves_with_an_htmx_partial(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    actual = submitted(personas, world["iz"], orgunits[YISHAN_IZ], 9, "5", officer="yishan")
    response = client_for(personas["fgw"]).post(
        reverse("plans:actual_approve", args=[actual.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith("<tr") and "已审核" in html
    actual.refresh_from_db()
    assert actual.status == ActualStatus.APPROVED
    assert AuditEvent.objects.filter(action=AuditAction.APPROVE, object_id=str(actual.pk)).exists()


def test_it_requires_a_comment_to_return(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    actual = submitted(personas, world["iz"], orgunits[YISHAN_IZ], 9, "5", officer="yishan")
    client = client_for(personas["fgw"])
    html = client.post(
        reverse("plans:actual_return", args=[actual.pk]), {"comment": " "}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "退回时请填写退回意见。" in html
    actual.refresh_from_db()
    assert actual.status == ActualStatus.SUBMITTED
    response = client.post(
        reverse("plans:actual_return", args=[actual.pk]), {"comment": "请附统计局盖章报表"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("plans:review")
    actual.refresh_from_db()
    assert actual.status == ActualStatus.RETURNED and actual.review_comment == "请附统计局盖章报表"


def test_it_reopens_an_approved_month_with_a_reason(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    actual = approved(personas, world["iz"], orgunits[YISHAN_IZ], 9, ytd="5", officer="yishan")
    client = client_for(personas["fgw"])
    assert "最近审核通过" in client.get(reverse("plans:review")).content.decode()
    client.post(reverse("plans:actual_reopen", args=[actual.pk]), {"reason": ""})
    actual.refresh_from_db()
    assert actual.status == ActualStatus.APPROVED
    client.post(reverse("plans:actual_reopen", args=[actual.pk]), {"reason": "统计局修订了9月数据"})
    actual.refresh_from_db()
    assert actual.status == ActualStatus.RETURNED
    assert client.get(reverse("plans:actual_reopen", args=[actual.pk])).status_code == 405


def _review_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("plans:review")).status_code == 200
    return len(ctx.captured_queries)


def test_it_reviews_in_a_constant_number_of_queries(personas, orgunits, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["fgw"])
    submitted(personas, world["iz"], orgunits[YISHAN_IZ], 9, "5", officer="yishan")
    approved(personas, world["iz"], orgunits[YISHAN_IZ], 1, ytd="1", officer="yishan")
    small = _review_queries(client)
    for month in range(2, 9):
        approved(personas, world["iz"], orgunits[YANGJI_IZ], month, ytd=str(month), officer="yangji")
        submitted(personas, world["four"], orgunits[COUNTY], month, str(10 * month))
    submitted(personas, world["iz"], orgunits[YANGJI_IZ], 9, "9", officer="yangji")
    large = _review_queries(client)
    assert small == large


def test_it_lists_the_targets_with_quotes(personas, world) -> None:  # type: ignore[no-untyped-def]
    html = client_for(personas["yishan"]).get(reverse("plans:targets")).content.decode()
    assert "伊山、下车、杨集、四队、图河等重点镇级工业集中区每家新开工投资过亿元工业项目5个以上" in html
    assert "地区生产总值增长7%以上" not in html  # county target: outside 伊山镇's scope


def test_a_long_target_list_is_paged(personas, world) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from diaodu.plans.models import Target

    t = Target.objects.filter(org_unit__code=COUNTY).select_related("plan", "indicator", "org_unit").first()
    assert t is not None
    Target.objects.bulk_create(
        Target(plan=t.plan, key=f"extra-{i:03d}", indicator=t.indicator, org_unit=t.org_unit, year=t.year,
               value=Decimal(i), quote=f"补充目标{i:03d}", sort_order=1000 + i)
        for i in range(120)
    )  # fmt: skip
    total = Target.objects.count()
    client = client_for(personas["leader"])
    first = client.get(reverse("plans:targets")).content.decode()
    last = client.get(reverse("plans:targets"), {"page": 2}).content.decode()
    assert first.count('<p class="quote mb-0">') == 100
    assert last.count('<p class="quote mb-0">') == total - 100
    assert f"共 {total} 个目标，第 1 / 2 页" in first and "补充目标119" in last and "补充目标119" not in first


def test_the_listed_rows_show_what_the_targets_own_display_methods_show(personas, world) -> None:  # type: ignore[no-untyped-def]
    """The target list reads plain rows: each cell must be the string ``Target``'s own methods give, for plain,
    stretch, decimal and relative targets, grouped by plan in the list's order."""
    from decimal import Decimal

    from diaodu.plans import worklists
    from diaodu.plans.models import Level, Plan, Target

    first, other = Target.objects.select_related("plan", "indicator", "org_unit")[:2]
    second = Plan.objects.create(
        code="x-second", title="第二个计划", year=first.plan.year, org_unit=first.org_unit
    )
    extra = [
        Target(plan=second, key="x-2", indicator=other.indicator, org_unit=first.org_unit, year=first.year,
               value=Decimal("3"), quote="第二个计划的目标"),
        Target(plan=first.plan, key="x-rel", indicator=first.indicator, org_unit=first.org_unit, year=first.year,
               value=None, relative_to=other.indicator, quote="与经济增长同步", sort_order=900),
        Target(plan=first.plan, key="x-dec", indicator=first.indicator, org_unit=first.org_unit, year=first.year,
               value=Decimal("7.50"), level=Level.STRETCH, quote="力争7.5", sort_order=901),
        Target(plan=first.plan, key="x-int", indicator=first.indicator, org_unit=first.org_unit, year=first.year,
               value=Decimal("100.00"), quote="一百", sort_order=902),
    ]  # fmt: skip
    Target.objects.bulk_create(extra)
    visible = worklists.visible_targets(personas["leader"])
    expected = [
        (t.plan.title, t.plan.year, t.section, t.indicator.name, t.org_unit.display_short,
         f"{t.get_comparator_display()} {t.display_value}", t.get_level_display(), t.quote)
        for t in visible
    ]  # fmt: skip
    listed = worklists.listed_targets(visible.values_list(*worklists.LISTED_FIELDS, named=True))
    got = [
        (p.title, p.year, r.section, r.indicator, r.unit, r.target, r.level, r.quote)
        for p in listed
        for r in p.rows
    ]
    assert got == expected
    assert len(listed) == len({t.plan_id for t in visible}) > 1  # one heading per plan, consecutive rows
    shown = {r.quote: r.target for p in listed for r in p.rows}
    assert shown["与经济增长同步"].endswith(other.indicator.name)
    assert shown["力争7.5"].endswith(f"7.5{first.indicator.unit}") and shown["一百"].endswith(
        f"100{first.indicator.unit}"
    )


# The list's rows as the template wrote them before they were formatted in Python (worklists.LISTED_ROW).
TEMPLATE_ROWS = """<tbody>{% for t in group.rows %}
        <tr><td class="text-nowrap">{{ t.section }}</td><td>{{ t.indicator }}</td><td>{{ t.unit }}</td>
          <td class="text-nowrap">{{ t.target }}</td><td>{{ t.level }}</td>
          <td><p class="quote mb-0">{{ t.quote }}</p></td></tr>
      {% endfor %}</tbody>"""


def test_the_listed_rows_are_written_as_the_template_wrote_them(personas, world) -> None:  # type: ignore[no-untyped-def]
    """The rows' HTML is the template loop's, byte for byte: the page's rows and cells with the characters HTML
    escapes (angle brackets, ampersands, both quotes), Chinese and an empty plan."""
    from django.template import Context, Template

    from diaodu.plans import worklists

    loop = Template(TEMPLATE_ROWS)
    odd = worklists.ListedTarget(
        '<b>板块</b> & "x"', "指标'1'", "单位&amp;", "≥ 5<script>alert(1)</script>", "力争", "原文 >< &lt;"
    )
    visible = worklists.visible_targets(personas["leader"])
    listed = worklists.listed_targets(visible.values_list(*worklists.LISTED_FIELDS, named=True))
    groups = [*listed, worklists.ListedPlan("奇怪的字符", 2025, [odd, odd]), worklists.ListedPlan("空", 2025)]
    assert sum(len(g.rows) for g in groups) > 5
    for group in groups:
        assert f"<tbody>{group.rows_html}</tbody>" == loop.render(Context({"group": group}))
    assert "&lt;script&gt;" in groups[-2].rows_html and "&amp;amp;" in groups[-2].rows_html
