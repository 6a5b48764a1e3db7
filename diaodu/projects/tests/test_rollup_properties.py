"""A project's rollup contributions (rollups.contributions, summed) give every metric behind a plan indicator
exactly as the direct computation does (metrics.METRICS[*].compute over the projects' rows), and the cockpit's
figures (funnel, key plans, projects behind 序时计划) as the domain rules give them, on small random
worlds: signings of every kind across years and months, stage events out of order, after the year, suspended
and terminated, projects with and without a plan for the year, approved reports in any months. Pure: no
database (the worlds are built as :class:`metrics.ProjectData`, as ``metrics.load`` gives them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diaodu.projects import domain, metrics, rollups
from diaodu.projects.domain import Stage

YEAR = 2025
AMOUNTS = [
    Decimal(a) for a in ("800", "9999.99", "10000", "60000", "100000", "499999.99", "500000", "1000000")
]

MONTH_ENDS = [domain.month_end(y, m) for y in (YEAR - 1, YEAR, YEAR + 1) for m in range(1, 13)]
dates = st.dates(dt.date(YEAR - 1, 1, 1), dt.date(YEAR + 1, 12, 31)) | st.sampled_from(MONTH_ENDS)
project = st.fixed_dictionaries(
    {
        "total": st.sampled_from(AMOUNTS),
        "category": st.sampled_from([domain.Category.INDUSTRY, domain.Category.OTHER]),
        "chain": st.sampled_from([domain.Chain.FOOD, domain.Chain.OTHER]),
        "year": st.none()
        | st.fixed_dictionaries(
            {
                "is_key": st.booleans(),
                "key_level": st.sampled_from(list(domain.Level)),
                "is_new": st.booleans(),
                "planned_investment_wan": st.sampled_from([Decimal(0), Decimal("1200"), Decimal("12000.50")]),
                "planned_start_quarter": st.none() | st.integers(1, 4),
            }
        ),
        "events": st.lists(st.tuples(st.sampled_from(list(Stage)), dates), max_size=5),
        "signings": st.lists(
            st.tuples(st.sampled_from(list(domain.SigningKind)), dates, st.sampled_from(AMOUNTS)), max_size=4
        ),
        "ytd": st.lists(
            st.tuples(st.integers(1, 12), st.sampled_from([Decimal(0), Decimal(300), Decimal(7000)])),
            max_size=4,
            unique_by=lambda p: p[0],
        ),
    }
)


def world(projects: list[dict[str, Any]], through_month: int) -> metrics.ProjectData:
    """What ``metrics.load(YEAR, through_month)`` returns for these projects (only facts up to that month's end)."""
    end = domain.month_end(YEAR, through_month)
    data = metrics.ProjectData(YEAR, through_month)
    for pid, p in enumerate(projects, start=1):
        data.base[pid] = {
            "id": pid, "total_investment_wan": p["total"], "chain": p["chain"], "category": p["category"],
            "recognised_on": None, "org_unit_id": 1 + pid % 2, "path": f"/9/{1 + pid % 2}/",
        }  # fmt: skip
        if p["year"] is not None:
            data.years[pid] = {"project_id": pid, **p["year"]}
        for stage, on in p["events"]:
            if on <= end:
                data.events[pid].append((str(stage), on))
        for kind, on, amount in p["signings"]:
            if on <= end:
                data.signings.append(domain.Signing(pid, on, kind, amount, p["chain"]))
        for month, ytd in sorted(p["ytd"]):
            if month <= through_month:
                data.ytd[pid].append((month, ytd))
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(project, min_size=1, max_size=6))
def test_the_summed_contributions_give_every_metric_as_the_direct_computation(
    projects: list[dict[str, Any]],
) -> None:
    full = world(projects, 12)
    per_project = rollups.contributions(full, YEAR)
    for m in rollups.MONTHS:
        total = rollups.zero()
        for months in per_project.values():
            rollups.add_into(total, months[m])
        row = dict(zip(rollups.FIELDS, total, strict=True))
        # the direct path as indicator_series_direct runs it: loaded through December, and through the month
        for data in (full, world(projects, m)):
            rows = data.rows(m)
            for key, metric in metrics.METRICS.items():
                assert metric.from_rollup(row) == metric.compute(data, rows, m), (key, m)
            assert cockpit_figures(rows.values(), m) == {k: row[k] for k in cockpit_figures([], m)}, m


def cockpit_figures(rows: Any, month: int) -> dict[str, Any]:
    """The cockpit's project figures of ``month`` straight from the rows (what overview.py read before the rollups)."""
    rows = list(rows)
    on = domain.month_end(YEAR, month)
    key = [r for r in rows if r.is_key]
    planned = [r for r in key if r.annual_plan_wan > 0]
    return {
        "projects": len(rows),
        **{f"reached_{s}": sum(1 for r in rows if r.reached_by(s, on)) for s in domain.PIPELINE[1:]},
        "key_plan_wan": sum((r.annual_plan_wan for r in key), Decimal(0)),
        "key_planned_count": len(planned),
        "key_planned_ytd_wan": sum((r.ytd_wan for r in planned), Decimal(0)),
        "key_behind": sum(1 for r in key if domain.behind_schedule(r.ytd_wan, r.annual_plan_wan, month)),
    }
