"""The write-time project rollups (rollups.py): every service keeps them equal to a fresh computation, reads
give the same series as the direct computation, drift is reported and repaired, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diaodu.orgunits.models import OrgUnit
from diaodu.projects import demo, domain, metrics, rollups, services
from diaodu.projects.models import ProjectRollup

pytestmark = pytest.mark.django_db
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "guanyun-2025.yaml"
SEPT = dt.date(2025, 9, 30)


def subtree(unit: Any, month: int, year: int = 2025) -> dict[str, Any]:
    row = ProjectRollup.objects.filter(org_unit=unit, year=year, month=month, subtree=True).values().first()
    return dict(row) if row else {}


def assert_exact() -> None:
    assert rollups.check() == []


def all_requests(units: list[OrgUnit]) -> dict[tuple[int, int], tuple[str, str]]:
    out = {}
    for i, (key, metric) in enumerate(metrics.METRICS.items()):
        unit = {"万元": "亿元", "fraction": "%"}.get(metric.unit, "个")
        for u in units:
            out[(i, u.pk)] = (key, unit)
    return out


def test_the_demo_rollups_equal_the_direct_computation(personas) -> None:  # type: ignore[no-untyped-def]
    call_command("plan", "load", str(PLAN_FILE), stdout=io.StringIO(), stderr=io.StringIO())
    demo.load_demo_projects(users=personas, through_month=9)
    assert_exact()
    units = list(OrgUnit.objects.all())
    requests = all_requests(units)
    paths = {u.pk: u.path for u in units}
    for month in (3, 9, 12):
        fast = metrics.indicator_series(requests, paths, year=2025, through_month=month)
        slow = metrics.indicator_series_direct(requests, paths, year=2025, through_month=month)
        assert fast == slow
    county = OrgUnit.objects.get(code="320723")
    # The speech's figures (test_metrics.py checks them through the direct path): 100 key projects, 426.4亿.
    assert (subtree(county, 9)["key_count"], subtree(county, 9)["key_total_wan"]) == (100, D(4_264_200))
    assert sum(1 for series in fast.values() if series) > len(metrics.METRICS)  # not all empty


def test_every_project_service_keeps_the_rollups_exact(  # type: ignore[no-untyped-def]
    started_project, personas, orgunits
) -> None:
    officer, fgw = personas["yishan"], personas["fgw"]
    county, town = orgunits["320723"], orgunits["320723-T02"]
    assert_exact()
    assert subtree(county, 1)["new_key_started"] == 1 and subtree(county, 1)["key_ytd_wan"] == 0

    jan = services.save_report(
        actor=officer, project=started_project, year=2025, month=1, ytd_wan=D(800), today=SEPT
    )
    services.submit_report(jan, actor=officer)
    assert subtree(county, 1)["key_ytd_wan"] == 0  # submitted is not counted
    services.approve_report(jan, actor=fgw)
    assert_exact()
    assert [subtree(county, m)["key_ytd_wan"] for m in (1, 6, 12)] == [D(800)] * 3
    assert subtree(town, 1)["county_key_ytd_wan"] == D(800)

    services.reopen_report(jan, actor=fgw, reason="核实数据")
    assert_exact()
    assert subtree(county, 1)["key_ytd_wan"] == 0

    services.set_project_year(started_project, actor=fgw, year=2025, key_level=domain.Level.CITY)
    assert_exact()
    assert (subtree(county, 1)["city_key_count"], subtree(county, 1)["county_key_count"]) == (1, 0)

    services.record_signing(
        started_project, actor=officer, on=dt.date(2025, 3, 2), amount_wan=D(60_000),
        kind=domain.SigningKind.CAPITAL_INCREASE, today=SEPT,
    )  # fmt: skip
    assert_exact()
    assert (subtree(county, 2)["signed_ge_1yi"], subtree(county, 3)["signed_ge_1yi"]) == (0, 1)

    services.record_stage(
        started_project, actor=officer, stage=domain.Stage.COMPLETED, on=dt.date(2025, 6, 1)
    )
    assert_exact()
    assert subtree(county, 6)["reached_completed"] == 1 and subtree(county, 5)["reached_completed"] == 0

    services.update_project(started_project, actor=personas["county"], total_investment_wan=D(8_000))
    assert_exact()
    assert subtree(county, 1)["city_key_total_wan"] == D(8_000)

    other = orgunits["320723-T03"]  # 杨集镇: the move takes the project's figures from 伊山 to 杨集
    services.update_project(started_project, actor=personas["county"], org_unit=other)
    assert_exact()
    assert subtree(town, 1).get("projects", 0) == 0 and subtree(other, 1)["projects"] == 1
    assert subtree(county, 1)["projects"] == 1


def test_drift_is_reported_and_rebuilt(started_project) -> None:  # type: ignore[no-untyped-def]
    row = ProjectRollup.objects.filter(subtree=True, month=4).first()
    assert row is not None
    ProjectRollup.objects.filter(pk=row.pk).update(key_count=row.key_count + 5)
    problems = rollups.check()
    assert len(problems) == 1 and "4月" in problems[0] and "key_count" in problems[0]
    err = io.StringIO()
    with pytest.raises(CommandError, match="不一致：1 处"):
        call_command("projects", "rollups", "--check", stdout=io.StringIO(), stderr=err)
    assert "key_count" in err.getvalue()
    out = io.StringIO()
    call_command("projects", "rollups", "--rebuild", stdout=out)
    assert "已重建" in out.getvalue()
    call_command("projects", "rollups", "--check", stdout=out)
    assert "一致" in out.getvalue()
    assert_exact()


def test_a_unit_without_projects_has_no_data_not_zero(started_project, orgunits) -> None:  # type: ignore[no-untyped-def]
    empty, town = orgunits["320723-T03"], orgunits["320723-T02"]
    requests = {(1, empty.pk): ("key_projects_count", "个"), (1, town.pk): ("key_projects_count", "个")}
    series = metrics.indicator_series(requests, year=2025, through_month=3)
    assert series[(1, empty.pk)] == []
    assert series[(1, town.pk)] == [(1, D(1)), (2, D(1)), (3, D(1))]


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_below_one_county_add_up(orgunits, personas, make_project) -> None:  # type: ignore[no-untyped-def]
    """Two reviewers approve reports of two towns at the same moment (own threads, own connections): both
    deltas reach the county's row (``value = value + delta`` under the row lock), nothing is lost."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent writers need PostgreSQL (the SQLite test database is one in-memory connection)"
        )
    officers = {"320723-T02": personas["yishan"], "320723-T03": personas["yangji"]}
    reports: dict[tuple[str, int], Any] = {}
    for month in (1, 2, 3):
        for code, officer in officers.items():
            if month == 1:
                p = make_project(unit=code, officer=officer.username, name=f"{code}并发测试项目")
                services.set_project_year(
                    p, actor=personas["fgw"], year=2025, is_key=True, key_level=domain.Level.COUNTY,
                    planned_investment_wan=D(12_000),
                )  # fmt: skip
            project = p if month == 1 else reports[(code, 1)].project
            r = services.save_report(
                actor=officer, project=project, year=2025, month=month, ytd_wan=D(1000 * month), today=SEPT
            )
            reports[(code, month)] = services.submit_report(r, actor=officer)

    def approve(barrier: threading.Barrier, errors: list[BaseException], code: str, month: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.approve_report(reports[(code, month)], actor=personas["fgw"])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    for month in (1, 2, 3):
        barrier, errors = threading.Barrier(2), []  # type: ignore[var-annotated]
        threads = [threading.Thread(target=approve, args=(barrier, errors, code, month)) for code in officers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
    assert_exact()
    assert subtree(orgunits["320723"], 3)["key_ytd_wan"] == D(6000)
