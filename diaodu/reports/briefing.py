"""The monthly dispatch briefing (月度调度通报) of one org unit: a plain data structure, ready for a writer.

:func:`build_briefing` reads only what the requesting user may see (``user=None`` is the system: full scope, used
by the CLI) and takes every figure from :func:`diaodu.plans.evaluation.evaluate_targets`,
:mod:`diaodu.projects.metrics` / :mod:`diaodu.projects.domain` and :mod:`diaodu.supervision.reports`. The
cockpit's display helpers (:class:`diaodu.cockpit.board.BoardRow`) format the table cells, so a figure reads the
same on the page and in Word. Ranks and forecasts come from an :class:`Insights` (the peer ranking of the reviews
app when it is installed); without one those clauses and the ranking part are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.db.models import QuerySet
from django.utils import timezone, translation

from diaodu.cockpit.board import STATUS_LABELS, BoardRow
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans import domain
from diaodu.plans.evaluation import TargetResult, evaluate_targets, spec_for, status_counts, targets_for_unit
from diaodu.plans.models import Target
from diaodu.plans.periods import Period
from diaodu.projects import domain as projects_domain
from diaodu.projects import metrics
from diaodu.projects.models import Project
from diaodu.reports import phrases
from diaodu.reports.sentences import (
    KeyProjectFacts,
    RankFact,
    TargetFacts,
    key_project_sentences,
    target_sentence,
)

MAIN_SECTION = "主要预期目标"
LEVEL_ORDER = ("省级", "市级", "县级")
BEHIND_PROJECTS_SHOWN = 15
ISSUER = "调度平台"

_QS = TypeVar("_QS", bound=QuerySet[Any])


# ----------------------------------------------------------------------------- the structure


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Subheading:
    text: str  # "（一）未达进度的目标"


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    note: str = ""


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw (see :mod:`diaodu.reports.charts`): bars per category, or lines over months."""

    kind: str  # "bar" | "line"
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[Decimal | None, ...]], ...]
    unit: str


Block = Paragraph | Subheading | Table | ChartSpec


@dataclass
class Part:
    """A numbered part of the briefing ("一、主要指标完成情况")."""

    heading: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Part:
        self.blocks.extend(blocks)
        return self


@dataclass
class Briefing:
    unit: OrgUnit
    period: Period
    title: str
    issue_line: str  # "（2025年第9期）"
    parts: list[Part]
    annex: list[Table]
    main_sentences: list[str]  # one per main target, in order
    scope_note: str
    generated_at: dt.datetime
    filename_stem: str = ""  # default: briefing-<unit code>-<YYYY-MM>

    @property
    def filename(self) -> str:
        return f"{self.filename_stem or f'briefing-{self.unit.code}-{self.period}'}.docx"

    def text_lines(self) -> list[str]:
        """Every heading and paragraph in reading order (the golden-file test compares this)."""
        lines = [self.title, self.issue_line]
        for i, part in enumerate(self.parts):
            lines.append(f"{chinese_numeral(i + 1)}、{part.heading}")
            for b in part.blocks:
                if isinstance(b, Paragraph | Subheading):
                    lines.append(b.text)
                elif isinstance(b, Table):
                    lines.append(f"[表] {b.title}")
                else:
                    lines.append(f"[图] {b.title}")
        lines.extend(f"[附表] {t.title}" for t in self.annex)
        return lines

    def charts(self) -> list[ChartSpec]:
        return [b for p in self.parts for b in p.blocks if isinstance(b, ChartSpec)]

    def tables(self) -> list[Table]:
        return [b for p in self.parts for b in p.blocks if isinstance(b, Table)] + list(self.annex)


_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1..99 in Chinese numerals as headings use them: 1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return head + "十" + (_NUMERALS[ones - 1] if ones else "")


# ----------------------------------------------------------------------------- ranks and forecasts


class Insights(Protocol):
    """Where the rank ("列全市第3位") and forecast ("预计全年…") clauses come from."""

    def for_targets(
        self, results: Sequence[TargetResult], period: Period
    ) -> dict[int, tuple[RankFact | None, str]]:
        """target id -> (rank or None, forecast clause or "")."""
        ...


