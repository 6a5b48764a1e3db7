"""Monthly indicator actuals (月度指标实绩): one row per indicator, unit and month, written with ``save_actual``.

Checks, besides the service's own (period not in the future, a value or a growth rate): the unit exists and is in
the actor's scope, the indicator exists and has a target on the unit that year, it is not computed from the
project library, numbers are numbers in the indicator's unit, a year-to-date value does not fall below the previous
month, and is not ten thousand times the previous month or the target (a 万/亿 slip). Rows equal to what is stored
are "unchanged", also for approved months; changing a submitted or approved month is an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from diaodu.plans.models import Accumulation, Actual, Indicator, Measure, Target
from diaodu.plans.services import _check_period, _check_values, save_actual
from diaodu.workbooks.amounts import UNITS, normalise_unit
from diaodu.workbooks.headers import Column
from diaodu.workbooks.importers.base import (
    Action,
    Importer,
    ImportPlan,
    Problem,
    RawRow,
    RowPlan,
    display,
    validation_messages,
)
from diaodu.workbooks.lookups import UnitLookup, month_in_title, parse_month

COLUMNS: list[Column] = [
    Column("unit", "填报单位", ("单位", "单位名称", "所在单位", "乡镇", "板块", "乡镇园区", "单位编码")),
    Column("month", "月份", ("年月", "填报月份", "报告期", "数据月份", "期别", "年份月份")),
    Column("code", "指标编码", ("编码", "指标代码", "代码")),
    Column("name", "指标名称", ("指标", "指标项", "主要指标", "指标名")),
    Column("measure_unit", "计量单位", ("计量单位名称",)),
    Column(
        "ytd",
        "累计值",
        (
            "本月累计",
            "1-本月累计",
            "累计完成",
            "累计数",
            "本年累计",
            "累计",
            "实绩",
            "完成值",
            "累计值按计量单位",
        ),
        required=True,
        unit="*",
    ),
    Column(
        "growth",
        "公布增速",
        ("增速", "累计增速", "同比增长", "同比增速", "增幅", "增长", "公布增速%"),
        unit="%",
    ),
    Column("base", "上年同期", ("上年同期累计", "上年同期值", "去年同期", "上年同期数"), unit="*"),
    Column("note", "数据来源", ("来源", "备注", "说明")),
]

SLIP_FACTOR = Decimal(1000)  # ×10,000 is a 万/亿 slip; ×1,000 already is not a plausible month
MONOTONE_FAMILIES = {"cny", "usd", "mu", "ton", "count", "km2"}


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class ActualsImporter(Importer):
    kind = "actuals"
    title = "月度指标实绩"
    columns: ClassVar = COLUMNS
    one_of: ClassVar = (("code", "name"),)

    def __init__(self, actor: Any, *, month: tuple[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(actor, **kwargs)
        self.month = month

    # ------------------------------------------------------------------ plan

    def plan_rows(self, rows: list[RawRow], plan: ImportPlan) -> list[RowPlan]:
        units = UnitLookup(self.actor)
        indicators = list(Indicator.objects.all())
        by_code = {i.code: i for i in indicators}
        by_name = {_name_key(i.name): i for i in indicators}
        title_month = month_in_title(rows[0].header.title) if rows else None
        default_month = self.month or title_month

        # First pass: who, which indicator, which month (no value checks yet).
        resolved: list[tuple[RawRow, list[Problem], Any, Any, tuple[int, int] | None]] = []
        for i, row in enumerate(rows):
            if i % 500 == 0:
                self.progress("check", i, len(rows))
            problems: list[Problem] = []
            unit = self._unit(row, units, problems)
            indicator = self._indicator(row, by_code, by_name, problems)
            period = self._period(row, default_month, problems)
            resolved.append((row, problems, unit, indicator, period))

        keys = [(i.pk, u.pk, p[0]) for _r, _p, u, i, p in resolved if u and i and p]
        unit_ids = {k[1] for k in keys}
        years = {k[2] for k in keys}
        targets: dict[tuple[int, int, int], list[Target]] = defaultdict(list)
        stored: dict[tuple[int, int, int, int], Actual] = {}
        if keys:
            for t in Target.objects.filter(org_unit_id__in=unit_ids, year__in=years).select_related(
                "indicator"
            ):
                targets[(t.indicator_id, t.org_unit_id, t.year)].append(t)
            for a in Actual.objects.filter(
                org_unit_id__in=unit_ids, year__in=years, indicator_id__in={k[0] for k in keys}
            ):
                stored[(a.indicator_id, a.org_unit_id, a.year, a.month)] = a

        planned: list[RowPlan] = []
        seen: dict[tuple[int, int, int, int], int] = {}
        in_file: dict[tuple[int, int, int, int], Decimal] = {}
        for row, problems, unit, indicator, period in resolved:
            label = " ".join(
                x
                for x in (
                    getattr(unit, "name", ""),
                    getattr(indicator, "name", ""),
                    f"{period[0]}年{period[1]}月" if period else "",
                )
                if x
            )
            if unit is None or indicator is None or period is None:
                planned.append(RowPlan(row.number, Action.ERROR, label, problems=problems))
                continue
            year, month = period
            key = (indicator.pk, unit.pk, year, month)
            if key in seen:
                problems.append(
                    row.problem(
                        "name" if row.has("name") else "code",
                        f"与第{seen[key]}行重复（同一单位、指标和月份）",
                    )
                )
            seen.setdefault(key, row.number)
            if not targets.get((indicator.pk, unit.pk, year)):
                problems.append(
                    row.problem(
                        "name" if row.has("name") else "code",
                        f"{unit.name}在{year}年没有“{indicator.name}”的目标，不能填报",
                    )
                )
            if indicator.computed_from:
                problems.append(
                    row.problem(
                        "name" if row.has("name") else "code",
                        f"“{indicator.name}”由项目库数据计算，不需要填报",
                    )
                )
            values = self._values(row, indicator, problems)
            existing = stored.get(key)
            if values is not None and not problems:
                try:
                    _check_period(year, month, today=self.today)
                    _check_values(indicator, values["ytd_value"], values["growth_pct"], values["base_value"])
                except ValidationError as exc:
                    for field, messages in validation_messages(exc).items():
                        column = {"ytd_value": "ytd", "growth_pct": "growth", "base_value": "base"}.get(
                            field, "month"
                        )
                        for message in messages:
                            problems.append(row.problem(column if row.has(column) else None, message))
            if values is not None and not problems:
                ytd = values["ytd_value"]
                previous = self._previous(key, stored, in_file)
                self._check_series(
                    row, indicator, ytd, previous, targets[(indicator.pk, unit.pk, year)], problems
                )
                if ytd is not None:
                    in_file[key] = ytd
            if problems or values is None:
                planned.append(RowPlan(row.number, Action.ERROR, label, problems=problems))
                continue
            if existing is not None:
                values = self._keep_absent(row, values, existing)
            plan_row = RowPlan(
                row.number,
                Action.CREATE,
                label,
                values={
                    "indicator": indicator,
                    "org_unit": unit,
                    "year": year,
                    "month": month,
                    **values,
                },
            )
            if existing is not None:
                changes = {
                    f: (getattr(existing, f), v) for f, v in values.items() if getattr(existing, f) != v
                }
                if not changes:
                    plan_row.action = Action.UNCHANGED
                elif not existing.is_editable_state:
                    plan_row.action = Action.ERROR
                    plan_row.problems.append(
                        row.problem(
                            "ytd",
                            f"{year}年{month}月的“{indicator.name}”{existing.get_status_display()}，不能通过导入修改",
                        )
                    )
                else:
                    plan_row.action = Action.UPDATE
                    plan_row.changes = changes
                    plan_row.values["expected_version"] = existing.version
            planned.append(plan_row)
        return planned

    def _unit(self, row: RawRow, units: UnitLookup, problems: list[Problem]) -> Any:
        text = display(row.value("unit")).strip()
        if not text:
            if self.default_unit is None:
                problems.append(
                    row.problem("unit" if row.has("unit") else None, "未填写单位，且未指定默认单位")
                )
                return None
            unit = self.default_unit
        else:
            found = units.find(text)
            if not found:
                problems.append(row.problem("unit", f"找不到单位“{text}”"))
                return None
            if len(found) > 1:
                names = "、".join(u.name for u in found)
                problems.append(row.problem("unit", f"单位“{text}”不唯一（{names}），请填写全称或编码"))
                return None
            unit = found[0]
        if not units.may_edit(unit):
            problems.append(
                row.problem(
                    "unit" if text else None,
                    f"无权向“{unit.name}”导入数据（不在您的数据范围内）",
                    text or unit.name,
                )
            )
            return None
        return unit

    def _indicator(
        self,
        row: RawRow,
        by_code: dict[str, Indicator],
        by_name: dict[str, Indicator],
        problems: list[Problem],
    ) -> Indicator | None:
        code = display(row.value("code")).strip()
        name = display(row.value("name")).strip()
        if code:
            found = by_code.get(code)
            if found is None:
                problems.append(row.problem("code", f"找不到指标编码“{code}”"))
            elif (
                name
                and _name_key(name) != _name_key(found.name)
                and by_name.get(_name_key(name)) not in (None, found)
            ):
                problems.append(
                    row.problem("name", f"指标编码“{code}”是“{found.name}”，与指标名称“{name}”不一致")
                )
                return None
            return found
        if name:
            found = by_name.get(_name_key(name))
            if found is None:
                problems.append(row.problem("name", f"找不到指标“{name}”"))
            return found
        problems.append(row.problem("name" if row.has("name") else "code", "未填写指标"))
        return None

    def _period(
        self, row: RawRow, default: tuple[int, int] | None, problems: list[Problem]
    ) -> tuple[int, int] | None:
        raw = row.value("month")
        if raw is None:
            if default is None:
                problems.append(
                    row.problem(
                        "month" if row.has("month") else None,
                        "未填写月份（可在表头写明“2025年9月”或指定月份）",
                    )
                )
            return default
        period = parse_month(raw, default_year=default[0] if default else None)
        if period is None:
            problems.append(
                row.problem("month", f"“{display(raw)}”不是有效的月份（应如 2025-09 或 2025年9月）")
            )
        return period

    def _values(self, row: RawRow, indicator: Indicator, problems: list[Problem]) -> dict[str, Any] | None:
        count = len(problems)
        unit = indicator.entry_unit or None
        column_unit = None
        written = normalise_unit(display(row.value("measure_unit"))) if row.value("measure_unit") else None
        if written and unit and written != unit:
            if written in UNITS and UNITS.get(unit, ("", 0))[0] == UNITS[written][0]:
                column_unit = written  # the row says its figures are in 万元 where the indicator uses 亿元
            else:
                problems.append(row.problem("measure_unit", f"计量单位应为“{unit}”"))
        family = UNITS.get(unit or "", ("", 0))[0]
        values: dict[str, Any] = {
            "ytd_value": self.amount(
                row,
                "ytd",
                unit,
                problems,
                column_unit=column_unit,
                negative_ok=family not in MONOTONE_FAMILIES,
            ),
            "growth_pct": self.amount(row, "growth", "%", problems, negative_ok=True),
            "base_value": self.amount(row, "base", unit, problems, column_unit=column_unit),
            "note": self.text(row, "note", problems, max_length=200),
        }
        g = values["growth_pct"]
        if g is not None and not Decimal(-100) <= g <= Decimal(10000):
            problems.append(row.problem("growth", "公布增速应在 -100 到 10000 之间"))
        for field in ("ytd_value", "base_value"):
            v = values[field]
            if v is not None and v != v.quantize(Decimal("0.0001")):
                values[field] = v.quantize(Decimal("0.0001"))
        if g is not None:
            values["growth_pct"] = g.quantize(Decimal("0.01"))
        return None if len(problems) > count else values

    def _keep_absent(self, row: RawRow, values: dict[str, Any], existing: Actual) -> dict[str, Any]:
        """Columns the file does not have keep what is stored."""
        for key, field in (("growth", "growth_pct"), ("base", "base_value"), ("note", "note")):
            if not row.has(key):
                values[field] = getattr(existing, field)
        return values

    def _previous(
        self,
        key: tuple[int, int, int, int],
        stored: dict[tuple[int, int, int, int], Actual],
        in_file: dict[tuple[int, int, int, int], Decimal],
    ) -> tuple[int, Decimal] | None:
        ind, unit, year, month = key
        for m in range(month - 1, 0, -1):
            k = (ind, unit, year, m)
            if k in in_file:
                return m, in_file[k]
            a = stored.get(k)
            if a is not None and a.ytd_value is not None:
                return m, a.ytd_value
        return None

    def _check_series(
        self,
        row: RawRow,
        indicator: Indicator,
        ytd: Decimal | None,
        previous: tuple[int, Decimal] | None,
        targets: list[Target],
        problems: list[Problem],
    ) -> None:
        if ytd is None:
            return
        unit = indicator.entry_unit
        if previous is not None:
            m, before = previous
            if indicator.accumulation == Accumulation.YTD and ytd < before:
                problems.append(
                    row.problem(
                        "ytd", f"累计值 {display(ytd)} 小于{m}月的累计值 {display(before)}，累计值不应下降"
                    )
                )
                return
            if before > 0 and ytd >= before * SLIP_FACTOR:
                problems.append(
                    row.problem(
                        "ytd",
                        f"累计值 {display(ytd)}{unit} 约为{m}月 {display(before)}{unit} 的"
                        f"{int(ytd / before)}倍，疑似万元/亿元单位填错",
                    )
                )
            return
        for t in targets:
            if (
                t.value
                and t.value > 0
                and indicator.measure != Measure.GROWTH
                and t.indicator.unit == unit
                and ytd >= t.value * SLIP_FACTOR
            ):
                problems.append(
                    row.problem(
                        "ytd",
                        f"累计值 {display(ytd)}{unit} 是全年目标 {display(t.value)}{unit} 的"
                        f"{int(ytd / t.value)}倍，疑似万元/亿元单位填错",
                    )
                )
                return

    # ------------------------------------------------------------------ write

    def write_row(self, row: RowPlan) -> None:
        save_actual(actor=self.actor, **row.values)
