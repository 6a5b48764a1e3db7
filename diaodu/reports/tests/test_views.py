"""The briefing download, its scope and audit row, the CLI, and the rank clauses, on a small plan."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from docx import Document

from diaodu.audit.models import AuditEvent
from diaodu.cockpit.tests.world import COUNTY, YANGJI_IZ, YISHAN, YISHAN_IZ, approved, make_plan
from diaodu.plans.evaluation import TargetResult
from diaodu.plans.periods import Period
from diaodu.reports import services
from diaodu.reports.briefing import build_briefing
from diaodu.reports.sentences import RankFact

URL = "/reports/briefing/"
# A valid 1×1 PNG: these tests are about scope and content; test_briefing.py draws the real charts.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5ab56d30000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _no_chart_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    from diaodu.reports import charts

    monkeypatch.setattr(charts, "render_png", lambda spec: TINY_PNG)


@pytest.fixture
def world(orgunits: dict[str, Any], personas: dict[str, Any]) -> dict[str, Any]:
    plan = make_plan(orgunits)
    for month, growth in ((5, "7.5"), (6, "6.8")):
        approved(personas, plan["gdp"], orgunits[COUNTY], month, ytd="210", growth=growth)
    approved(personas, plan["iz"], orgunits[YISHAN_IZ], 6, ytd="2", officer="yishan")
    approved(personas, plan["iz"], orgunits[YANGJI_IZ], 6, ytd="4", officer="yangji")
    return {"units": orgunits, "users": personas, **plan}


def get(user: Any, **params: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(URL, params)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in doc.paragraphs), *cells])


def test_it_downloads_the_county_briefing(world: dict[str, Any]) -> None:
    response = get(world["users"]["leader"], unit=COUNTY, month="2025-06")
    assert response.status_code == 200
    assert response["Content-Type"] == services.DOCX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="briefing-320723-2025-06.docx"'
    text = docx_text(response.content)
    assert "灌云县2025年6月份发展计划调度通报" in text
    assert "1—6月，全县地区生产总值同比增长6.8%，低于目标0.2个百分点，首次低于目标。" in text
    assert "杨集镇工业集中区" in text and "伊山镇工业集中区" in text


def test_a_town_officer_gets_their_own_unit_and_nothing_else(world: dict[str, Any]) -> None:
    yishan = world["users"]["yishan"]
    assert get(yishan, unit=COUNTY, month="2025-06").status_code == 404
    assert get(yishan, unit="320723-T03", month="2025-06").status_code == 404
    response = get(yishan, unit=YISHAN, month="2025-06")
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "伊山镇2025年6月份发展计划调度通报" in text
    assert "1—6月，伊山镇工业集中区新开工投资过亿元工业项目2个" in text
    assert "杨集" not in text and "全县" not in text  # nothing outside the officer's scope
    assert "数据范围：yishan 的数据权限范围" in text


def test_administrators_are_refused(world: dict[str, Any]) -> None:
    assert get(world["users"]["sysadmin"], unit=COUNTY).status_code == 403


def test_generating_is_audited(world: dict[str, Any]) -> None:
    get(world["users"]["yishan"], unit=YISHAN, month="2025-06")
    event = AuditEvent.objects.get(object_type=services.AUDIT_TYPE)
    assert (event.actor_name, event.action, event.object_id) == ("yishan", "export", "320723-T02/2025-06")
    assert event.org_unit_id == world["units"][YISHAN].pk
    assert event.after is not None
    assert event.after["month"] == "2025-06" and event.after["format"] == "docx"


def test_the_cockpit_links_to_the_briefing(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["leader"])
    page = client.get("/", {"unit": COUNTY, "month": "2025-06"}).content.decode()
    assert f'href="{URL}?unit=320723&amp;month=2025-06"' in page


def test_the_cli_runs_as_the_system_with_full_scope(world: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "b.docx"
    stdout = io.StringIO()
    call_command("briefing", "--unit", COUNTY, "--month", "2025-06", "--out", str(out), stdout=stdout)
    assert "数据范围：全部数据（系统生成）" in stdout.getvalue()
    assert "灌云县2025年6月份发展计划调度通报" in docx_text(out.read_bytes())
    event = AuditEvent.objects.get(object_type=services.AUDIT_TYPE)
    assert event.actor_id is None and event.actor_name.startswith("cli:")


def test_the_cli_as_a_user_keeps_to_their_scope(world: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="数据范围内没有编码"):
        call_command(
            "briefing",
            "--unit",
            COUNTY,
            "--month",
            "2025-06",
            "--out",
            str(tmp_path / "x.docx"),
            "--as",
            "yishan",
        )
    with pytest.raises(CommandError, match="没有查看数据的权限"):
        call_command(
            "briefing",
            "--unit",
            COUNTY,
            "--month",
            "2025-06",
            "--out",
            str(tmp_path / "x.docx"),
            "--as",
            "auditadmin",
        )
    out = tmp_path / "own.docx"
    call_command(
        "briefing",
        "--unit",
        YISHAN,
        "--month",
        "2025-06",
        "--out",
        str(out),
        "--as",
        "yishan",
        stdout=io.StringIO(),
    )
    assert "杨集" not in docx_text(out.read_bytes())
    assert AuditEvent.objects.get(object_type=services.AUDIT_TYPE).actor_name == "yishan"


def test_the_cli_refuses_a_bad_month(world: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--month"):
        call_command("briefing", "--unit", COUNTY, "--month", "2025-13", "--out", str(tmp_path / "x.docx"))


class FixedRanks:
    def __init__(self, rank: RankFact) -> None:
        self.rank = rank

    def for_targets(
        self, results: Sequence[TargetResult], period: Period
    ) -> dict[int, tuple[RankFact | None, str]]:
        return {
            r.target.pk: (self.rank, "预计全年增长7.1%") for r in results if r.target.indicator.code == "gdp"
        }


def test_ranks_and_forecasts_go_into_the_sentences_and_a_ranking_part(world: dict[str, Any]) -> None:
    b = build_briefing(
        world["units"][COUNTY], Period(2025, 6), insights=FixedRanks(RankFact(5, 6, change=-2))
    )
    assert b.main_sentences[0] == (
        "1—6月，全县地区生产总值同比增长6.8%，低于目标0.2个百分点，首次低于目标，列全市倒数第2位，预计全年增长7.1%。"
    )
    ranking = b.parts[-1]
    assert ranking.heading == "横比排名情况"
    table = ranking.blocks[0]
    assert table.rows == [("地区生产总值", "6.8%", "列全市倒数第2位", "5/6", "下降2位")]  # type: ignore[union-attr]


def test_without_ranks_there_is_no_ranking_part(world: dict[str, Any]) -> None:
    from diaodu.reports.briefing import NoInsights

    b = build_briefing(world["units"][COUNTY], Period(2025, 6), insights=NoInsights())
    assert "横比排名情况" not in [p.heading for p in b.parts]
    assert "列全市" not in "".join(b.main_sentences)


@pytest.mark.skipif(not services.pdf_available(), reason="LibreOffice (soffice) is not installed")
def test_it_converts_to_pdf_when_libreoffice_is_present(world: dict[str, Any]) -> None:
    response = get(world["users"]["yishan"], unit=YISHAN, month="2025-06", format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_reviews_ranking_gives_the_rank_clause(world: dict[str, Any]) -> None:
    """Peers' published GDP growth for June: 连云区 8.1, 海州区 6.9, 赣榆区 6.0, 东海县 7.2, 灌南县 5.5; 灌云县 6.8
    is fourth of six (two places from the bottom is 倒数第2位 only for fifth and sixth)."""
    services_reviews = pytest.importorskip("diaodu.reviews.services")
    from diaodu.reports.insights import from_reviews

    peers = {"320703": "8.1", "320706": "6.9", "320707": "6.0", "320722": "7.2", "320724": "5.5"}
    for code, growth in peers.items():
        services_reviews.enter_peer_value(
            actor=world["users"]["tjj"],
            indicator=world["gdp"],
            org_unit=world["units"][code],
            year=2025,
            month=6,
            growth_pct=D(growth),
        )
    insights = from_reviews()
    assert insights is not None
    b = build_briefing(world["units"][COUNTY], Period(2025, 6), insights=insights)
    assert (
        b.main_sentences[0]
        == "1—6月，全县地区生产总值同比增长6.8%，低于目标0.2个百分点，首次低于目标，列全市第4位。"
    )
    ranking = b.parts[-1]
    assert ranking.heading == "横比排名情况"
