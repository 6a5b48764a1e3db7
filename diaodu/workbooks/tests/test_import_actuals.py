"""The actuals importer: dry run, atomic and partial commit, scope, idempotent re-import, round trips."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import YANGJI, YISHAN, World
from diaodu.plans.models import Actual, ActualStatus
from diaodu.workbooks.exports import export_actuals, export_entry
from diaodu.workbooks.importers.actuals import ActualsImporter
from diaodu.workbooks.importers.base import Action, Mode
from diaodu.workbooks.tests.books import csv_bytes, xlsx

HEADER = ["填报单位", "月份", "指标名称", "累计值", "公布增速(%)", "上年同期", "数据来源"]


def book(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    return xlsx({"实绩": [header, *rows]})


def run(world: World, data: bytes, user: str = "yishan", **kwargs: Any) -> Any:
    mode = kwargs.pop("mode", Mode.ATOMIC)
    dry = kwargs.pop("dry_run", False)
    return ActualsImporter(world.users[user], **kwargs).run(data, "实绩.xlsx", mode=mode, dry_run=dry)


def snapshot_db() -> list[tuple[Any, ...]]:
    return list(
        Actual.objects.order_by("pk").values_list(
            "pk", "ytd_value", "growth_pct", "base_value", "note", "status", "version"
        )
    )


def test_dry_run_plans_and_writes_nothing(world: World) -> None:
    before, audit = snapshot_db(), AuditEvent.objects.count()
    data = book(
        ["伊山镇", "2025-03", "测试一般公共预算收入", 1.2, None, None, "财政局"],  # update the draft (0.9)
        ["伊山", "2025年4月", "测试一般公共预算收入", "1.5亿元", None, None, "财政局"],  # create
        ["伊山镇", "2025-01", "测试一般公共预算收入", 0.3, None, None, "财政局月报"],  # approved, same values
        ["合计", None, None, 3.0, None, None, None],
    )
    plan = run(world, data, dry_run=True)
    assert [r.action for r in plan.rows] == [Action.UPDATE, Action.CREATE, Action.UNCHANGED]
    assert plan.skipped == 1
    assert plan.rows[0].changes["ytd_value"] == (Decimal("0.9000"), Decimal("1.2"))
    assert plan.summary() == {
        "rows_total": 3,
        "rows_valid": 3,
        "to_create": 1,
        "to_update": 1,
        "unchanged": 1,
        "errors": [],
        "committed": False,
    }
    assert snapshot_db() == before and AuditEvent.objects.count() == audit


def test_commit_goes_through_the_service_and_is_idempotent(world: World) -> None:
    data = book(
        ["伊山镇", "2025-03", "测试一般公共预算收入", 1.2, None, None, "财政局"],
        ["伊山镇", "2025-04", "测试一般公共预算收入", "15000万元", None, None, "财政局"],
    )
    plan = run(world, data)
    assert plan.committed and plan.written == 2
    april = Actual.objects.get(org_unit=world.yishan, indicator=world.revenue, year=2025, month=4)
    assert april.ytd_value == Decimal("1.5") and april.status == ActualStatus.DRAFT  # 15000万元 = 1.5亿元
    assert world.draft_yishan.__class__.objects.get(pk=world.draft_yishan.pk).ytd_value == Decimal("1.2")
    events = AuditEvent.objects.filter(object_type="plans.actual").order_by("id")
    assert [e.action for e in events] == ["update", "create"]
    assert AuditEvent.objects.filter(object_type="workbooks.import", action="load").count() == 1

    before, audit = snapshot_db(), AuditEvent.objects.count()
    again = run(world, data)
    assert again.summary()["unchanged"] == 2 and again.summary()["to_create"] == 0
    assert snapshot_db() == before
    assert AuditEvent.objects.count() == audit + 1  # only the import's own row


def test_atomic_writes_nothing_when_a_row_is_bad_partial_writes_the_rest(world: World) -> None:
    data = book(
        ["伊山镇", "2025-04", "测试一般公共预算收入", 1.5, None, None, ""],
        ["伊山镇", "2025-05", "测试一般公共预算收入", "待统计", None, None, ""],
    )
    before = snapshot_db()
    plan = run(world, data)
    assert not plan.committed and snapshot_db() == before
    assert [p.as_dict() for p in plan.problems] == [
        {
            "sheet": "实绩",
            "row": 3,
            "column": "D",
            "value": "待统计",
            "message": "累计值：“待统计”不是有效的数字",
        }
    ]
    partial = run(world, data, mode=Mode.PARTIAL)
    assert partial.committed and partial.written == 1
    assert Actual.objects.filter(org_unit=world.yishan, year=2025, month=4).exists()
    assert not Actual.objects.filter(org_unit=world.yishan, year=2025, month=5).exists()


def test_scope_rows_outside_are_errors_never_written(world: World) -> None:
    data = book(
        ["杨集镇", "2025-04", "测试一般公共预算收入", 1.5, None, None, ""],
        ["伊山镇", "2025-04", "测试一般公共预算收入", 1.5, None, None, ""],
    )
    before = snapshot_db()
    plan = run(world, data, mode=Mode.PARTIAL)
    assert plan.rows[0].action == Action.ERROR
    assert plan.rows[0].problems[0].message == "无权向“杨集镇”导入数据（不在您的数据范围内）"
    assert plan.written == 1
    assert not Actual.objects.filter(org_unit=world.yangji, month=4).exists()
    assert len(snapshot_db()) == len(before) + 1


def test_default_unit_and_month_from_the_title(world: World) -> None:
    data = xlsx(
        {
            "表": [
                ["伊山镇2025年4月主要指标完成情况"],
                ["指标名称", "累计值（万元）", "备注"],
                ["测试一般公共预算收入", 15000, "财政局"],
            ]
        }
    )
    plan = ActualsImporter(world.users["yishan"], unit=world.yishan).run(data, "a.xlsx")
    assert plan.committed, plan.problems
    a = Actual.objects.get(org_unit=world.yishan, year=2025, month=4)
    assert (
        a.ytd_value == Decimal("1.5") and a.note == "财政局"
    )  # the header's 万元 converted to the indicator's 亿元


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["伊山镇", "2025-04", "测试一般公共预算收入", -1, None, None, ""], "D", "累计值不能为负数"),
        (
            ["伊山镇", "2025-04", "测试一般公共预算收入", 0.5, None, None, ""],
            "D",
            "累计值 0.5 小于3月的累计值 0.9，累计值不应下降",
        ),
        (["伊山镇", "2025-04", "测试一般公共预算收入", 12000, None, None, ""], "D", "疑似万元/亿元单位填错"),
        (
            ["伊山镇", "2025-11", "测试一般公共预算收入", 3, None, None, ""],
            "B",
            "不能填报未来月份（2025年11月）的数据。",
        ),
        (["伊山镇", "2025-13", "测试一般公共预算收入", 3, None, None, ""], "B", "不是有效的月份"),
        (["伊山乡", "2025-04", "测试一般公共预算收入", 3, None, None, ""], "A", "找不到单位“伊山乡”"),
        (["伊山镇", "2025-04", "测试未知指标", 3, None, None, ""], "C", "找不到指标“测试未知指标”"),
        (["伊山镇", "2025-02", "测试一般公共预算收入", 0.7, None, None, ""], "D", "已提交，不能通过导入修改"),
        (["伊山镇", "2025-04", "测试地区生产总值", 30, None, None, ""], "E", "增速类指标请填写公布增速"),
        (["伊山镇", "2025-04", "测试地区生产总值", 30, "快", None, ""], "E", "公布增速：“快”不是有效的数字"),
        (["伊山镇", "2025-04", "测试一般公共预算收入", "800万美元", None, None, ""], "D", "不能换算"),
    ],
)
def test_located_errors(world: World, row: list[Any], column: str, message: str) -> None:
    before = snapshot_db()
    plan = run(world, book(row))
    assert not plan.committed and snapshot_db() == before
    [problem] = plan.problems
    assert (problem.sheet, problem.row, problem.column) == ("实绩", 2, column)
    assert message in problem.message


def test_duplicate_rows(world: World) -> None:
    row = ["伊山镇", "2025-04", "测试一般公共预算收入", 1.5, None, None, ""]
    plan = run(world, book(row, row), dry_run=True)
    assert plan.problems[0].message == "与第2行重复（同一单位、指标和月份）" and plan.problems[0].row == 3


def test_export_then_import_is_unchanged_for_every_row(world: World) -> None:
    for user, params in (("fgw", {}), ("yishan", {"unit": YISHAN})):
        export = export_actuals(world.users[user], params)
        data, count = export.render()
        assert count == (6 if user == "fgw" else 3)
        plan = run(world, data, user=user if user == "yishan" else "county", dry_run=True)
        if user == "yishan":
            assert [r.action for r in plan.rows] == [Action.UNCHANGED] * 3, plan.problems


def test_template_filled_creates_exactly_the_filled_rows(world: World) -> None:
    export = export_entry(world.users["yangji"], {"unit": YANGJI, "month": "2025-04"})
    data, count = export.render()
    assert count == 2  # the two indicators with a target on 杨集镇
    plan = run(world, data, user="yangji", dry_run=True)
    assert plan.summary()["rows_total"] == 2  # nothing filled: both rows are errors ("请至少填写…")
    filled = xlsx(
        {
            "月度实绩": [
                [
                    "填报单位",
                    "月份",
                    "指标编码",
                    "指标名称",
                    "计量单位",
                    "累计值",
                    "公布增速(%)",
                    "上年同期",
                    "数据来源",
                ],
                [
                    "杨集镇",
                    "2025-04",
                    "authz-revenue",
                    "测试一般公共预算收入",
                    "亿元",
                    1.3,
                    None,
                    None,
                    "财政所",
                ],
            ]
        }
    )
    plan = run(world, filled, user="yangji")
    assert plan.committed and plan.summary()["to_create"] == 1


def test_csv_is_read_too(world: World) -> None:
    data = csv_bytes([HEADER, ["伊山镇", "2025-04", "测试一般公共预算收入", "1.5", "", "", "财政局"]])
    plan = ActualsImporter(world.users["yishan"]).run(data, "实绩.csv")
    assert plan.committed and plan.written == 1


def test_cli_json(world: World, tmp_path: Path) -> None:
    path = tmp_path / "实绩.xlsx"
    path.write_bytes(
        book(
            ["", "2025-04", "测试一般公共预算收入", "1.5", None, None, ""],
            ["伊山镇", "2025-05", "测试一般公共预算收入", "x", None, None, ""],
        )
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import",
            "actuals",
            str(path),
            "--user",
            "yishan",
            "--unit",
            YISHAN,
            "--json",
            "--dry-run",
            stdout=out,
        )
    assert exit_info.value.code == 1
    result = json.loads(out.getvalue())
    assert list(result) == [
        "rows_total",
        "rows_valid",
        "to_create",
        "to_update",
        "unchanged",
        "errors",
        "committed",
    ]
    assert result["rows_total"] == 2 and result["rows_valid"] == 1 and result["committed"] is False
    assert result["errors"] == [
        {"sheet": "实绩", "row": 3, "column": "D", "value": "x", "message": "累计值：“x”不是有效的数字"}
    ]
    out = StringIO()
    call_command(
        "import",
        "actuals",
        str(path),
        "--user",
        "yishan",
        "--unit",
        YISHAN,
        "--json",
        "--mode",
        "partial",
        stdout=out,
    )
    assert json.loads(out.getvalue())["committed"] is True
