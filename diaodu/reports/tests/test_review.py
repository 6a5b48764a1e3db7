"""The quarterly review results document: content from the reviews app's scoring, scope of sessions, audit."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from docx import Document

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.derived import rebuild_derived
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure, Plan, Target
from diaodu.reports import services
from diaodu.reports.review import build_review_document

reviews = pytest.importorskip("diaodu.reviews.services")
from diaodu.reviews.models import ReviewSession, ScoringScheme  # noqa: E402

pytestmark = pytest.mark.django_db

YISHAN, YANGJI = "320723-T02", "320723-T03"
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5ab56d30000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _no_chart_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    from diaodu.reports import charts

    monkeypatch.setattr(charts, "render_png", lambda spec: TINY_PNG)


@pytest.fixture
def session(orgunits: dict[str, Any], personas: dict[str, Any]) -> ReviewSession:
    """伊山 on target (5 of 4), 杨集 behind (1 of 4); five raters, so the highest and lowest are dropped."""
    county = orgunits["320723"]
    plan = Plan.objects.create(code="r-2025", title="点评测试", year=2025, org_unit=county)
    ind = Indicator.objects.create(code="n", name="新开工项目", unit="个", measure=Measure.COUNT)
    for code, ytd in ((YISHAN, "5"), (YANGJI, "1")):
        Target.objects.create(
            plan=plan,
            key=f"n-{code}",
            indicator=ind,
            org_unit=orgunits[code],
            year=2025,
            value=D(4),
            quote="q",
        )
        Actual.objects.create(
            indicator=ind,
            org_unit=orgunits[code],
            year=2025,
            month=9,
            ytd_value=D(ytd),
            status=ActualStatus.APPROVED,
        )
    scheme = ScoringScheme.objects.create(
        code="q",
        name="季度点评",
        weight_targets=D(40),
        weight_projects=D(30),
        weight_supervision=D(0),
        weight_observation=D(30),
    )
    s = ReviewSession.objects.create(
        title="2025年三季度观摩点评", year=2025, quarter=3, org_unit=county, scheme=scheme
    )
    s.units.set([orgunits[YISHAN], orgunits[YANGJI]])
    sheet = {
        "评委甲": (90, 70),
        "评委乙": (85, 75),
        "评委丙": (80, 80),
        "评委丁": (70, 60),
        "评委戊": (95, 100),
    }
    for rater, (a, b) in sheet.items():
        reviews.set_rater_scores(
            s,
            actor=personas["dcs"],
            rater=rater,
            scores={orgunits[YISHAN].pk: D(a), orgunits[YANGJI].pk: D(b)},
        )
    reviews.add_comment(
        s, actor=personas["dcs"], org_unit=orgunits[YANGJI], text="新开工项目偏少，要加快转化。"
    )
    rebuild_derived()
    return s


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in doc.paragraphs), *cells])


def get(user: Any, pk: int) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/reports/reviews/{pk}/")


def test_the_document_holds_the_published_results(session: ReviewSession, personas: dict[str, Any]) -> None:
    reviews.publish_session(session, actor=personas["dcs"])
    session.refresh_from_db()
    doc = build_review_document(session)
    lines = doc.text_lines()
    assert lines[:2] == ["2025年三季度观摩点评结果通报", "（2025年第三季度）"]
    assert "伊山镇综合得分93.57分，列第1位。" in lines
    table = doc.tables()[0]
    assert table.header == ("名次", "单位", "总分", "目标完成", "项目推进", "督办时效", "现场观摩")
    assert table.rows[0][:3] == ("1", "伊山镇", "93.57")
    assert sum(D(x) for x in table.rows[0][3:] if x != "—") == D("93.57")  # the breakdown sums to the total
    assert "杨集镇：新开工项目偏少，要加快转化。" in lines
    assert not any("尚在评分中" in line for line in lines)


def test_everyone_covered_may_download_a_published_session(
    session: ReviewSession, personas: dict[str, Any]
) -> None:
    reviews.publish_session(session, actor=personas["dcs"])
    response = get(personas["yishan"], session.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="review-{session.pk}-2025Q3.docx"'
    assert "伊山镇" in text_of(response.content) and "杨集镇" in text_of(response.content)
    assert get(personas["lingang"], session.pk).status_code == 404  # neither organiser nor reviewed
    assert get(personas["sysadmin"], session.pk).status_code == 403
    event = AuditEvent.objects.get(object_type=services.REVIEW_AUDIT_TYPE)
    assert (event.actor_name, event.object_id) == ("yishan", str(session.pk))


def test_a_draft_is_only_for_those_running_the_review(
    session: ReviewSession, personas: dict[str, Any]
) -> None:
    assert get(personas["yishan"], session.pk).status_code == 404
    response = get(personas["dcs"], session.pk)
    assert response.status_code == 200
    assert "本次点评尚在评分中" in text_of(response.content)


def test_the_session_page_links_to_the_document(session: ReviewSession, personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["dcs"])
    page = client.get(f"/reviews/sessions/{session.pk}/").content.decode()
    assert f'href="/reports/reviews/{session.pk}/"' in page
