"""Quarterly review sessions: objective parts, trimmed observation scores, publishing locks, 点评, 实干指数."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.core.testing.derived import rebuild_derived
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure, Plan, Target
from diaodu.projects.models import MonthlyReport, Project, ProjectYear
from diaodu.reviews import scoring, services
from diaodu.reviews.models import ReviewSession, ScoringScheme

pytestmark = pytest.mark.django_db

YISHAN, YANGJI = "320723-T02", "320723-T03"


@pytest.fixture
def session(orgunits, personas) -> ReviewSession:  # type: ignore[no-untyped-def]
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
    rebuild_derived()
    return s


def scores(session: ReviewSession, personas: dict[str, Any], orgunits: dict[str, Any]) -> None:
    sheet = {
        "评委甲": (90, 70),
        "评委乙": (85, 75),
        "评委丙": (80, 80),
        "评委丁": (70, 60),
        "评委戊": (95, 100),
    }
    for rater, (a, b) in sheet.items():
        services.set_rater_scores(
            session,
            actor=personas["dcs"],
            rater=rater,
            scores={orgunits[YISHAN].pk: D(a), orgunits[YANGJI].pk: D(b)},
        )


def test_the_review_combines_objective_and_trimmed_observation_scores(session, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    scores(session, personas, orgunits)
    rows = {r.org_unit.code: r for r in scoring.session_rows(session)}
    yishan, yangji = rows[YISHAN], rows[YANGJI]
    # 伊山: targets green (100); no projects → re-weighted over targets 40 + observation 30:
    # observation = mean(90, 85, 80) after dropping 95 and 70 = 85 → 40/70×100 + 30/70×85 = 57.14 + 36.43
    assert [(b["key"], b["points"]) for b in yishan.breakdown] == [
        ("targets", "57.14"),
        ("projects", "0"),
        ("supervision", "0"),
        ("observation", "36.43"),
    ]
    assert yishan.total == D("93.57") == sum(D(b["points"]) for b in yishan.breakdown)
    assert "去掉最高分95、最低分70" in yishan.breakdown[3]["detail"]
    # 杨集: red (0) + mean(70, 75, 80) = 75 → 0 + 32.14
    assert yangji.total == D("32.14") and (yishan.rank, yangji.rank) == (1, 2)


def test_publishing_freezes_and_locks_the_results(session, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    scores(session, personas, orgunits)
    with pytest.raises(PermissionDenied):
        services.publish_session(session, actor=personas["leader"])  # no supervision permission
    services.publish_session(session, actor=personas["dcs"])
    session.refresh_from_db()
    assert session.is_published and session.results.count() == 2
    frozen = scoring.session_rows(session)
    assert frozen[0].org_unit.code == YISHAN and frozen[0].total == D("93.57") and frozen[0].rank == 1
    with pytest.raises(ValidationError):
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="评委甲", scores={orgunits[YISHAN].pk: D(1)}
        )
    with pytest.raises(ValidationError):
        services.publish_session(session, actor=personas["dcs"])
    Actual.objects.filter(org_unit=orgunits[YANGJI]).update(ytd_value=D(9))  # later data does not move it
    assert scoring.session_rows(session)[1].total == D("32.14")
    c = services.add_comment(
        session, actor=personas["dcs"], org_unit=orgunits[YANGJI], text="项目开工偏慢，需加力。"
    )
    assert c.author == personas["dcs"]
    with pytest.raises(ValidationError):
        services.add_comment(session, actor=personas["dcs"], org_unit=orgunits["320723-T05"], text="x")


def test_scores_are_checked(session, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="甲", scores={orgunits[YISHAN].pk: D(101)}
        )
    with pytest.raises(ValidationError):
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="甲", scores={orgunits["320723-T05"].pk: D(1)}
        )
    with pytest.raises(PermissionDenied):
        services.set_rater_scores(
            session, actor=personas["yishan"], rater="甲", scores={orgunits[YISHAN].pk: D(99)}
        )
    assert (
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="甲", scores={orgunits[YISHAN].pk: D(80)}
        )
        == 1
    )
    assert (
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="甲", scores={orgunits[YISHAN].pk: D(80)}
        )
        == 0
    )
    assert (
        services.set_rater_scores(
            session, actor=personas["dcs"], rater="甲", scores={orgunits[YISHAN].pk: None}
        )
        == 1
    )
    assert session.scores.count() == 0


def test_sessions_are_scoped(session, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    assert not ReviewSession.objects.visible_to(personas["yishan"]).exists()  # a draft
    assert ReviewSession.objects.visible_to(personas["dcs"]).exists()
    services.publish_session(session, actor=personas["dcs"])
    assert ReviewSession.objects.visible_to(personas["yishan"]).count() == 1  # reviewed unit
    assert ReviewSession.objects.visible_to(personas["leader"]).count() == 1
    assert not ReviewSession.objects.visible_to(personas["lingang"]).exists()  # not reviewed


def test_shigan_index_for_units_and_leaders_sums_to_the_score(session, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    leader = personas["leader"]
    for name, plan_wan, ytd in (("伊山食品产业园项目", "1200", "600"), ("杨集纺织项目", "1200", "1200")):
        p = Project.objects.create(
            name=name, org_unit=orgunits[YISHAN], total_investment_wan=D(50000), leader=leader
        )
        ProjectYear.objects.create(
            project=p, year=2025, is_key=True, key_level="county", planned_investment_wan=D(plan_wan)
        )
        MonthlyReport.objects.create(project=p, year=2025, month=9, ytd_wan=D(ytd), status="approved")
    rebuild_derived()
    units = scoring.unit_index([orgunits[YISHAN], orgunits[YANGJI]], year=2025, month=9)
    for row in units:
        assert row.score == sum(c.points for c in row.composite.contributions)
    yishan = next(r for r in units if r.key == YISHAN)
    projects = next(c for c in yishan.composite.contributions if c.part.key == "projects")
    # 1800万元 done of 2400 × 9/12 = 1800 to date → 100
    assert projects.part.score == D(100) and "重点项目2个" in projects.part.detail
    [row] = scoring.leader_index(year=2025, month=9)
    assert row.user_id == leader.pk and "县长" in row.label
    # 600 of 900 → 66.67; 1200 of 900 → 100 (capped); each 30 of 60
    assert [c.points for c in row.composite.contributions] == [D("33.33"), D("50.00")]
    assert row.score == D("83.33")
