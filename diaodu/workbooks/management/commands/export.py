"""``diaodu export KIND --out FILE``: the rows a list page shows, as a formatted workbook (audited).

diaodu export targets --out 目标.xlsx --user leader
diaodu export actuals --out 实绩.xlsx --user fgw [--unit CODE] [--below] [--year 2025] [--month 2025-09]
              [--status approved]
diaodu export cockpit|entry --out F --user U --unit CODE --month 2025-09 [--below]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from diaodu.workbooks.exports import audited_bytes, export_kinds
from diaodu.workbooks.management.commands._actor import cli_actor


class Command(BaseCommand):
    help = "导出Excel / export a list as .xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="、".join(export_kinds()))
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--user",
            help="以此账号的数据范围导出 / act as this user (default: $DIAODU_CLI_USER, else the command-line account cli)",
        )
        parser.add_argument("--unit")
        parser.add_argument("--below", action="store_true", help="含下属单位 / include units below")
        parser.add_argument("--year")
        parser.add_argument("--month")
        parser.add_argument("--status")

    def handle(self, *args: Any, **opts: Any) -> None:
        exporter = export_kinds().get(opts["kind"])
        if exporter is None:
            raise CommandError(f"不支持的导出类型“{opts['kind']}”（可用：{'、'.join(export_kinds())}）")
        actor = cli_actor(opts["user"])
        params = {k: str(opts[k]) for k in ("unit", "year", "month", "status") if opts[k]}
        if opts["below"]:
            params["below"] = "1"
        try:
            export = exporter(actor, params)
        except PermissionDenied as exc:
            raise CommandError("无权导出（账号没有相应权限）") from exc
        except Http404 as exc:
            raise CommandError("找不到，或不在账号的数据范围内") from exc
        data = audited_bytes(export, actor=actor)
        opts["out"].write_bytes(data)
        self.stdout.write(f"已导出 {export.title} 到 {opts['out']}")
