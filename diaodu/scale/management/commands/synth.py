"""``diaodu synth``: fill the configured database with a reproducible synthetic province (see diaodu.scale.synth).

diaodu synth [--counties 100] [--units-per-county 14] [--projects-per-county 300] [--months 36] [--seed 1]
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.scale.synth import SynthError, SynthSpec, synthesize


class Command(BaseCommand):
    help = "生成合成省份数据（负载测试用，名称带“（合成）”）：单位树、计划目标、月度实绩、项目及月报"

    def add_arguments(self, parser: CommandParser) -> None:
        d = SynthSpec()
        parser.add_argument("--counties", type=int, default=d.counties, help=f"县数（默认 {d.counties}）")
        parser.add_argument(
            "--units-per-county",
            type=int,
            default=d.units_per_county,
            help=f"每县下属单位数（默认 {d.units_per_county}）",
        )
        parser.add_argument(
            "--projects-per-county",
            type=int,
            default=d.projects_per_county,
            help=f"每县项目数（默认 {d.projects_per_county}）",
        )
        parser.add_argument("--months", type=int, default=d.months, help=f"月数（默认 {d.months}）")
        parser.add_argument("--seed", type=int, default=d.seed, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--end-year", type=int, default=d.end_year, help=f"最后一年（默认 {d.end_year}）")
        parser.add_argument("--prefix", default=d.prefix, help=f"单位编码前缀（默认 {d.prefix}）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args: Any, **o: Any) -> None:
        spec = SynthSpec(
            counties=o["counties"],
            units_per_county=o["units_per_county"],
            projects_per_county=o["projects_per_county"],
            months=o["months"],
            seed=o["seed"],
            end_year=o["end_year"],
            prefix=o["prefix"],
        )
        if min(spec.counties, spec.months) < 1 or min(spec.units_per_county, spec.projects_per_county) < 0:
            raise CommandError("--counties 与 --months 须 ≥ 1，其余须 ≥ 0。")
        progress = None if o["json"] else (lambda msg: self.stdout.write(msg))
        try:
            result = synthesize(spec, progress=progress)
        except SynthError as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        for label, n in sorted(result.rows.items()):
            self.stdout.write(f"  {label:28} {n:>10,}")
        self.stdout.write(
            f"共写入 {result.total:,} 行，用时 {result.seconds:.1f} 秒，{result.rows_per_second:,.0f} 行/秒"
        )
