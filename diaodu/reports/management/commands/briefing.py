"""``diaodu briefing --unit CODE --month 2025-09 --out FILE.docx [--as USERNAME]``: write the monthly briefing.

Without ``--as`` the command runs as the system and sees every unit and every figure (whoever can run commands on
the server can read the database anyway); the audit row names the operating-system user. With ``--as USERNAME``
the briefing holds exactly what that user sees on the site, and a unit outside their scope is refused. An
``--out`` ending in ``.pdf`` converts with LibreOffice (``soffice``) when it is installed.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diaodu.cockpit.board import require_data_reader
from diaodu.plans.periods import parse_period
from diaodu.reports import services
from diaodu.reports.briefing import unit_for


class Command(BaseCommand):
    help = "生成单位月度调度通报（Word .docx，装有 LibreOffice 时可输出 .pdf）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, metavar="CODE", help="单位编码，如 320723（灌云县）")
        parser.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，如 2025-09")
        parser.add_argument("--out", required=True, metavar="FILE", help="输出文件（.docx 或 .pdf）")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="按该用户的数据权限范围生成（默认：系统身份，全部数据）",
        )
        parser.add_argument(
            "--print", dest="print_text", action="store_true", help="同时在屏幕上打印通报正文"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period = parse_period(options["month"])
        if period is None:
            raise CommandError(f"--month 应为“年-月”（如 2025-09），而不是“{options['month']}”")
        out = Path(options["out"])
        fmt = "pdf" if out.suffix.lower() == ".pdf" else "docx"
        if fmt == "pdf" and not services.pdf_available():
            raise CommandError("未找到 LibreOffice（soffice），无法输出 PDF；请输出 .docx")
        user = None
        if options["as_user"]:
            user = get_user_model().objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"没有启用的用户“{options['as_user']}”")
            try:
                require_data_reader(user)
            except PermissionDenied:
                raise CommandError(f"用户“{user.get_username()}”没有查看数据的权限") from None
        unit = unit_for(user, options["unit"])
        if unit is None:
            who = f"用户“{user.get_username()}”的数据范围内" if user else ""
            raise CommandError(f"{who}没有编码为“{options['unit']}”的单位")
        result = services.generate_briefing(
            unit, period, actor=user, user=user, fmt=fmt, actor_name="" if user else f"cli:{_os_user()}"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.data)
        if options["print_text"]:
            for line in result.briefing.text_lines():
                self.stdout.write(line)
        self.stdout.write(
            f"已生成 {out}（{result.briefing.title}，{len(result.data) // 1024} KB，"
            f"数据范围：{result.briefing.scope_note}）。"
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
