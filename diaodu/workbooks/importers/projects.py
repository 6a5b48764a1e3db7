"""The project library (项目库) and the monthly dispatch sheet (月度调度表), through the projects app's services.

Projects are matched by 项目代码, else by name within the org unit; codes and 统一社会信用代码 are checked with the
projects domain's rules. Dispatch rows are matched to projects the same way and checked with
:func:`diaodu.projects.domain.report_problems` (negative, below an earlier month, above the project's total, a
×10 month that looks like a 万/亿 slip, a future month) before the bulk service writes them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Q
from django.utils import timezone

from diaodu.projects import domain
from diaodu.projects.models import Blocker, MonthlyReport, Project, ProjectYear
from diaodu.projects.services import create_project, set_project_year, update_project
from diaodu.projects.services.imports import ReportInput, save_reports
from diaodu.workbooks.headers import Column
from diaodu.workbooks.importers.base import (
    Action,
    Importer,
    ImportPlan,
    Problem,
    RawRow,
    RowPlan,
    display,
)
from diaodu.workbooks.lookups import UnitLookup, month_in_title, parse_month
from diaodu.workbooks.read import Value

WAN = "万元"
CODE = Column("code", "项目代码", ("投资项目代码", "代码", "项目编码", "项目统一代码", "备案代码"))
NAME = Column("name", "项目名称", ("名称", "项目", "项目名"), required=True)
UNIT = Column(
    "unit", "所在单位", ("单位", "所在板块", "乡镇", "所在乡镇", "板块", "乡镇园区", "责任单位", "所属单位")
)
TOTAL = Column("total", "总投资", ("计划总投资", "项目总投资", "总投资额"), unit=WAN)
ANNUAL = Column(
    "annual",
    "年度计划投资",
    ("年度计划", "本年计划投资", "年度计划投资额", "年度投资计划", "计划投资"),
    unit=WAN,
)


def _labels(mapping: dict[str, str]) -> dict[str, str]:
    """label or code -> code ("市级重点"/"市级"/"city" -> "city")."""
    out = {}
    for code, label in mapping.items():
        out[label] = code
        out[code] = code
        out[label.replace("重点", "")] = code
    return out


LEVELS = _labels(domain.LEVEL_LABELS)
CATEGORIES = _labels(domain.CATEGORY_LABELS)
CHAINS = _labels(domain.CHAIN_LABELS)


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class _ProjectMatching(Importer):
    """Finding the project a row means, and checking the actor may change it."""

    def _projects(
        self, rows: list[RawRow]
    ) -> tuple[dict[str, Project], dict[tuple[str, int], list[Project]], dict[str, list[Project]]]:
        codes = {display(r.value("code")).strip() for r in rows} - {""}
        names = {display(r.value("name")).strip() for r in rows} - {""}
        qs = Project.objects.filter(Q(code__in=codes) | Q(name__in=names)).select_related("org_unit")
        by_code: dict[str, Project] = {}
        by_name_unit: dict[tuple[str, int], list[Project]] = defaultdict(list)
        by_name: dict[str, list[Project]] = defaultdict(list)
        for p in qs:
            if p.code:
                by_code[p.code] = p
            by_name_unit[(_key(p.name), p.org_unit_id)].append(p)
            by_name[_key(p.name)].append(p)
        return by_code, by_name_unit, by_name

    def _unit(self, row: RawRow, units: UnitLookup, problems: list[Problem], *, required: bool) -> Any:
        text = display(row.value("unit")).strip()
        if not text:
            if self.default_unit is None and required:
                problems.append(
                    row.problem("unit" if row.has("unit") else None, "未填写所在单位，且未指定默认单位")
                )
            return self.default_unit
        found = units.find(text)
        if not found:
            problems.append(row.problem("unit", f"找不到单位“{text}”"))
            return None
        if len(found) > 1:
            problems.append(
                row.problem(
                    "unit", f"单位“{text}”不唯一（{'、'.join(u.name for u in found)}），请填写全称或编码"
                )
            )
            return None
        return found[0]

    def _scope(self, row: RawRow, unit: Any, units: UnitLookup, problems: list[Problem]) -> bool:
        if unit is not None and not units.may_edit(unit):
            key = "unit" if row.value("unit") is not None else ("name" if row.has("name") else None)
            problems.append(row.problem(key, f"无权向“{unit.name}”导入数据（不在您的数据范围内）", unit.name))
            return False
        return True

    def _code(self, row: RawRow, problems: list[Problem]) -> str:
        code = _key(display(row.value("code")))
        if code and not domain.is_valid_project_code(code):
            problems.append(row.problem("code", f"项目代码“{code}”格式不对（应如 2306-320723-89-02-799920）"))
        return code


# ----------------------------------------------------------------------------- projects


class ProjectsImporter(_ProjectMatching):
    kind = "projects"
    title = "项目库"
    with_records = True
    columns: ClassVar = [
        NAME,
        CODE,
        UNIT,
        Column("total", "总投资", TOTAL.variants, required=True, unit=WAN),
        ANNUAL,
        Column("year", "年度", ("计划年度", "年份")),
        Column("investor", "投资方", ("投资主体", "建设单位", "项目单位", "企业名称")),
        Column("credit", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码")),
        Column("level", "项目层级", ("层级", "重点层级", "项目级别")),
        Column("category", "项目类别", ("类别", "项目类型")),
        Column("chain", "产业链", ("所属产业链", "产业方向")),
        Column("content", "建设内容", ("主要建设内容", "建设规模及内容", "建设规模和内容")),
        Column("start", "计划开工", ("计划开工时间", "开工时间", "开工日期")),
        Column("completion", "计划竣工", ("计划竣工时间", "竣工时间", "竣工日期")),
    ]

    def plan_rows(self, rows: list[RawRow], plan: ImportPlan) -> list[RowPlan]:
        units = UnitLookup(self.actor)
        by_code, by_name_unit, _by_name = self._projects(rows)
        year_default = (self.today or timezone.localdate()).year
        years = {
            (y.project_id, y.year): y
            for y in ProjectYear.objects.filter(
                project__in={p.pk for p in by_code.values()}
                | {p.pk for ps in by_name_unit.values() for p in ps}
            )
        }
        seen_codes: dict[str, int] = {}
        seen_names: dict[tuple[str, int], int] = {}
        out = []
        for i, row in enumerate(rows):
            if i % 500 == 0:
                self.progress("check", i, len(rows))
            problems: list[Problem] = []
            name = display(row.value("name")).strip()
            if not name:
                problems.append(row.problem("name", "未填写项目名称"))
            elif len(name) > 120:
                problems.append(row.problem("name", "项目名称超过 120 个字"))
            code = self._code(row, problems)
            credit = _key(display(row.value("credit"))).upper()
            if credit and not domain.is_valid_credit_code(credit):
                problems.append(
                    row.problem("credit", f"统一社会信用代码“{credit}”无效（18位，校验位不符或含非法字符）")
                )
            total = self.amount(row, "total", WAN, problems)
            if total is None and not any(p.column == row.letter("total") for p in problems):
                problems.append(row.problem("total", "未填写总投资"))
            annual = self.amount(row, "annual", WAN, problems)
            if total is not None and annual is not None and annual > total:
                problems.append(
                    row.problem(
                        "annual", f"年度计划投资（{display(annual)}万元）超过总投资（{display(total)}万元）"
                    )
                )
            year = self._year(row, year_default, problems)
            unit = self._unit(row, units, problems, required=True)
            fields = {
                "investor_name": self.text(row, "investor", problems, max_length=120),
                "investor_credit_code": credit,
                "content": self.text(row, "content", problems),
                "level": self._choice(row, "level", LEVELS, problems, domain.Level.NONE),
                "category": self._choice(row, "category", CATEGORIES, problems, domain.Category.INDUSTRY),
                "chain": self._choice(row, "chain", CHAINS, problems, domain.Chain.OTHER),
                "planned_start": self._date(row, "start", problems),
                "planned_completion": self._date(row, "completion", problems),
            }
            if code:
                if code in seen_codes:
                    problems.append(row.problem("code", f"项目代码与第{seen_codes[code]}行重复"))
                seen_codes.setdefault(code, row.number)
            existing = by_code.get(code) if code else None
            if existing is None and unit is not None and name:
                key = (_key(name), unit.pk)
                if key in seen_names and not code:
                    problems.append(row.problem("name", f"与第{seen_names[key]}行是同一单位的同名项目"))
                seen_names.setdefault(key, row.number)
                matches = [p for p in by_name_unit.get(key, []) if not code or not p.code]
                existing = matches[0] if len(matches) == 1 else None
            if (
                existing is not None
                and unit is not None
                and existing.org_unit_id != unit.pk
                and row.value("unit")
            ):
                fields["org_unit"] = unit
            target_unit = existing.org_unit if existing is not None else unit
            self._scope(row, target_unit, units, problems)
            if "org_unit" in fields:
                self._scope(row, unit, units, problems)
            record = {"name": name, "total_investment_wan": _num(total), "annual_plan_wan": _num(annual)}
            label = f"{name}（{target_unit.name}）" if target_unit is not None else name
            if problems:
                out.append(RowPlan(row.number, Action.ERROR, label, problems=problems, record=record))
                continue
            present = {
                k: v for k, v in fields.items() if _column_of(k) is None or row.has(_column_of(k) or "")
            }
            values: dict[str, Any] = {"name": name, "code": code, "total_investment_wan": total, **present}
            plan_row = RowPlan(
                row.number,
                Action.CREATE,
                label,
                values={"values": values, "unit": unit, "year": year, "annual": annual},
                record=record,
            )
            if existing is not None:
                pairs = {k: (getattr(existing, k), v) for k, v in values.items() if k != "code" or v}
                changes = {k: pair for k, pair in pairs.items() if _differs(*pair)}
                y = years.get((existing.pk, year))
                if annual is not None and (y is None or y.planned_investment_wan != annual):
                    changes["annual_plan_wan"] = (y.planned_investment_wan if y else None, annual)
                plan_row.values["project"] = existing
                plan_row.values["changes"] = {k: v[1] for k, v in changes.items() if k != "annual_plan_wan"}
                plan_row.changes = changes
                plan_row.action = Action.UPDATE if changes else Action.UNCHANGED
            out.append(plan_row)
        return out

    def _year(self, row: RawRow, default: int, problems: list[Problem]) -> int:
        raw = row.value("year")
        if raw is None:
            return default
        text = display(raw).strip().rstrip("年")
        if text.isdigit() and 2000 <= int(text) <= 2100:
            return int(text)
        problems.append(row.problem("year", f"“{display(raw)}”不是有效的年度"))
        return default

    def _choice(
        self, row: RawRow, key: str, choices: dict[str, str], problems: list[Problem], default: str
    ) -> str:
        text = _key(display(row.value(key)))
        if not text:
            return default
        if text not in choices:
            allowed = "、".join(sorted({k for k in choices if not k.isascii()}))
            problems.append(row.problem(key, f"“{text}”不是可选的{self._label(key)}（可选：{allowed}）"))
            return default
        return choices[text]

    def _date(self, row: RawRow, key: str, problems: list[Problem]) -> dt.date | None:
        raw = row.value(key)
        if raw is None:
            return None
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        period = parse_month(raw)
        if period is not None:
            return dt.date(period[0], period[1], 1)
        problems.append(row.problem(key, f"“{display(raw)}”不是有效的日期"))
        return None

    def write_row(self, row: RowPlan) -> None:
        v = row.values
        if "project" in v:
            project = v["project"]
            if v["changes"]:
                project = update_project(project, actor=self.actor, **v["changes"])
        else:
            project = create_project(actor=self.actor, org_unit=v["unit"], **v["values"])
        if v["annual"] is not None and (row.action == Action.CREATE or "annual_plan_wan" in row.changes):
            set_project_year(project, actor=self.actor, year=v["year"], planned_investment_wan=v["annual"])


def _column_of(field_name: str) -> str | None:
    return {
        "investor_name": "investor",
        "investor_credit_code": "credit",
        "content": "content",
        "level": "level",
        "category": "category",
        "chain": "chain",
        "planned_start": "start",
        "planned_completion": "completion",
        "org_unit": None,
    }.get(field_name)


def _differs(before: Any, after: Any) -> bool:
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        return before is None or after is None or Decimal(before) != Decimal(after)
    if hasattr(before, "pk") and hasattr(after, "pk"):
        return before.pk != after.pk
    return (before or "") != (after or "")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ----------------------------------------------------------------------------- monthly dispatch


class ProgressImporter(_ProjectMatching):
    kind = "progress"
    title = "月度调度"
    one_of: ClassVar = (("ytd", "month_wan"),)
    columns: ClassVar = [
        NAME,
        CODE,
        UNIT,
        TOTAL,
        ANNUAL,
        Column("month", "月份", ("调度月份", "报告期", "年月", "填报月份")),
        Column("month_wan", "本月完成投资", ("本月完成", "本月", "当月完成投资", "本月投资"), unit=WAN),
        Column(
            "ytd",
            "累计完成投资",
            (
                "累计完成",
                "累计",
                "1-本月累计",
                "本年累计完成投资",
                "年度累计完成投资",
                "今年以来完成投资",
                "累计完成投资额",
            ),
            unit=WAN,
        ),
        Column("progress", "形象进度", ("工程形象进度", "进展情况", "项目进展", "形象进度情况")),
        Column(
            "blockers", "存在问题", ("存在的问题", "需协调问题", "问题及建议", "存在困难和问题", "困难问题")
        ),
        Column("confirm", "确认说明", ("异常确认说明", "情况说明")),
    ]

    def __init__(self, actor: Any, *, month: tuple[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(actor, **kwargs)
        self.month = month

    def plan_rows(self, rows: list[RawRow], plan: ImportPlan) -> list[RowPlan]:
        units = UnitLookup(self.actor)
        by_code, by_name_unit, by_name = self._projects(rows)
        default_month = self.month or (month_in_title(rows[0].header.title) if rows else None)
        today = self.today or timezone.localdate()
        first: list[tuple[RawRow, list[Problem], Project | None, tuple[int, int] | None]] = []
        for i, row in enumerate(rows):
            if i % 1000 == 0:
                self.progress("check", i, len(rows) * 2)
            problems: list[Problem] = []
            project = self._project(row, units, by_code, by_name_unit, by_name, problems)
            period = self._period(row, default_month, problems)
            first.append((row, problems, project, period))
        ids = {p.pk for _r, _pr, p, _pe in first if p is not None}
        years = {pe[0] for _r, _pr, _p, pe in first if pe}
        stored: dict[tuple[int, int], dict[int, MonthlyReport]] = defaultdict(dict)
        for r in MonthlyReport.objects.filter(project_id__in=ids, year__in=years):
            stored[(r.project_id, r.year)][r.month] = r
        before_year = {
            (p, y): v
            for p, y, v in ProjectYear.objects.filter(project_id__in=ids, year__in=years).values_list(
                "project_id", "year", "completed_before_wan"
            )
        }
        blockers: dict[int, list[str]] = defaultdict(list)
        if any(r.has("blockers") for r in rows[:1]):
            for report_id, text in (
                Blocker.objects.filter(report__project_id__in=ids, status="open")
                .order_by("pk")
                .values_list("report_id", "description")
            ):
                blockers[report_id].append(text)
        in_file: dict[tuple[int, int], dict[int, tuple[Decimal, Decimal]]] = defaultdict(dict)
        seen: dict[tuple[int, int, int], int] = {}
        out = []
        for i, (row, problems, project, period) in enumerate(first):
            if i % 1000 == 0:
                self.progress("check", len(rows) + i, len(rows) * 2)
            if project is None or period is None:
                out.append(RowPlan(row.number, Action.ERROR, _label(row, project, period), problems=problems))
                continue
            year, month = period
            key = (project.pk, year, month)
            if key in seen:
                problems.append(row.problem("name", f"与第{seen[key]}行是同一项目同一月份"))
            seen.setdefault(key, row.number)
            months = stored[(project.pk, year)]
            mine = in_file[(project.pk, year)]
            earlier = [m for m in (*months, *mine) if m < month]
            prev_m = max(earlier) if earlier else None
            prev = (
                (
                    mine.get(prev_m)
                    or ((months[prev_m].ytd_wan, months[prev_m].month_wan) if prev_m in months else None)
                )
                if prev_m
                else None
            )
            later = [m for m in months if m > month]
            ytd = self.amount(row, "ytd", WAN, problems)
            month_wan = self.amount(row, "month_wan", WAN, problems, negative_ok=True)
            if ytd is None and month_wan is not None and not problems:
                ytd = (prev[0] if prev else Decimal(0)) + month_wan
            elif ytd is not None and month_wan is not None:
                expected = ytd - (prev[0] if prev else Decimal(0))
                if abs(expected - month_wan) > Decimal("0.01"):
                    problems.append(
                        row.problem(
                            "month_wan",
                            f"本月完成投资 {display(month_wan)} 与累计完成投资不一致"
                            f"（按累计计算应为 {display(expected)}万元）",
                        )
                    )
            elif ytd is None and not problems:
                problems.append(row.problem("ytd" if row.has("ytd") else "month_wan", "未填写累计完成投资"))
            confirm = self.text(row, "confirm", problems, max_length=200)
            progress = self.text(row, "progress", problems)
            blocker_text = self.text(row, "blockers", problems) if row.has("blockers") else None
            if ytd is not None and not problems:
                ctx = domain.ReportContext(
                    today=today,
                    total_investment_wan=project.total_investment_wan,
                    completed_before_wan=before_year.get((project.pk, year), Decimal(0)),
                    previous_ytd_wan=prev[0] if prev else None,
                    previous_month_wan=prev[1] if prev else None,
                    next_ytd_wan=months[min(later)].ytd_wan if later else None,
                )
                found = domain.report_problems(domain.ReportFigures(year, month, ytd, confirm), ctx)
                for field, message in found.items():
                    column = {"ytd_wan": "ytd", "month": "month", "confirm_note": "ytd"}.get(field, "ytd")
                    if column == "ytd" and not row.has("ytd"):
                        column = "month_wan"
                    problems.append(row.problem(column if row.has(column) else None, message))
                if not found:
                    mine[month] = (ytd, ytd - (prev[0] if prev else Decimal(0)))
            label = _label(row, project, period)
            if problems or ytd is None:
                out.append(RowPlan(row.number, Action.ERROR, label, problems=problems))
                continue
            block_items = tuple(b for b in (blocker_text or "").replace("；", "\n").splitlines() if b.strip())
            report = months.get(month)
            value = ReportInput(
                project,
                year,
                month,
                ytd,
                progress=progress,
                confirm_note=confirm,
                blockers=block_items if blocker_text is not None else None,
            )
            plan_row = RowPlan(row.number, Action.CREATE, label, values={"input": value})
            if report is not None:
                changes: dict[str, tuple[Any, Any]] = {}
                if report.ytd_wan != ytd.quantize(Decimal("0.01")):
                    changes["ytd_wan"] = (report.ytd_wan, ytd)
                if (report.progress or "") != progress:
                    changes["progress"] = (report.progress, progress)
                if (report.confirm_note or "") != confirm:
                    changes["confirm_note"] = (report.confirm_note, confirm)
                if blocker_text is not None and blockers.get(report.pk, []) != [
                    b.strip() for b in block_items
                ]:
                    changes["blockers"] = ("；".join(blockers.get(report.pk, [])), "；".join(block_items))
                if not changes:
                    plan_row.action = Action.UNCHANGED
                elif not report.is_editable_state:
                    plan_row.action = Action.ERROR
                    plan_row.problems.append(
                        row.problem(
                            "ytd" if row.has("ytd") else None,
                            f"{project.name} {year}年{month}月的调度数据{report.get_status_display()}，不能通过导入修改",
                        )
                    )
                else:
                    plan_row.action = Action.UPDATE
                    plan_row.changes = changes
            out.append(plan_row)
        return out

    def _project(
        self,
        row: RawRow,
        units: UnitLookup,
        by_code: dict[str, Project],
        by_name_unit: dict[tuple[str, int], list[Project]],
        by_name: dict[str, list[Project]],
        problems: list[Problem],
    ) -> Project | None:
        code = self._code(row, problems)
        name = display(row.value("name")).strip()
        project = None
        if code:
            project = by_code.get(code)
            if project is None and not problems:
                problems.append(row.problem("code", f"找不到项目代码“{code}”"))
        elif name:
            unit = self._unit(row, units, problems, required=False)
            candidates = (
                by_name_unit.get((_key(name), unit.pk), [])
                if unit is not None
                else by_name.get(_key(name), [])
            )
            if len(candidates) == 1:
                project = candidates[0]
            elif len(candidates) > 1:
                problems.append(row.problem("name", f"有多个名为“{name}”的项目，请填写项目代码或所在单位"))
            elif not problems:
                problems.append(
                    row.problem("name", f"找不到项目“{name}”" + (f"（{unit.name}）" if unit else ""))
                )
        else:
            problems.append(row.problem("name", "未填写项目名称或项目代码"))
        if project is not None and not self._scope(row, project.org_unit, units, problems):
            return None
        return project if not problems else None

    def _period(
        self, row: RawRow, default: tuple[int, int] | None, problems: list[Problem]
    ) -> tuple[int, int] | None:
        raw: Value = row.value("month")
        if raw is None:
            if default is None:
                problems.append(
                    row.problem(
                        "month" if row.has("month") else None,
                        "未填写月份（可在标题写明“2025年9月”或指定月份）",
                    )
                )
            return default
        period = parse_month(raw, default_year=default[0] if default else None)
        if period is None:
            problems.append(
                row.problem("month", f"“{display(raw)}”不是有效的月份（应如 2025-09 或 2025年9月）")
            )
        return period

    def write_rows(self, rows: list[RowPlan], plan: ImportPlan) -> None:
        self.progress("write", 0, len(rows))
        save_reports([r.values["input"] for r in rows], actor=self.actor, today=self.today)
        self.progress("write", len(rows), len(rows))

    def write_row(self, row: RowPlan) -> None:
        save_reports([row.values["input"]], actor=self.actor, today=self.today)


def _label(row: RawRow, project: Project | None, period: tuple[int, int] | None) -> str:
    name = project.name if project is not None else display(row.value("name"))
    return f"{name} {period[0]}年{period[1]}月" if period else name
