"""``diaodu rank``: rank a peer group on one indicator at a month (approved actuals only).

    diaodu rank --group lyg-counties --indicator 规上工业总产值 --month 2025-09 [--basis growth|value] [--json]

``--json`` prints ``{"group", "group_name", "indicator", "indicator_code", "basis", "value_unit",
"higher_is_better", "month", "entries": [{"org_unit", "org_unit_code", "value", "rank", "tied", "change"}]}``:
``value`` is the ranked figure as an exact decimal string (growth in percent, or the YTD value) or null when
missing; ``rank`` is null for a unit without data; ``tied`` marks a shared rank; ``change`` is the number of
places gained since the previous month (null in January or when either month is unranked).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from diaodu.plans.periods import parse_period
from diaodu.reviews.ranking import rank_group


class Command(BaseCommand):
    help = "横比排名：按已审核实绩对对标组成员在某一指标上排名。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--group", required=True, help="对标组编码或名称，如 lyg-counties")
        parser.add_argument("--indicator", required=True, help="指标名称或编码")
        parser.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，如 2025-09")
        parser.add_argument(
            "--basis", choices=["growth", "value"], help="按增速或累计值排名（默认按指标口径）"
        )
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        period = parse_period(options["month"])
        if period is None:
            raise CommandError(f"--month 应为“年-月”（如 2025-09），而不是“{options['month']}”")
        try:
            ranking = rank_group(
                options["group"],
                options["indicator"],
                year=period.year,
                month=period.month,
                basis=options["basis"],
            )
        except Http404:
            raise CommandError(f"找不到对标组“{options['group']}”或指标“{options['indicator']}”") from None
        if options["json"]:
            self.stdout.write(json.dumps(ranking.as_json(), ensure_ascii=False, indent=2))
            return
        basis = "增速" if ranking.basis == "growth" else "累计值"
        self.stdout.write(
            f"{ranking.name} · {ranking.indicator.name}（{basis}，{ranking.value_unit}）· {period.label}"
        )
        for e in ranking.entries:
            rank = "—" if e.rank is None else f"第{e.rank}位" + ("（并列）" if e.tied else "")
            value = "无数据" if e.value is None else format(e.value.normalize(), "f")
            change = "" if not e.change else (f"  ↑{e.change}" if e.change > 0 else f"  ↓{-e.change}")
            self.stdout.write(f"  {rank:<8} {e.org_unit.name:<6} {value}{change}")
