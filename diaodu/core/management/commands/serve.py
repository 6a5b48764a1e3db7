"""`diaodu serve [--port 8000] [--host 127.0.0.1]`: run the site in a single process."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "运行调度网站 / Serve Diaodu (Django runserver, single process, no auto-reload)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"调度 Diaodu 已启动，请在浏览器打开 {url}"))
        self.stdout.write(self.style.SUCCESS(f"Diaodu is running at {url}  (Ctrl-C 停止 / to stop)"))
        if "DIAODU_DEMO" not in os.environ and _has_demo_data():
            os.environ["DIAODU_DEMO"] = "1"  # pages show the 演示数据 badge; checked once, not per request
            self.stdout.write("当前数据库含演示数据（合成），页面将显示“演示数据”标记。")
        addrport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        call_command("runserver", addrport, use_reloader=False, use_ipv6=":" in host)


def _has_demo_data() -> bool:
    from django.db import DatabaseError

    from diaodu.core.demo.actuals import DEMO_NOTE
    from diaodu.plans.models import Actual

    try:
        return Actual.objects.filter(note=DEMO_NOTE).exists()
    except DatabaseError:  # not migrated yet: runserver will say so
        return False
