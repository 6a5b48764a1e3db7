"""``diaodu orgunits seed`` loads the Guanyun org-unit tree; ``diaodu orgunits list [--json]`` prints it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from diaodu.orgunits.models import OrgUnit
from diaodu.orgunits.services import seed_guanyun


class Command(BaseCommand):
    help = "单位管理：seed 初始化灌云县单位树（幂等）；list 按层级列出全部单位。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        sub.add_parser("seed", help="初始化/更新灌云县单位树与对标组（可重复运行）")
        lister = sub.add_parser("list", help="按层级列出单位（编码、名称、类型）")
        lister.add_argument("--json", action="store_true", help="以 JSON 树输出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            self._seed()
        else:
            self._list(as_json=options["json"])

    def _seed(self) -> None:
        changes = seed_guanyun()
        total = OrgUnit.objects.count()
        if changes:
            self.stdout.write(
                self.style.SUCCESS(f"单位初始化完成：新增或变更 {changes} 处，现有单位 {total} 个。")
            )
        else:
            self.stdout.write(f"单位已是最新，无变更（现有单位 {total} 个）。")

    def _list(self, *, as_json: bool) -> None:
        units = list(OrgUnit.objects.order_by("sort_order", "code"))
        children: dict[int | None, list[OrgUnit]] = {}
        for unit in units:
            children.setdefault(unit.parent_id, []).append(unit)

        def node(unit: OrgUnit) -> dict[str, Any]:
            return {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "kind_display": unit.get_kind_display(),
                "children": [node(c) for c in children.get(unit.pk, [])],
            }

        if as_json:
            tree = [node(u) for u in children.get(None, [])]
            self.stdout.write(json.dumps(tree, ensure_ascii=False, indent=2))
            return
        if not units:
            self.stdout.write("尚无单位，请先运行 diaodu orgunits seed。")
            return

        def walk(unit: OrgUnit, depth: int) -> None:
            self.stdout.write(f"{'  ' * depth}{unit.code}  {unit.name}  （{unit.get_kind_display()}）")
            for child in children.get(unit.pk, []):
                walk(child, depth + 1)

        for root in children.get(None, []):
            walk(root, 0)
        self.stdout.write(f"共 {len(units)} 个单位。")