class NoInsights:
    """No peer ranking and no forecast: those clauses are simply left out."""

    def for_targets(
        self, results: Sequence[TargetResult], period: Period
    ) -> dict[int, tuple[RankFact | None, str]]:
        return {}


def default_insights() -> Insights:
    from diaodu.reports import insights

    return insights.from_reviews() or NoInsights()


# ----------------------------------------------------------------------------- scope


def scoped(qs: _QS, user: Any | None) -> _QS:
    """``qs`` as ``user`` may read it; ``None`` is the system (the CLI without ``--as``): everything."""
    return qs if user is None else qs.visible_to(user)  # type: ignore[attr-defined]


def unit_for(user: Any | None, code: str) -> OrgUnit | None:
    """The internal unit ``code`` if ``user`` may see it (None otherwise: callers answer 404)."""
    return scoped(OrgUnit.objects.internal(), user).filter(code=code).first()


def subject_for(unit: OrgUnit) -> str:
    """How a sentence names the unit: the county is "全县", any other unit its name."""
    return "全县" if unit.kind == OrgUnitKind.COUNTY else unit.name


# ----------------------------------------------------------------------------- assembly


def month_end(period: Period) -> dt.date:
    return projects_domain.month_end(period.year, period.month)


def target_facts(
    result: TargetResult, subject: str, extra: tuple[RankFact | None, str] | None = None
) -> TargetFacts:
    t = result.target
    rank, forecast = extra or (None, "")
    return TargetFacts(
        subject=subject,
        name=t.indicator.name,
        unit=t.indicator.unit,
        measure=t.indicator.measure,
        direction=t.indicator.direction,
        evaluation=result.evaluation,
        reference=t.relative_to.name if t.relative_to_id and t.relative_to else "",
        deadline_month=spec_for(t).deadline_month,
        rank=rank,
        forecast=forecast,
    )


def _row_cells(row: BoardRow, *, with_unit: bool) -> tuple[str, ...]:
    t = row.target
    cells = (
        t.indicator.name,
        row.target_text + (f"（{row.level_badge}）" if row.level_badge else ""),
        row.actual_text or "—",
        row.completion_text or "—",
        row.points_text or "—",
        row.status_label,
    )
    return (t.org_unit.name, *cells) if with_unit else cells


TARGET_HEADER = ("指标", "目标", "实绩", "完成率", "超欠进度", "状态")


def build_briefing(
    unit: OrgUnit,
    period: Period,
    *,
    user: Any | None = None,
    insights: Insights | None = None,
    today: dt.date | None = None,
) -> Briefing:
    """The briefing of ``unit`` (its own targets and everything below it) for ``period``, limited to ``user``'s
    scope (``None``: the system, full scope)."""
    with translation.override("zh-hans"):
        return _build(unit, period, user=user, insights=insights or default_insights(), today=today)


def _build(
    unit: OrgUnit, period: Period, *, user: Any | None, insights: Insights, today: dt.date | None
) -> Briefing:
    today = today or timezone.localdate()
    as_of = min(month_end(period), today)
    subject = subject_for(unit)
    targets = targets_for_unit(
        scoped(Target.objects.all(), user).filter(year=period.year), unit.path, include_below=True
    ).order_by("plan__year", "plan__code", "sort_order", "pk")
    results = evaluate_targets(targets, year=period.year, as_of_month=period.month)
    own = [r for r in results if r.target.org_unit_id == unit.pk]
    main = [r for r in own if r.target.section == MAIN_SECTION] or own
    extras = insights.for_targets(main, period)

    main_sentences = [target_sentence(target_facts(r, subject, extras.get(r.target.pk))) for r in main]
    projects = scoped(Project.objects.all(), user).filter(org_unit__path__startswith=unit.path)
    data = metrics.load(period.year, period.month, projects)
    parts = [
        _main_part(unit, period, results, main, main_sentences, extras),
        _projects_part(period, data, subject),
        _behind_part(unit, period, user, results, main, data, as_of),
    ]
    ranking = _ranking_part(main, extras)
    if ranking is not None:
        parts.append(ranking)
    annex = [
        Table(
            "附表：各项目标完成情况",
            ("单位", *TARGET_HEADER),
            [_row_cells(BoardRow(r), with_unit=True) for r in results],
            note="完成率 = 实绩 ÷ 目标；超欠进度 = 完成率 − 时序进度（个百分点）。增速类目标不计完成率。",
        )
    ]
    scope_note = "全部数据（系统生成）" if user is None else f"{user.get_username()} 的数据权限范围"
    return Briefing(
        unit=unit,
        period=period,
        title=f"{unit.name}{period.year}年{period.month}月份发展计划调度通报",
        issue_line=f"（{period.year}年第{period.month}期）",
        parts=[p for p in parts if p.blocks],
        annex=annex,
        main_sentences=main_sentences,
        scope_note=scope_note,
        generated_at=timezone.localtime(),
    )


