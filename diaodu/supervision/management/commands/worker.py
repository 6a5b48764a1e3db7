"""``diaodu worker``: run background jobs and the periodic reminder scan in one process.

    diaodu worker [--interval 5] [--scan-every 300] [--once]

Design: one loop. On every tick it (1) enqueues the reminder scan (a django-tasks job) when ``--scan-every``
seconds have passed and none is already waiting, (2) enqueues the delivery job when e-mails or webhook posts are
due and none is waiting, then (3) drains the queue with django_tasks_db's own worker in batch mode, and sleeps
``--interval`` seconds. So every job goes through the database queue (visible in the admin with its result and
traceback), other ``db_worker`` processes may share the load, and no separate scheduler (cron) is needed. The
scan is idempotent (a ledger of sent notices), so a double enqueue, a restart or two workers send nothing twice.
At start-up and every minute it also fails the imports whose worker died (:mod:`diaodu.workbooks.recovery`:
stale heartbeat, row not locked by a live writer), so no progress page spins forever after a crash.
SIGINT/SIGTERM stop the loop after the job in progress.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from diaodu.supervision import notifications
from diaodu.supervision.tasks import deliver_notifications, scan_reminders
from diaodu.workbooks import recovery

RECOVER_EVERY = 60.0  # seconds between two sweeps for interrupted imports


def _path(task: Any) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


def _waiting(task: Any) -> bool:
    return DBTaskResult.objects.ready().filter(task_path=_path(task)).exists()


def tick(*, scan: bool, worker_id: str) -> dict[str, bool]:
    """One round: enqueue what is due, then run every ready job. Returns what was enqueued."""
    enqueued = {"scan": False, "deliver": False}
    if scan and not _waiting(scan_reminders):
        scan_reminders.enqueue()
        enqueued["scan"] = True
    if notifications.pending_deliveries() and not _waiting(deliver_notifications):
        deliver_notifications.enqueue()
        enqueued["deliver"] = True
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
    return enqueued


class Command(BaseCommand):
    help = "运行后台任务：定时扫描督办件（提醒、逾期升级）并发送邮件和 Webhook 消息"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间的间隔秒数（默认 5）")
        parser.add_argument("--scan-every", type=float, default=300.0, help="提醒扫描的间隔秒数（默认 300）")
        parser.add_argument("--once", action="store_true", help="扫描并处理一轮后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        self.running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"收到 {signal.strsignal(signum)}，处理完当前任务后退出。")
            self.running = False

        if not options["once"]:
            signal.signal(signal.SIGINT, stop)
            signal.signal(signal.SIGTERM, stop)
        worker_id = f"diaodu-{get_random_string(12)}"
        next_scan = next_recover = 0.0
        self.stdout.write(f"督办后台任务已启动（{worker_id}），每 {options['scan_every']:g} 秒扫描一次。")
        while self.running:
            now = time.monotonic()
            if now >= next_recover:
                next_recover = now + RECOVER_EVERY
                for line in recovery.recover().lines():
                    self.stdout.write(line)
            scan = now >= next_scan
            if scan:
                next_scan = now + options["scan_every"]
            enqueued = tick(scan=scan, worker_id=worker_id)
            if any(enqueued.values()) and options["verbosity"] > 1:
                self.stdout.write(f"已排队：{', '.join(k for k, v in enqueued.items() if v)}")
            if options["once"]:
                break
            deadline = time.monotonic() + options["interval"]
            while self.running and time.monotonic() < deadline:
                time.sleep(min(0.5, options["interval"]))
        self.stdout.write("督办后台任务已停止。")
