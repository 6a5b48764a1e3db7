"""``projects``: project metrics from the command line.

manage.py projects metrics --year 2025 --as-of 2025-09 [--unit CODE] [--json]
manage.py projects rollups --check | --rebuild [--year 2025]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain, metrics, rollups
from diaodu.projects.models import Project


def _as_of(value: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.split("-", 1)
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise CommandError(f"--as-of 应为“年-月”（如 2025-09），而不是“{value}”") from None
    if not 1 <= month <= 12:
        raise CommandError(f"--as-of 的月份应在 1 到 12 之间，而不是 {month}")
    return year, month


def _pct(d: Any) -> str:
    return "—" if d is None else f"{domain.pct1(d)}%"


class Command(BaseCommand):
    help = "项目指标：重点项目、开工率、签约分档、转化开工率、认定率、入库率、产业集中度"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{metrics,rollups}")
        m = sub.add_parser("metrics", help="按年度和截至月份计算项目指标")
        m.add_argument("--year", type=int, help="年度（默认取 --as-of 的年份）")
        m.add_argument("--as-of", dest="as_of", help="截至月份，如 2025-09（默认本月）")
        m.add_argument("--unit", help="只看某单位及其下级（单位编码）")
        m.add_argument("--json", action="store_true", help="输出 JSON（金额万元，比率为小数）")
        r = sub.add_parser("rollups", help="核对或重建项目指标的写入时汇总（驾驶舱读取的汇总表）")
        action = r.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="与重新计算的结果逐行核对，不一致时返回非零")
        action.add_argument("--rebuild", action="store_true", help="全部重新计算（批量写入数据后使用）")
        r.add_argument("--year", type=int, action="append", help="只处理某年度（可重复）；默认所有计划年度")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rollups":
            self._rollups(options)
            return
        today = timezone.localdate()
        year, month = _as_of(options["as_of"]) if options["as_of"] else (today.year, today.month)
        if options["year"] and options["year"] != year:
            if options["as_of"]:
                raise CommandError(f"--as-of {options['as_of']} 不在 --year {options['year']} 年内")
            year, month = options["year"], 12
        projects = Project.objects.all()
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"找不到单位“{options['unit']}”（请填写单位编码）")
            projects = projects.filter(org_unit__path__startswith=unit.path)
        result = metrics.summary(metrics.load(year, month, projects))
        if options["json"]:
            self.stdout.write(json.dumps(metrics.jsonable(result), ensure_ascii=False, indent=2))
            return
        k, s, t = result["key_projects"], result["start_rate"], result["signed"]
        self.stdout.write(f"{year}年截至{month}月")
        self.stdout.write(
            f"重点项目 {k['count']} 个，计划总投资 {domain.yi(k['total_investment_wan'])} 亿元，"
            f"年度计划投资 {domain.yi(k['annual_plan_wan'])} 亿元，"
            f"累计完成 {domain.yi(k['completed_ytd_wan'])} 亿元（{_pct(k['completion_rate'])}）"
        )
        for label, lv in k["by_level"].items():
            self.stdout.write(
                f"  {label} {lv['count']} 个：{domain.yi(lv['total_investment_wan'])} 亿元 / "
                f"年度 {domain.yi(lv['annual_plan_wan'])} 亿元"
            )
        self.stdout.write(f"新建重点项目开工 {s['new_started']}/{s['new_planned']}（{_pct(s['rate'])}）")
        c = result["continuing_on_schedule"]
        self.stdout.write(f"续建重点项目达序 {c['on_schedule']}/{c['continuing']}（{_pct(c['rate'])}）")
        self.stdout.write(
            f"签约：过亿元 {t['ge_1yi']}，过10亿元 {t['ge_10yi']}，过50亿元 {t['ge_50yi']}，"
            f"百亿元级 {t['ge_100yi']}"
        )
        self.stdout.write(
            f"转化开工率 {_pct(result['conversion_start_rate'])}，认定率 {_pct(result['recognition_rate'])}，"
            f"入库率 {_pct(result['stats_entry_rate'])}，产业集中度 {_pct(result['industry_concentration'])}"
        )

    def _rollups(self, options: dict[str, Any]) -> None:
        years = options["year"]
        if options["rebuild"]:
            written = rollups.rebuild(years)
            self.stdout.write(f"已重建项目指标汇总：{written} 行。")
            return
        problems = rollups.check(years)
        if problems:
            for line in problems[:50]:
                self.stderr.write(line)
            raise CommandError(f"项目指标汇总与重新计算不一致：{len(problems)} 处（可运行 --rebuild 重建）。")
        self.stdout.write("项目指标汇总与重新计算一致。")