def _main_part(
    unit: OrgUnit,
    period: Period,
    results: Sequence[TargetResult],
    main: Sequence[TargetResult],
    sentences: Sequence[str],
    extras: dict[int, tuple[RankFact | None, str]],
) -> Part:
    part = Part("主要指标完成情况")
    counts = status_counts(results)
    if results:
        summary = "、".join(f"{STATUS_LABELS[s]}{counts[str(s)]}项" for s in domain.Status if counts[str(s)])
        part.add(
            Paragraph(
                f"截至{period.month}月，{unit.name}及所属单位共有年度目标{len(results)}项，其中{summary}。"
            )
        )
    else:
        part.add(Paragraph(f"{unit.name}{period.year}年暂无可见的年度目标。"))
    part.add(*(Paragraph(s) for s in sentences))
    if main:
        with_rank = any(extras.get(r.target.pk, (None, ""))[0] for r in main)
        header = TARGET_HEADER + (("排名",) if with_rank else ())
        rows = []
        for r in main:
            cells = _row_cells(BoardRow(r), with_unit=False)
            if with_rank:
                rank = extras.get(r.target.pk, (None, ""))[0]
                cells = (*cells, phrases.rank_phrase(rank.position, rank.total, area="")[1:] if rank else "—")
            rows.append(cells)
        part.add(Table("主要指标完成情况表", header, rows))
    growth = [
        r
        for r in main
        if r.target.indicator.measure == domain.Measure.GROWTH and r.evaluation.actual is not None
    ]
    if growth:
        part.add(
            ChartSpec(
                kind="bar",
                title="主要指标增速与目标（%）",
                categories=tuple(r.target.indicator.name for r in growth),
                series=(
                    ("累计增速", tuple(r.evaluation.actual for r in growth)),
                    ("目标", tuple(r.evaluation.target for r in growth)),
                ),
                unit="%",
            )
        )
    return part


