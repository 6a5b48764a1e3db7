"""``diaodu demo``: a ready-to-click demo database (units, the 2025 plan, demo accounts, synthetic actuals).

    diaodu demo [--through 2025-09] [--no-actuals]

Idempotent: running it again changes nothing and writes no audit rows. It does not migrate (``make run`` runs
``diaodu migrate`` first) and starts no server. Every actual it writes is labelled “演示数据（合成）” and goes
through the services (entered by the unit's demo officer, approved by the statistics-bureau reviewer).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from diaodu.accounts import roles as role_codes
from diaodu.accounts.models import Role, User
from diaodu.core.demo import actuals as demo_actuals
from diaodu.core.demo.personas import ensure_demo_users
from diaodu.core.demo.users import DEMO_PASSWORD, DEMO_USERS
from diaodu.orgunits.models import OrgUnit
from diaodu.orgunits.services import seed_guanyun
from diaodu.plans.evaluation import evaluate_targets, status_counts
from diaodu.plans.models import Actual, ActualStatus, Plan, Target
from diaodu.projects.demo import load_demo_projects
from diaodu.reviews.demo import load_demo_reviews
from diaodu.supervision.demo import load_demo_supervision

PLAN_FILE = Path("plans") / "guanyun-2025.yaml"
REVIEWER = "tjj"
STATUS_NAMES = {
    ActualStatus.APPROVED: "已审核",
    ActualStatus.SUBMITTED: "待审核",
    ActualStatus.RETURNED: "已退回",
    ActualStatus.DRAFT: "草稿",
}


def _parse_month(value: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.split("-", 1)
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise CommandError(f"--through 应为“年-月”（如 2025-09），而不是“{value}”") from None
    if not 1 <= month <= 12:
        raise CommandError(f"--through 的月份应在 1 到 12 之间，而不是 {month}")
    return year, month


def unapplied_migrations(database: str = DEFAULT_DB_ALIAS) -> list[str]:
    executor = MigrationExecutor(connections[database])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = "生成演示环境：单位、2025年计划、演示账号和合成的月度实绩（可重复运行，不会重复写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--through", default="2025-09", metavar="YYYY-MM", help="演示实绩从1月生成到该月（默认 2025-09）"
        )
        parser.add_argument(
            "--no-actuals", action="store_true", help="不生成月度实绩，只准备单位、计划和账号"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        through_year, through_month = _parse_month(options["through"])
        plan_path = Path(settings.BASE_DIR) / PLAN_FILE
        plan_code, plan_year = self._plan_header(plan_path)
        if through_year != plan_year:
            raise CommandError(f"--through {options['through']} 不在计划年度 {plan_year} 年内")
        today = timezone.localdate()
        if (through_year, through_month) > (today.year, today.month):
            raise CommandError(f"--through {options['through']} 是未来月份，演示数据只能生成到本月")

        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                f"数据库尚未迁移（还有 {len(pending)} 个迁移未应用，如 {pending[0]}），请先运行：diaodu migrate"
            )
        self.stdout.write("数据库结构已是最新。")

        with transaction.atomic():
            changes = seed_guanyun()
            self.stdout.write(
                f"单位：{'新增或变更 ' + str(changes) + ' 处' if changes else '已是最新'}"
                f"（共 {OrgUnit.objects.count()} 个）。"
            )

            call_command("plan", "load", str(plan_path), stdout=self.stdout, stderr=self.stderr)
            plan = Plan.objects.get(code=plan_code)

            existing = set(
                User.objects.filter(username__in=[d.username for d in DEMO_USERS]).values_list(
                    "username", flat=True
                )
            )
            users = ensure_demo_users()
            created = len(users) - len(existing & set(users))
            self.stdout.write(
                f"演示账号：{'新建 ' + str(created) + ' 个' if created else '已存在'}（共 {len(users)} 个）。"
            )

            if not options["no_actuals"]:
                self._actuals(plan, users, through_month)
                load_demo_projects(users=users, through_month=through_month, log=self.stdout.write)
                load_demo_supervision(users=users, log=self.stdout.write)
                load_demo_reviews(users=users, through_month=through_month, log=self.stdout.write)

        self._summary(plan, through_month)
        self._logins()
        self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")

    # ------------------------------------------------------------------ steps

    @staticmethod
    def _plan_header(path: Path) -> tuple[str, int]:
        try:
            header = yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]
            return str(header["code"]), int(header["year"])
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
            raise CommandError(f"无法读取计划文件 {path}（{exc}）") from exc

    def _actuals(self, plan: Plan, users: dict[str, User], through_month: int) -> None:
        targets = Target.objects.filter(plan=plan).select_related("indicator", "org_unit", "relative_to")
        rows = demo_actuals.generate(demo_actuals.target_infos(targets), through_month=through_month)
        officer_names = {d.username for d in DEMO_USERS if role_codes.UNIT_OFFICER in d.role_codes}
        officers = {u.org_unit_id: u for name, u in users.items() if name in officer_names and u.org_unit_id}
        step = max(1, len(rows) // 10)

        def progress(done: int, total: int) -> None:
            if done % step == 0 or done == total:
                self.stdout.write(f"正在生成演示数据… {done}/{total}")

        stats = demo_actuals.write(
            rows, year=plan.year, officers=officers, reviewer=users[REVIEWER], progress=progress
        )
        if stats.created or stats.submitted or stats.approved or stats.returned:
            self.stdout.write(
                f"演示实绩：新建 {stats.created} 条，提交 {stats.submitted} 次，"
                f"审核通过 {stats.approved} 次，退回 {stats.returned} 次。"
            )
        else:
            self.stdout.write(f"演示实绩：{stats.total} 条均已存在，无变更。")
        if stats.skipped_foreign:
            self.stdout.write(
                self.style.WARNING(
                    f"有 {stats.skipped_foreign} 条同期实绩不是演示数据，已保留原样、未作修改。"
                )
            )

    def _summary(self, plan: Plan, through_month: int) -> None:
        results = evaluate_targets(
            Target.objects.filter(plan=plan), year=plan.year, as_of_month=through_month
        )
        counts = status_counts(results)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：目标 {len(results)} 个（绿 {counts['green']} / 黄 {counts['yellow']} / "
                f"红 {counts['red']} / 灰 {counts['grey']}），按 {plan.year}年{through_month}月 已审核数据评价。"
            )
        )
        by_status = {
            s: Actual.objects.filter(year=plan.year, note=demo_actuals.DEMO_NOTE, status=s).count()
            for s in STATUS_NAMES
        }
        self.stdout.write(
            "演示实绩（均标注“"
            + demo_actuals.DEMO_NOTE
            + "”）："
            + "，".join(f"{STATUS_NAMES[s]} {n} 条" for s, n in by_status.items())
            + "。"
        )

    def _logins(self) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS]).select_related(
                "org_unit"
            )
        }
        role_names = dict(Role.objects.values_list("code", "name"))
        body = []
        for demo in DEMO_USERS:
            user = users.get(demo.username)
            if user is None:
                continue
            body.append(
                [
                    demo.username,
                    user.full_name,
                    user.org_unit.name if user.org_unit else "",
                    "、".join(role_names.get(c, c) for c in demo.role_codes),
                    DEMO_PASSWORD,
                ]
            )
        self.stdout.write("")
        self.stdout.write(self.style.WARNING("以下账号仅用于演示，请勿在生产环境使用。"))
        for line in demo_actuals.table(["用户名", "姓名", "单位", "角色", "密码"], body):
            self.stdout.write("  " + line)
