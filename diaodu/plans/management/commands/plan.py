"""``plan``: load a plan file and show target status from the command line.

manage.py plan load plans/guanyun-2025.yaml [--source speech.txt] [--dry-run]
manage.py plan status --year 2025 --as-of 2025-09 [--plan CODE] [--unit CODE] [--below] [--json]
manage.py plan lights --check | --rebuild [--year 2025]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from diaodu.orgunits.models import OrgUnit
from diaodu.plans.domain import Measure, Status, format_points
from diaodu.plans.evaluation import TargetResult, evaluate_targets
from diaodu.plans.models import Plan, Target
from diaodu.plans.planfile import PlanFileError
from diaodu.plans.services import load_plan, org_unit_lookup, read_plan_file

SEED_HINT = "请先运行 diaodu demo 或 diaodu orgunits seed"
STATUS_LABELS = {
    Status.GREEN: "绿",
    Status.YELLOW: "黄",
    Status.RED: "红",
    Status.GREY: "灰",
}
COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", "~": "≈", "=": "="}


def _number(d: Decimal | None, places: int | None = None) -> int | float | None:
    """A Decimal as a JSON number: integral values as ints, others as floats (optionally rounded)."""
    if d is None:
        return None
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    d = d.normalize()
    return int(d) if d == d.to_integral_value() else float(d)


def _plain(d: Decimal | None, places: int | None = None) -> str:
    n = _number(d, places)
    return "" if n is None else f"{n}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _as_of(value: str) -> tuple[int | None, int]:
    """``2025-09`` -> (2025, 9); ``9`` -> (None, 9)."""
    try:
        if "-" in value:
            year_text, month_text = value.split("-", 1)
            year, month = int(year_text), int(month_text)
        else:
            year, month = None, int(value)
    except ValueError:
        raise CommandError(f"--as-of 应为“年-月”（如 2025-09），而不是“{value}”") from None
    if not 1 <= month <= 12:
        raise CommandError(f"--as-of 的月份应在 1 到 12 之间，而不是 {month}")
    return year, month


class Command(BaseCommand):
    help = "导入计划文件（plan load）或查看目标完成情况（plan status）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{load,status,lights}")

        load = sub.add_parser("load", help="校验并导入计划文件（YAML）")
        load.add_argument("file", help="计划文件路径，如 plans/guanyun-2025.yaml")
        load.add_argument("--source", help="讲话原文（UTF-8 文本），用于核对每条目标的引文")
        load.add_argument("--dry-run", action="store_true", help="只校验并统计变化，不写入数据库")

        status = sub.add_parser("status", help="按月查看目标完成情况（红黄绿灯）")
        status.add_argument("--year", type=int, help="年度（默认取 --as-of 的年份）")
        status.add_argument("--as-of", dest="as_of", help="截至月份，如 2025-09（默认本月）")
        status.add_argument("--plan", help="只看某个计划（计划编码）")
        status.add_argument("--unit", help="只看某个单位（编码、全称或简称）")
        status.add_argument("--below", action="store_true", help="与 --unit 合用：包括下级单位")
        status.add_argument("--json", action="store_true", help="输出 JSON")

        lights = sub.add_parser(
            "lights", help="核对或重建各目标逐月的红黄绿灯（写入时保存，驾驶舱的滞后清单读取）"
        )
        action = lights.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="与重新评价的结果逐条核对，不一致时返回非零")
        action.add_argument("--rebuild", action="store_true", help="全部重新评价（批量写入数据后使用）")
        lights.add_argument("--year", type=int, help="只处理某年度的目标")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "load":
            self.load(options["file"], source=options["source"], dry_run=options["dry_run"])
        elif options["subcommand"] == "lights":
            self.lights(options)
        else:
            self.status(options)

    def lights(self, options: dict[str, Any]) -> None:
        from diaodu.plans import lights

        if options["rebuild"]:
            written = lights.rebuild(options["year"])
            self.stdout.write(f"已重新评价并保存目标灯：{written} 行。")
            return
        problems = lights.check(options["year"])
        if problems:
            for line in problems[:50]:
                self.stderr.write(line)
            raise CommandError(f"目标灯与重新评价的结果不一致：{len(problems)} 处（可运行 --rebuild 重建）。")
        self.stdout.write("目标灯与重新评价的结果一致。")

    # ------------------------------------------------------------------ load

    def load(self, file: str, *, source: str | None, dry_run: bool) -> None:
        if not OrgUnit.objects.exists():
            raise CommandError(f"系统中还没有任何单位，无法导入计划：{SEED_HINT}")
        source_text = None
        if source:
            try:
                source_text = Path(source).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"无法读取原文文件 {source}（{exc}）") from exc
        try:
            spec = read_plan_file(file, source_text=source_text)
            for warning in spec.warnings:
                self.stderr.write(f"提示：{warning}", style_func=self.style.WARNING)
            with transaction.atomic():
                result = load_plan(spec, actor=None, source_text=source_text)
                if dry_run:
                    transaction.set_rollback(True)
        except PlanFileError as exc:
            self._fail(file, exc)
        if dry_run:
            self.stdout.write(f"试运行（未写入数据库）：{result.summary('将导入')}")
        else:
            self.stdout.write(result.summary())

    def _fail(self, file: str, exc: PlanFileError) -> None:
        for problem in exc.errors:
            self.stderr.write(str(problem))
        if any(p.message.startswith("找不到单位") for p in exc.errors):
            self.stderr.write(f"提示：如果单位尚未导入，{SEED_HINT}")
        raise CommandError(f"计划文件 {file} 有 {len(exc.errors)} 处错误，未导入任何数据")

    # ------------------------------------------------------------------ status

    def status(self, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        as_of_year, month = _as_of(options["as_of"]) if options["as_of"] else (today.year, today.month)
        year = options["year"] or as_of_year or today.year
        if as_of_year is not None and as_of_year != year:
            raise CommandError(f"--as-of {options['as_of']} 不在 --year {year} 年内")

        targets = Target.objects.filter(year=year)
        if options["plan"]:
            if not Plan.objects.filter(code=options["plan"]).exists():
                raise CommandError(f"找不到计划“{options['plan']}”")
            targets = targets.filter(plan__code=options["plan"])
        if options["unit"]:
            codes = org_unit_lookup()(options["unit"])
            if len(codes) != 1:
                problem = "找不到" if not codes else "有多个"
                raise CommandError(f"{problem}单位“{options['unit']}”（请填写单位编码或全称）")
            unit = OrgUnit.objects.get(code=codes[0])
            if options["below"]:
                targets = targets.filter(org_unit__path__startswith=unit.path)
            else:
                targets = targets.filter(org_unit=unit)
        targets = targets.order_by("plan__year", "plan__code", "sort_order", "pk")
        results = evaluate_targets(targets, year=year, as_of_month=month)

        if options["json"]:
            rows = [self._row(r) for r in results]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self._table(results, year=year, month=month)

    @staticmethod
    def _row(result: TargetResult) -> dict[str, Any]:
        t, ev = result.target, result.evaluation
        return {
            "indicator": t.indicator.name,
            "org_unit": t.org_unit.name,
            "org_unit_code": t.org_unit.code,
            "value": _number(t.value),
            "unit": t.indicator.unit,
            "comparator": t.comparator,
            "level": t.level,
            "quote": t.quote,
            "actual": _number(ev.actual, 2),
            "status": str(ev.status),
            "key": t.key,
            "section": t.section,
            "relative_to": t.relative_to.name if t.relative_to else None,
            "data_month": ev.data_month,
            "points_ahead": _number(ev.points_ahead, 1),
            "deadline": t.deadline.isoformat() if isinstance(t.deadline, dt.date) else None,
        }

    def _table(self, results: list[TargetResult], *, year: int, month: int) -> None:
        counts = {s: 0 for s in Status}
        for r in results:
            counts[r.evaluation.status] += 1
        tally = " ".join(f"{STATUS_LABELS[s]}{n}" for s, n in counts.items())
        self.stdout.write(f"{year}年截至{month}月 目标{len(results)}项：{tally}")
        if not results:
            return
        header = ["灯", "单位", "指标", "目标", "期限", "实绩", "数据月份", "超/欠进度"]
        lines = [header]
        for r in results:
            t, ev = r.target, r.evaluation
            if t.value is None:
                target_text = f"{COMPARATOR_SIGNS[t.comparator]}{t.relative_to or ''}增速"
            else:
                target_text = f"{COMPARATOR_SIGNS[t.comparator]}{_plain(t.value)}{t.indicator.unit}"
            if t.level == "stretch":
                target_text = f"力争{target_text}"
            actual_unit = "%" if t.indicator.measure == Measure.GROWTH else t.indicator.unit
            actual_text = f"{_plain(ev.actual, 2)}{actual_unit}" if ev.actual is not None else "—"
            lines.append(
                [
                    STATUS_LABELS[ev.status],
                    t.org_unit.display_short,
                    t.indicator.name,
                    target_text,
                    f"{t.deadline.month}月{t.deadline.day}日" if t.deadline else "年底",
                    actual_text,
                    f"{ev.data_month}月" if ev.data_month else "—",
                    format_points(ev.points_ahead) if ev.points_ahead is not None else "",
                ]
            )
        widths = [max(_width(row[i]) for row in lines) for i in range(len(header))]
        for row in lines:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