def _pct(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else fraction * 100


def _projects_part(period: Period, data: metrics.ProjectData, subject: str) -> Part:
    part = Part("重点项目推进情况")
    month = period.month
    rows = data.rows(month)
    key_rows = [r for r in rows.values() if r.is_key]
    summary = projects_domain.key_project_summary(key_rows)
    planned, started, start_rate = projects_domain.start_rate(
        key_rows, projects_domain.month_end(period.year, month)
    )
    cont, cont_ok, cont_rate = projects_domain.continuing_on_schedule(key_rows, month)
    completion = _pct(summary["completion_rate"])  # type: ignore[arg-type]
    facts = KeyProjectFacts(
        subject=subject,
        month=month,
        count=len(key_rows),
        total_investment_wan=summary["total_investment_wan"],  # type: ignore[arg-type]
        annual_plan_wan=summary["annual_plan_wan"],  # type: ignore[arg-type]
        completed_ytd_wan=summary["completed_ytd_wan"],  # type: ignore[arg-type]
        completion_pct=completion,
        points_ahead=None
        if completion is None
        else domain.points_ahead(completion, domain.schedule_pct(month)),
        new_planned=planned,
        new_started=started,
        start_rate_pct=_pct(start_rate),
        continuing=cont,
        continuing_on_schedule=cont_ok,
        continuing_rate_pct=_pct(cont_rate),
    )
    part.add(*(Paragraph(s) for s in key_project_sentences(facts)))
    if not key_rows:
        return part

    by_level: dict[str, list[projects_domain.ProjectRow]] = {}
    for r in key_rows:
        by_level.setdefault(projects_domain.LEVEL_SHORT.get(r.level, "其他"), []).append(r)
    table_rows = []
    levels = sorted(by_level.items(), key=lambda kv: LEVEL_ORDER.index(kv[0]) if kv[0] in LEVEL_ORDER else 9)
    for label, members in [*levels, ("合计", key_rows)]:
        s = projects_domain.key_project_summary(members)
        rate = s["completion_rate"]
        table_rows.append(
            (
                label,
                str(s["count"]),
                _yi(s["total_investment_wan"]),  # type: ignore[arg-type]
                _yi(s["annual_plan_wan"]),  # type: ignore[arg-type]
                _yi(s["completed_ytd_wan"]),  # type: ignore[arg-type]
                f"{projects_domain.pct1(rate)}%" if rate is not None else "—",  # type: ignore[arg-type]
            )
        )
    part.add(
        Table(
            "重点项目投资完成情况表（亿元）",
            ("层级", "项目数", "计划总投资", "年度计划投资", "累计完成投资", "完成率"),
            table_rows,
        )
    )
    plan = summary["annual_plan_wan"]
    assert isinstance(plan, Decimal)
    done_by_month = tuple(
        projects_domain.key_project_summary([r for r in data.rows(m, [r.id for r in key_rows]).values()])[
            "completed_ytd_wan"
        ]
        for m in range(1, month + 1)
    )
    part.add(
        ChartSpec(
            kind="line",
            title="重点项目累计完成投资与序时进度（亿元）",
            categories=tuple(f"{m}月" for m in range(1, month + 1)),
            series=(
                ("累计完成投资", tuple(_to_yi(v) for v in done_by_month)),  # type: ignore[arg-type]
                (
                    "序时进度计划",
                    tuple(
                        plan * domain.schedule_pct(m) / 100 / projects_domain.WAN_PER_YI
                        for m in range(1, month + 1)
                    ),
                ),
            ),
            unit="亿元",
        )
    )
    return part


def _to_yi(wan: Decimal) -> Decimal:
    return wan / projects_domain.WAN_PER_YI


def _yi(wan: Decimal) -> str:
    return phrases.format_number(_to_yi(wan))


def _behind_projects(period: Period, data: metrics.ProjectData) -> Table | None:
    month = period.month
    behind = [
        r
        for r in data.rows(month).values()
        if r.is_key
        and r.annual_plan_wan > 0
        and not projects_domain.on_schedule(r.ytd_wan, r.annual_plan_wan, month)
    ]
    if not behind:
        return None
    schedule = domain.schedule_pct(month)

    def points(r: projects_domain.ProjectRow) -> Decimal:
        rate = projects_domain.rate(r.ytd_wan, r.annual_plan_wan) or Decimal(0)
        return domain.points_ahead(rate * 100, schedule)

    behind.sort(key=lambda r: (points(r), r.id))
    shown = behind[:BEHIND_PROJECTS_SHOWN]
    labels = {
        pk: (name, unit_name)
        for pk, name, unit_name in Project.objects.filter(pk__in=[r.id for r in shown]).values_list(
            "pk", "name", "org_unit__name"
        )
    }
    rows = [
        (
            *labels.get(r.id, ("", "")),
            _yi(r.annual_plan_wan),
            _yi(r.ytd_wan),
            f"{phrases.pct(points(r) + schedule)}%",
            domain.format_points(points(r)),
        )
        for r in shown
    ]
    note = f"共{len(behind)}个重点项目投资未达序时进度" + (
        f"，按欠进度从大到小列前{BEHIND_PROJECTS_SHOWN}个。" if len(behind) > BEHIND_PROJECTS_SHOWN else "。"
    )
    return Table(
        "投资未达序时进度的重点项目（亿元）",
        ("项目名称", "所在单位", "年度计划投资", "累计完成投资", "完成率", "超欠进度"),
        rows,
        note=note,
    )


def _behind_part(
    unit: OrgUnit,
    period: Period,
    user: Any | None,
    results: Sequence[TargetResult],
    main: Sequence[TargetResult],
    data: metrics.ProjectData,
    as_of: dt.date,
) -> Part:
    from diaodu.supervision import reports as supervision
    from diaodu.supervision.models import KeyTask, SupervisionItem

    part = Part("滞后事项")
    red = domain.Status.RED
    main_ids = {r.target.pk for r in main}
    main_red = [r for r in main if r.status == red]
    other_red = [r for r in results if r.status == red and r.target.pk not in main_ids]
    n = iter(range(1, 10))
    if main_red or other_red:
        part.add(Subheading(f"（{chinese_numeral(next(n))}）未达进度的目标"))
        if main_red:
            names = "、".join(r.target.indicator.name for r in main_red)
            part.add(Paragraph(f"主要指标中，{names}{len(main_red)}项未达到目标要求。"))
        part.add(
            *(Paragraph(target_sentence(target_facts(r, subject_for(r.target.org_unit)))) for r in other_red)
        )
    projects = _behind_projects(period, data)
    if projects is not None:
        part.add(
            Subheading(f"（{chinese_numeral(next(n))}）投资滞后的重点项目"),
            Paragraph(projects.note),
            projects,
        )

    items = [
        i
        for i in scoped(SupervisionItem.objects.all(), user)
        .filter(lead_unit__path__startswith=unit.path)
        .select_related("lead_unit")
        .order_by("deadline", "number")
        if supervision.is_overdue(i, as_of)
    ]
    if items:
        part.add(
            Subheading(f"（{chinese_numeral(next(n))}）逾期未办结的督办事项"),
            Paragraph(f"截至{as_of.month}月{as_of.day}日，逾期未办结的督办事项{len(items)}件。"),
            Table(
                "逾期督办事项",
                ("编号", "督办事项", "牵头单位", "办理期限", "逾期天数"),
                [
                    (
                        i.number,
                        i.title,
                        i.lead_unit.name if i.lead_unit else "",
                        _date(i.deadline),
                        str((as_of - i.deadline).days) if i.deadline else "",
                    )
                    for i in items
                ],
            ),
        )
    tasks = [
        row
        for row in supervision.key_task_rows(
            scoped(KeyTask.objects.all(), user).filter(
                plan__year=period.year, owner__path__startswith=unit.path
            ),
            as_of=as_of,
        )
        if row.light == "red"
    ]
    if tasks:
        part.add(
            Subheading(f"（{chinese_numeral(next(n))}）逾期未完成的重点任务"),
            Table(
                "逾期重点任务",
                ("重点任务", "牵头单位", "责任领导", "期限"),
                [
                    (t.task.title, "、".join(t.owner_units), t.task.leader, _date(t.task.deadline))
                    for t in tasks
                ],
            ),
        )
    if not part.blocks:
        part.add(Paragraph("本期无未达进度的目标、投资滞后的重点项目和逾期事项。"))
    return part


def _date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _ranking_part(
    main: Iterable[TargetResult], extras: dict[int, tuple[RankFact | None, str]]
) -> Part | None:
    rows = []
    for r in main:
        rank = extras.get(r.target.pk, (None, ""))[0]
        if rank is None:
            continue
        change = (
            "—"
            if rank.change is None
            else (
                "持平"
                if rank.change == 0
                else (f"上升{rank.change}位" if rank.change > 0 else f"下降{-rank.change}位")
            )
        )
        rows.append(
            (
                r.target.indicator.name,
                BoardRow(r).actual_text or "—",
                phrases.rank_phrase(rank.position, rank.total, area=rank.area),
                f"{rank.position}/{rank.total}",
                change,
            )
        )
    if not rows:
        return None
    return Part("横比排名情况").add(
        Table("主要指标横比排名", ("指标", "实绩", "排名", "位次/总数", "较上月"), rows)
    )
