"""Metrics on the demo data (the speech's figures), the CLI, constant query counts, and plan indicators
computed from projects."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.audit.models import AuditEvent
from diaodu.plans.evaluation import evaluate_targets
from diaodu.plans.models import Indicator, Target
from diaodu.plans.planfile import PlanFileError, parse_plan
from diaodu.projects import demo, domain, metrics, services
from diaodu.projects.models import MonthlyReport, Project, ProjectYear, Signing

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"
SPEECH = {
    "total": D("426.4"),
    "plan": D("224.6"),
    "市级": (D("281.9"), D("157.6")),
    "县级": (D("144.6"), D("67.0")),
}


def run_metrics(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("projects", "metrics", "--year", "2025", "--as-of", "2025-09", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_demo_gives_the_speech_figures_and_feeds_the_plan(personas) -> None:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    stats = demo.load_demo_projects(users=personas, through_month=9)
    assert (stats.key_projects, stats.prereview_failures) == (100, 3)
    assert 200 <= stats.pipeline <= 215
    assert not demo.load_demo_projects(users=personas, through_month=9).created  # idempotent
    before = AuditEvent.objects.count()
    demo.load_demo_projects(users=personas, through_month=9)
    assert AuditEvent.objects.count() == before

    result = run_metrics()
    assert set(result) == {
        "key_projects",
        "start_rate",
        "continuing_on_schedule",
        "signed",
        "conversion_start_rate",
        "recognition_rate",
        "stats_entry_rate",
        "industry_concentration",
    }
    key = result["key_projects"]
    assert set(key) == {
        "count",
        "total_investment_wan",
        "annual_plan_wan",
        "completed_ytd_wan",
        "completion_rate",
        "by_level",
    }
    assert key["count"] == 100
    assert domain.yi(D(key["total_investment_wan"])) == SPEECH["total"]
    assert domain.yi(D(key["annual_plan_wan"])) == SPEECH["plan"]
    for level, count in (("市级", 47), ("县级", 53)):
        lv = key["by_level"][level]
        assert lv["count"] == count
        assert (domain.yi(D(lv["total_investment_wan"])), domain.yi(D(lv["annual_plan_wan"]))) == SPEECH[
            level
        ]
    assert set(result["start_rate"]) == {"new_planned", "new_started", "rate", "q1_target", "q2_target"}
    assert (result["start_rate"]["q1_target"], result["start_rate"]["q2_target"]) == (0.8, 1)
    assert set(result["signed"]) == {"ge_1yi", "ge_10yi", "ge_50yi", "ge_100yi"}
    assert result["signed"]["ge_1yi"] >= 100 and result["signed"]["ge_50yi"] >= 1
    for rate in ("conversion_start_rate", "recognition_rate", "stats_entry_rate", "industry_concentration"):
        assert 0 < result[rate] < 1
    assert 0 < key["completion_rate"] < 1

    named = set(Project.objects.values_list("name", flat=True))
    assert {"嘉澳生物航煤项目", "林源一期项目", "储能电池制造项目", "再生资源循环利用项目"} <= named
    assert Project.objects.get(name="林源一期项目").total_investment_wan == D(300_000)
    assert all(
        n.endswith("（演示）")
        for n in named
        if n not in {s.name for s in demo.NAMED_KEY} | {s[0] for s in demo.NAMED_PIPELINE}
    )
    assert AuditEvent.objects.filter(object_type="projects.monthlyreport", action="approve").count() >= 890

    zone = run_metrics("--unit", "320723-Z01")
    assert 0 < zone["key_projects"]["count"] < 100

    # plan indicators computed from projects: the county key-project targets read the library
    targets = Target.objects.filter(
        key__in=[
            "county-key-projects-count",
            "county-key-projects-total-investment",
            "county-signed-projects-100m",
            "county-new-key-projects-start-q1",
        ]
    )
    results = {r.target.key: r.evaluation for r in evaluate_targets(targets, year=2025, as_of_month=9)}
    assert results["county-key-projects-count"].actual == 100
    assert results["county-key-projects-total-investment"].actual == D(key["total_investment_wan"]) / 10000
    assert results["county-key-projects-total-investment"].status == "green"
    assert results["county-signed-projects-100m"].actual == result["signed"]["ge_1yi"]
    assert results["county-new-key-projects-start-q1"].data_month == 9


def _world(n: int, units: dict[str, Any], officer: Any, reviewer: Any) -> None:
    rows = []
    for i in range(n):
        p = Project(
            name=f"项目{n}-{i}（测试）",
            org_unit=units["320723-T02"],
            total_investment_wan=D(20_000),
            chain=domain.Chain.FOOD,
        )
        year = ProjectYear(
            year=2025,
            is_new=bool(i % 2),
            is_key=True,
            key_level=domain.Level.COUNTY,
            planned_investment_wan=D(8_000),
            planned_start_quarter=1,
        )
        events = [
            (domain.Stage.SIGNED, dt.date(2025, 1, 5), ""),
            (domain.Stage.STARTED, dt.date(2025, 2, 5), ""),
        ]
        rows.append(
            services.ProjectImport(p, [year], events, [Signing(on=dt.date(2025, 1, 5), amount_wan=D(20_000))])
        )
    projects = services.import_projects(rows, actor=officer)
    services.import_approved_reports(
        [services.ReportImport(p, m, D(500 * m)) for p in projects for m in (1, 2, 3)],
        year=2025,
        officer=officer,
        reviewer=reviewer,
    )


def _count_queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        metrics.summary(metrics.load(2025, 9))
    return len(ctx.captured_queries)


def test_metrics_queries_do_not_grow_with_projects(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    _world(3, orgunits, personas["yishan"], personas["fgw"])
    small = _count_queries()
    _world(30, orgunits, personas["yishan"], personas["fgw"])
    large = _count_queries()
    assert small == large <= 5
    result = metrics.summary(metrics.load(2025, 3))
    assert result["key_projects"]["count"] == 33
    assert result["key_projects"]["completed_ytd_wan"] == 33 * 1500
    assert result["start_rate"]["new_planned"] == 16 and result["start_rate"]["rate"] == 1
    assert MonthlyReport.objects.count() == 99


def test_computed_series_queries_do_not_grow(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    def count() -> int:
        requests = {
            (1, orgunits["320723-T02"].pk): ("key_annual_investment_ytd_wan", "亿元"),
            (2, orgunits["320723"].pk): ("new_key_start_rate", "%"),
        }
        paths = {orgunits[c].pk: orgunits[c].path for c in ("320723-T02", "320723")}
        with CaptureQueriesContext(connection) as ctx:
            series = metrics.indicator_series(requests, paths, year=2025, through_month=3)
        assert series[(1, orgunits["320723-T02"].pk)][-1][1] == D(1500) * n / 10000
        assert series[(2, orgunits["320723"].pk)][-1] == (3, D(100))
        return len(ctx.captured_queries)

    n = 2
    _world(2, orgunits, personas["yishan"], personas["fgw"])
    small = count()
    _world(20, orgunits, personas["yishan"], personas["fgw"])
    n = 22
    assert count() == small


def test_conversion_units_are_explicit() -> None:
    assert metrics.convert(D(4_264_200), "万元", "亿元") == D("426.42")
    assert metrics.convert(D("0.8"), "fraction", "%") == D(80)
    assert metrics.convert(D(3), "个", "家") == D(3)
    with pytest.raises(ValueError):
        metrics.convert(D(1), "万元", "%")


PLAN = """\
plan:
  code: t-2025
  title: 测试
  year: 2025
  org_unit: "320723"
indicators:
  - code: signed
    name: 签约项目数
    unit: 个
    measure: count
    computed_from: {key}
targets:
  - key: t1
    indicator: signed
    org_unit: "320723"
    value: 160
    comparator: ">="
    level: stretch
    quote: 签约项目160个以上
"""


def test_plan_file_accepts_computed_from() -> None:
    spec = parse_plan(PLAN.format(key="signed_ge_1yi_count"))
    assert spec.indicators[0].computed_from == "signed_ge_1yi_count"
    with pytest.raises(PlanFileError, match="未知的项目指标“signed_ge_2yi”"):
        parse_plan(PLAN.format(key="signed_ge_2yi"))


def test_plan_load_stores_computed_from(orgunits) -> None:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    assert Indicator.objects.get(code="signed_projects_100m").computed_from == "signed_ge_1yi_count"
    assert (
        Indicator.objects.get(code="key_projects_total_investment").computed_from
        == "key_total_investment_wan"
    )
    assert Indicator.objects.get(code="gdp").computed_from == ""
