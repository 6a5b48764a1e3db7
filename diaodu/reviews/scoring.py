"""Feed the review scoring and 实干指数 rules (:mod:`diaodu.reviews.domain`) from the database.

Objective parts, per unit and its whole subtree, as of a month:

* 目标完成 (targets): mean points of the targets' lights (green 100, yellow 60, red 0; grey targets are not
  judged), as stored by :mod:`diaodu.plans.lights` from :func:`diaodu.plans.evaluation.evaluate_targets`;
* 项目推进 (projects): approved investment of the year's key projects ÷ their pro-rata annual plan, capped at 100;
* 重点任务 (tasks): mean points of the key tasks' lights (:mod:`diaodu.supervision.reports`);
* 督办时效 (supervision): the 按期办结率 of the items the units lead (:func:`diaodu.supervision.domain.timeliness`).

A quarterly review adds the observation part (trimmed mean of the raters' scores) and weighs the parts with the
session's scheme. The unit 实干指数 weighs targets 40, projects 30, tasks 20, supervision 10. The leaders'
实干指数 (依事依项目) is built item by item from the key projects a leader is 挂钩领导 of (60 in all) and the
key tasks they lead (40 in all); the leader of a task is the 责任领导 account of its 督办 item when there is one,
else the post written in the plan file. Parts that do not apply are re-weighted over the others and every
breakdown sums exactly to its score (:func:`diaodu.reviews.domain.composite`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Target, TargetLight
from diaodu.projects import domain as project_domain
from diaodu.projects import metrics as project_metrics
from diaodu.projects import rollups as project_rollups
from diaodu.projects.models import Project
from diaodu.reviews import domain
from diaodu.reviews.domain import Part
from diaodu.supervision import domain as sv_domain
from diaodu.supervision.models import KeyTask, SupervisionItem
from diaodu.supervision.reports import key_task_rows

LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "暂无数据"}
UNIT_WEIGHTS = {
    "targets": Decimal(40),
    "projects": Decimal(30),
    "tasks": Decimal(20),
    "supervision": Decimal(10),
}
LEADER_PROJECT_WEIGHT = Decimal(60)
LEADER_TASK_WEIGHT = Decimal(40)
PART_LABELS = {
    "targets": "目标完成",
    "projects": "项目推进",
    "tasks": "重点任务",
    "supervision": "督办时效",
    "observation": "现场观摩",
}


@dataclass
class UnitFacts:
    lights: list[str] = field(default_factory=list)
    plan_to_date_wan: Decimal = Decimal(0)
    done_wan: Decimal = Decimal(0)
    key_projects: int = 0
    task_lights: list[str] = field(default_factory=list)
    timeliness: sv_domain.Timeliness | None = None

    def part(self, key: str, weight: Decimal) -> Part:
        if key == "targets":
            counts = {s: self.lights.count(s) for s in ("green", "yellow", "red")}
            detail = "绿{green} 黄{yellow} 红{red}".format(**counts)
            return Part(key, PART_LABELS[key], domain.light_score(self.lights), weight, detail)
        if key == "projects":
            detail = (
                f"重点项目{self.key_projects}个，完成投资{_wan(self.done_wan)}万元／序时计划{_wan(self.plan_to_date_wan)}万元"
                if self.key_projects
                else "无重点项目"
            )
            return Part(
                key,
                PART_LABELS[key],
                domain.ratio_score(self.done_wan, self.plan_to_date_wan),
                weight,
                detail,
            )
        if key == "tasks":
            counts = {s: self.task_lights.count(s) for s in ("green", "yellow", "red")}
            detail = "绿{green} 黄{yellow} 红{red}".format(**counts) if self.task_lights else "无牵头任务"
            return Part(key, PART_LABELS[key], domain.light_score(self.task_lights), weight, detail)
        if key == "supervision":
            t = self.timeliness
            pct = t.on_time_closure_pct if t else None
            detail = f"到期{t.due}件，按期办结{t.completed_on_time}件" if t and t.due else "无到期督办件"
            return Part(key, PART_LABELS[key], pct, weight, detail)
        raise KeyError(key)


def _wan(d: Decimal) -> str:
    return format(d.quantize(Decimal(1)), "f")


def _under(path: str, unit: OrgUnit) -> bool:
    return path.startswith(unit.path)


def unit_facts(
    units: Sequence[OrgUnit], *, year: int, month: int, supervision: bool = True
) -> dict[int, UnitFacts]:
    """The objective facts of each unit's subtree as of the end of ``month`` (a constant number of queries).

    ``supervision=False`` leaves out the key tasks and 督办 items (the cockpit's columns do not show them)."""
    out = {u.pk: UnitFacts() for u in units}
    if not units:
        return out
    subtree = Q()
    for u in units:
        subtree |= Q(org_unit__path__startswith=u.path)
    on = project_domain.month_end(year, month)

    # Lights and project figures come from the write-time tables (plans/lights.py, projects/rollups.py): one
    # grouped query each, whatever the number of targets and projects below the units.
    for path, status, n in (
        TargetLight.objects.filter(
            month=month, target__in=Target.objects.filter(subtree, year=year).values("pk")
        )
        .values_list("target__org_unit__path", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        for u in units:
            if path.startswith(u.path):
                out[u.pk].lights.extend([status] * n)

    rows = project_rollups.subtree_rows([u.pk for u in units], year=year, through_month=month)
    for u in units:
        row = rows.get(u.pk, {}).get(month)
        if row is not None and row["key_planned_count"]:
            f = out[u.pk]
            f.key_projects = row["key_planned_count"]
            f.done_wan = Decimal(row["key_planned_ytd_wan"])
            f.plan_to_date_wan = Decimal(row["key_plan_wan"]) * month / 12

    if not supervision:
        return out
    owner_subtree = Q()
    for u in units:
        owner_subtree |= Q(owner__path__startswith=u.path)
    for t in key_task_rows(KeyTask.objects.filter(owner_subtree, plan__year=year), as_of=on):
        for u in units:
            if _under(t.task.owner.path, u):
                out[u.pk].task_lights.append(str(t.light))

    lead_subtree = Q()
    for u in units:
        lead_subtree |= Q(lead_unit__path__startswith=u.path)
    items = list(
        SupervisionItem.objects.filter(lead_subtree, assigned_on__year=year).select_related("lead_unit")
    )
    for u in units:
        facts = [
            sv_domain.ItemFacts(
                unit=str(u.pk),
                assigned_on=i.assigned_on,
                sign_due=i.sign_due,
                signed_on=i.signed_on,
                deadline=i.deadline,
                completed_on=i.completed_on,
            )
            for i in items
            if i.lead_unit is not None and i.assigned_on is not None and _under(i.lead_unit.path, u)
        ]
        if facts:
            out[u.pk].timeliness = sv_domain.timeliness(facts, start=dt.date(year, 1, 1), end=on).get(
                str(u.pk)
            )
    return out


@dataclass(frozen=True)
class ScoreRow:
    key: str
    label: str
    composite: domain.Composite
    rank: int | None = None
    tied: bool = False
    org_unit: OrgUnit | None = None
    user_id: int | None = None

    @property
    def score(self) -> Decimal | None:
        return self.composite.score


def ranked(rows: Iterable[ScoreRow]) -> list[ScoreRow]:
    rows = list(rows)
    by_key = {r.key: r for r in rows}
    return [
        ScoreRow(r.key, r.label, r.composite, e.rank, e.tied, r.org_unit, r.user_id)
        for e in domain.rank({r.key: r.score for r in rows})
        for r in [by_key[e.key]]
    ]


def unit_index(units: Sequence[OrgUnit], *, year: int, month: int) -> list[ScoreRow]:
    """实干指数 of each unit, ranked, with its breakdown."""
    facts = unit_facts(units, year=year, month=month)
    rows = [
        ScoreRow(
            u.code,
            u.name,
            domain.composite([facts[u.pk].part(k, w) for k, w in UNIT_WEIGHTS.items()]),
            org_unit=u,
        )
        for u in units
    ]
    return ranked(rows)


def _project_part(name: str, row: project_domain.ProjectRow, month: int) -> Part:
    needed = row.annual_plan_wan * month / 12
    score = domain.ratio_score(row.ytd_wan, needed)
    detail = f"完成投资{_wan(row.ytd_wan)}万元／序时计划{_wan(needed)}万元"
    return Part(f"project:{row.id}", f"项目：{name}", score, Decimal(1), detail)


def leader_index(*, year: int, month: int) -> list[ScoreRow]:
    """实干指数 of the leaders in charge (依事依项目), ranked; each project and task is a line of the breakdown."""
    on = project_domain.month_end(year, month)
    items: dict[str, list[Part]] = defaultdict(list)
    labels: dict[str, str] = {}
    users: dict[str, int] = {}

    projects = Project.objects.filter(
        leader__isnull=False, years__year=year, years__is_key=True
    ).select_related("leader")
    names = {p.pk: p.name for p in projects}
    leaders = {p.pk: p.leader for p in projects}
    if names:
        data = project_metrics.load(year, month, Project.objects.filter(pk__in=names))
        for pid, row in sorted(data.rows(month).items()):
            leader: Any = leaders[pid]
            key = f"user:{leader.pk}"
            labels[key] = leader.display_name + (f"（{leader.title}）" if leader.title else "")
            users[key] = leader.pk
            if row.annual_plan_wan > 0:
                items[key].append(_project_part(names[pid], row, month))

    task_leader = {
        tid: user
        for tid, user in SupervisionItem.objects.filter(key_task__plan__year=year, leader_user__isnull=False)
        .order_by("pk")
        .values_list("key_task_id", "leader_user")
    }
    from diaodu.accounts.models import User

    accounts = {u.pk: u for u in User.objects.filter(pk__in=set(task_leader.values()))}
    for t in key_task_rows(KeyTask.objects.filter(plan__year=year), as_of=on):
        uid = task_leader.get(t.task.pk)
        if uid is not None and uid in accounts:
            key = f"user:{uid}"
            u = accounts[uid]
            labels[key] = u.display_name + (f"（{u.title}）" if u.title else "")
            users[key] = uid
        else:
            key = f"post:{t.task.leader}"
            labels[key] = t.task.leader
        score = domain.LIGHT_POINTS.get(str(t.light))
        items[key].append(
            Part(
                f"task:{t.task.pk}",
                f"任务：{t.task.title}",
                score,
                Decimal(1),
                LIGHT_LABELS.get(str(t.light), ""),
            )
        )

    rows = []
    for key, parts in items.items():
        n_projects = sum(1 for p in parts if p.key.startswith("project:"))
        n_tasks = len(parts) - n_projects
        weighted = [
            Part(
                p.key,
                p.label,
                p.score,
                LEADER_PROJECT_WEIGHT / n_projects
                if p.key.startswith("project:")
                else LEADER_TASK_WEIGHT / n_tasks,
                p.detail,
            )
            for p in parts
        ]
        rows.append(ScoreRow(key, labels[key], domain.composite(weighted), user_id=users.get(key)))
    return ranked(rows)


# ----------------------------------------------------------------------------- quarterly review sessions


def observation_parts(session: Any) -> dict[int, tuple[Part, domain.TrimmedMean]]:
    """The observation part of each reviewed unit: trimmed mean of the raters' scores."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for unit_id, score in session.scores.values_list("org_unit_id", "score"):
        scores[unit_id].append(score)
    weight = session.scheme.weight_observation
    out = {}
    for unit_id, values in scores.items():
        t = domain.trimmed_mean(values, min_raters=session.scheme.min_raters_for_trimming)
        detail = f"评委{len(values)}人" + (
            f"，去掉最高分{_score(t.dropped[0])}、最低分{_score(t.dropped[1])}" if t.trimmed else ""
        )
        out[unit_id] = (Part("observation", PART_LABELS["observation"], t.value, weight, detail), t)
    return out


def _score(d: Decimal) -> str:
    return format(d.normalize(), "f")


def compute_session(session: Any) -> list[ScoreRow]:
    """Live results of a session (objective parts as of the quarter's last month, plus the observation)."""
    units = sorted(session.units.all(), key=lambda u: u.path)
    facts = unit_facts(units, year=session.year, month=session.as_of_month)
    weights = session.scheme.weights()
    observed = observation_parts(session)
    rows = []
    for u in units:
        parts = [facts[u.pk].part(k, weights[k]) for k in ("targets", "projects", "supervision")]
        obs = observed.get(u.pk)
        parts.append(
            obs[0]
            if obs
            else Part("observation", PART_LABELS["observation"], None, weights["observation"], "尚无评分")
        )
        rows.append(ScoreRow(u.code, u.name, domain.composite(parts), org_unit=u))
    return ranked(rows)


def breakdown_json(row: ScoreRow) -> list[dict[str, Any]]:
    return [
        {
            "key": c.part.key,
            "label": c.part.label,
            "score": None if c.part.score is None else str(c.part.score.quantize(Decimal("0.01"))),
            "weight": str(c.part.weight),
            "effective_weight": str(c.effective_weight.quantize(Decimal("0.0001"))),
            "points": str(c.points),
            "detail": c.part.detail,
        }
        for c in row.composite.contributions
    ]


@dataclass(frozen=True)
class ResultRow:
    """A row of a session's result table (live for a draft, frozen for a published session)."""

    org_unit: OrgUnit
    total: Decimal | None
    rank: int | None
    tied: bool
    breakdown: list[dict[str, Any]]


def session_rows(session: Any) -> list[ResultRow]:
    if session.is_published:
        return [
            ResultRow(r.org_unit, r.total, r.rank, r.tied, r.breakdown)
            for r in session.results.select_related("org_unit").order_by("rank", "org_unit__path")
        ]
    return [
        ResultRow(r.org_unit, r.score, r.rank, r.tied, breakdown_json(r))  # type: ignore[arg-type]
        for r in compute_session(session)
    ]
