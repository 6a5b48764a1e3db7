"""The cockpit's overview of a unit and month: main-target cards (with the year-end forecast), the key-project
funnel and investment plan vs actual by month, the zones and towns side by side, and the "behind" list.

Nothing is decided here: lights and 时序进度 come from :func:`diaodu.plans.evaluation.evaluate_targets`, forecasts
from :mod:`diaodu.reviews.forecast`, project figures from :mod:`diaodu.projects.metrics` and task/item lights from
:mod:`diaodu.supervision.reports`. This module picks, groups and formats. A constant number of queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from diaodu.cockpit.board import STATUS_LABELS, BoardRow, fmt_number
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans import domain
from diaodu.plans.evaluation import evaluate_targets, load_series, targets_for_unit
from diaodu.plans.models import Measure, Target
from diaodu.plans.periods import Period
from diaodu.projects import domain as project_domain
from diaodu.projects import metrics as project_metrics
from diaodu.projects.models import Project
from diaodu.reviews.forecast import TargetForecast, forecast_targets
from diaodu.reviews.scoring import unit_facts
from diaodu.supervision.models import KeyTask, SupervisionItem
from diaodu.supervision.reports import is_overdue, key_task_rows

MAIN_SECTION = "主要预期目标"
MAX_CARDS = 12
SIDE_BY_SIDE_KINDS = (OrgUnitKind.ZONE, OrgUnitKind.TOWN, OrgUnitKind.SUBDISTRICT)


@dataclass
class Card:
    row: BoardRow
    growth_text: str
    forecast: TargetForecast | None

    @property
    def forecast_text(self) -> str:
        f = self.forecast
        if f is None or f.projected is None:
            return ""
        if f.basis == "growth":
            return f"{domain.round1(f.projected)}%"
        return f"{fmt_number(f.projected)}{self.row.target.indicator.unit}"


@dataclass
class UnitColumn:
    unit: OrgUnit
    counts: dict[str, int]
    key_projects: int
    completion_text: str
    behind: bool


@dataclass
class BehindItem:
    kind: str  # target / project / task / item
    kind_label: str
    title: str
    unit: str
    detail: str
    url: str


@dataclass
class Overview:
    unit: OrgUnit
    period: Period
    cards: list[Card]
    funnel: dict[str, Any]
    investment: dict[str, Any]
    columns: list[UnitColumn]
    behind: list[BehindItem]
    projects: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0

    # Chart data travels in data-chart attributes (htmx drops <script> elements from swapped content).
    @property
    def funnel_json(self) -> str:
        return json.dumps(self.funnel, ensure_ascii=False)

    @property
    def investment_json(self) -> str:
        return json.dumps(self.investment, ensure_ascii=False)


def _url(name: str, *args: Any, **params: Any) -> str:
    base = reverse(name, args=args)
    return f"{base}?{urlencode(params)}" if params else base


def main_targets(user: Any, unit: OrgUnit, year: int) -> list[Target]:
    own = list(
        Target.objects.visible_to(user)
        .filter(year=year, org_unit=unit)
        .select_related("indicator", "org_unit", "relative_to", "plan")
        .order_by("plan__code", "sort_order", "pk")
    )
    main = [t for t in own if t.section == MAIN_SECTION] or own
    return main[:MAX_CARDS]


def build_cards(user: Any, unit: OrgUnit, period: Period) -> tuple[list[Card], int]:
    targets = main_targets(user, unit, period.year)
    results = evaluate_targets(targets, year=period.year, as_of_month=period.month)
    series = load_series(
        {(t.indicator_id, t.org_unit_id) for t in targets}, year=period.year, as_of_month=period.month
    )
    forecasts = {f.target.pk: f for f in forecast_targets(targets, year=period.year, month=period.month)}
    cards = []
    for r in results:
        t, ev = r.target, r.evaluation
        growth = ""
        if t.indicator.measure == Measure.GROWTH:
            growth = "" if ev.actual is None else f"{domain.round1(ev.actual)}%"
        else:
            obs = {o.month: o for o in series.get((t.indicator_id, t.org_unit_id), ())}.get(
                ev.data_month or 0
            )
            g = domain.observed_growth(obs) if obs is not None else None
            growth = "" if g is None else f"{domain.round1(g)}%"
        cards.append(Card(BoardRow(r), growth, forecasts.get(t.pk)))
    return cards, sum(1 for f in forecasts.values() if f.warning)


def build_projects(
    user: Any, unit: OrgUnit, period: Period
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], list[BehindItem]]:
    qs = Project.objects.visible_to(user).filter(org_unit__path__startswith=unit.path)
    data = project_metrics.load(period.year, period.month, qs)
    rows = data.rows(period.month)
    on = project_domain.month_end(period.year, period.month)
    stages = [s for s in project_domain.PIPELINE]
    funnel: dict[str, Any] = {
        "stages": [project_domain.STAGE_LABELS[s] for s in stages],
        "counts": [sum(1 for r in rows.values() if r.reached_by(s, on)) for s in stages],
        "title": "项目推进漏斗（个）",
    }
    funnel["counts"][0] = len(rows)  # every project in the library has at least been negotiated
    key = {pid: r for pid, r in rows.items() if r.is_key}
    plan_total = sum((r.annual_plan_wan for r in key.values()), Decimal(0))
    months = range(1, 13)
    investment = {
        "months": [f"{m}月" for m in months],
        "planName": "序时计划（亿元）",
        "actualName": "累计完成（亿元）",
        "plan": [fmt_number(plan_total * m / 12 / project_domain.WAN_PER_YI) for m in months],
        "actual": [
            fmt_number(sum((data.ytd_at(pid, m) for pid in key), Decimal(0)) / project_domain.WAN_PER_YI)
            if m <= period.month
            else None
            for m in months
        ],
    }
    names = dict(qs.filter(pk__in=key).values_list("pk", "name"))
    units = dict(qs.filter(pk__in=key).values_list("pk", "org_unit__short_name"))
    listing = []
    behind = []
    for pid, r in sorted(key.items(), key=lambda kv: -kv[1].annual_plan_wan):
        needed = r.annual_plan_wan * period.month / 12
        ok = needed <= 0 or r.ytd_wan >= needed
        pct = "" if r.annual_plan_wan <= 0 else f"{domain.round1(r.ytd_wan * 100 / r.annual_plan_wan)}%"
        url = _url("cockpit:project", pid, month=str(period))
        listing.append(
            {
                "pk": pid,
                "name": names.get(pid, ""),
                "unit": units.get(pid, ""),
                "url": url,
                "plan": fmt_number(r.annual_plan_wan / project_domain.WAN_PER_YI),
                "done": fmt_number(r.ytd_wan / project_domain.WAN_PER_YI),
                "pct": pct,
                "behind": not ok,
            }
        )
        if not ok:
            behind.append(
                BehindItem(
                    "project",
                    "项目",
                    names.get(pid, ""),
                    units.get(pid, ""),
                    f"完成投资{fmt_number(r.ytd_wan, 0)}万元，低于序时计划{fmt_number(needed, 0)}万元",
                    url,
                )
            )
    return funnel, investment, listing, behind


def build_columns(unit: OrgUnit, period: Period) -> list[UnitColumn]:
    children = list(OrgUnit.objects.filter(parent=unit, kind__in=SIDE_BY_SIDE_KINDS).order_by("sort_order"))
    facts = unit_facts(children, year=period.year, month=period.month)
    out = []
    for u in children:
        f = facts[u.pk]
        counts = {s: f.lights.count(s) for s in ("green", "yellow", "red", "grey")}
        pct = "" if f.plan_to_date_wan <= 0 else f"{domain.round1(f.done_wan * 100 / f.plan_to_date_wan)}%"
        out.append(
            UnitColumn(u, counts, f.key_projects, pct, counts["red"] > 0 or f.done_wan < f.plan_to_date_wan)
        )
    return out


def build_behind(user: Any, unit: OrgUnit, period: Period) -> list[BehindItem]:
    out = []
    targets = targets_for_unit(
        Target.objects.visible_to(user).filter(year=period.year), unit.path, include_below=True
    )
    for r in evaluate_targets(
        targets.order_by("plan__code", "sort_order", "pk"), year=period.year, as_of_month=period.month
    ):
        if r.status != domain.Status.RED:
            continue
        row = BoardRow(r)
        t = r.target
        detail = f"{row.actual_text or '—'}，目标{row.target_text}" + (
            f"，{row.points_text}个百分点" if row.points_text else ""
        )
        out.append(
            BehindItem(
                "target",
                "目标",
                t.indicator.name,
                t.org_unit.display_short,
                detail,
                _url("cockpit:indicator", t.indicator.code, unit=t.org_unit.code, month=str(period)),
            )
        )
    on = project_domain.month_end(period.year, period.month)
    tasks = KeyTask.objects.visible_to(user).filter(plan__year=period.year, owner__path__startswith=unit.path)
    for task_row in key_task_rows(tasks, as_of=on):
        if task_row.light == "red":
            out.append(
                BehindItem(
                    "task",
                    "任务",
                    task_row.task.title,
                    task_row.task.owner.display_short,
                    f"期限 {task_row.task.deadline:%Y-%m-%d}",
                    _url("cockpit:home", unit=task_row.task.owner.code, month=str(period)),
                )
            )
    items = (
        SupervisionItem.objects.visible_to(user)
        .open()
        .filter(lead_unit__path__startswith=unit.path)
        .select_related("lead_unit")
        .order_by("deadline", "pk")
    )
    for item in items:
        if is_overdue(item, on) and item.lead_unit is not None:
            out.append(
                BehindItem(
                    "item",
                    "督办",
                    f"{item.number} {item.title}",
                    item.lead_unit.display_short,
                    f"逾期（期限 {item.deadline:%Y-%m-%d}）",
                    _url("cockpit:home", unit=item.lead_unit.code, month=str(period)),
                )
            )
    return out


def build_overview(user: Any, unit: OrgUnit, period: Period) -> Overview:
    cards, warnings = build_cards(user, unit, period)
    funnel, investment, listing, project_behind = build_projects(user, unit, period)
    behind = build_behind(user, unit, period)
    n_targets = sum(1 for b in behind if b.kind == "target")
    behind = behind[:n_targets] + project_behind + behind[n_targets:]
    return Overview(
        unit, period, cards, funnel, investment, build_columns(unit, period), behind, listing, warnings
    )


STATUS_TEXT = {str(k): str(v) for k, v in STATUS_LABELS.items()}
