"""The project library and monthly dispatch importers, through the projects app's services."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import World
from diaodu.projects import domain
from diaodu.projects.models import MonthlyReport, Project, ProjectYear
from diaodu.projects.services import create_project, set_project_year
from diaodu.workbooks.importers.base import Action, Mode
from diaodu.workbooks.importers.projects import ProgressImporter, ProjectsImporter
from diaodu.workbooks.project_exports import export_progress, progress_template, projects_template
from diaodu.workbooks.tests.books import xlsx

CODE_A = "2306-320723-89-02-799920"
CODE_B = "2401-320723-04-01-123456"
CREDIT = "91320723MA1MXXXXX" + domain.credit_code_check_char("91320723MA1MXXXXX")


@pytest.fixture
def projects(world: World) -> dict[str, Project]:
    officer = world.users["yishan"]
    a = create_project(
        actor=officer,
        org_unit=world.yishan,
        name="伊山镇新材料产业园项目",
        code=CODE_A,
        total_investment_wan=Decimal(200000),
    )
    b = create_project(
        actor=world.users["yangji"],
        org_unit=world.yangji,
        name="杨集镇农产品冷链项目",
        total_investment_wan=Decimal(30000),
    )
    for p, plan in ((a, 50000), (b, 8000)):
        set_project_year(p, actor=world.users["fgw"], year=2025, planned_investment_wan=Decimal(plan))
    return {"a": a, "b": b}


def progress_book(*rows: list[Any]) -> bytes:
    header_top = ["项目代码", "项目名称", "所在单位", "月份", "完成投资（万元）", None, "形象进度"]
    header_sub = [None, None, None, None, "本月", "累计", None]
    return xlsx(
        {"调度表": [["2025年重点项目调度表"], header_top, header_sub, *rows]},
        merges={
            "调度表": [
                ("A1:G1", "2025年重点项目调度表"),
                ("A2:A3", "项目代码"),
                ("B2:B3", "项目名称"),
                ("C2:C3", "所在单位"),
                ("D2:D3", "月份"),
                ("E2:F2", "完成投资（万元）"),
                ("G2:G3", "形象进度"),
            ]
        },
    )


def test_progress_two_row_header_create_then_idempotent(world: World, projects: dict[str, Project]) -> None:
    data = progress_book(
        [CODE_A, "伊山镇新材料产业园项目", "伊山镇", "2025-08", 3000, 3000, "主体施工"],
        [None, "伊山镇新材料产业园项目", "伊山", "2025-09", "0.25亿元", "5500", "封顶"],
    )
    plan = ProgressImporter(world.users["yishan"]).run(data, "调度.xlsx")
    assert plan.committed, plan.problems
    reports = list(MonthlyReport.objects.filter(project=projects["a"]).order_by("month"))
    assert [(r.month, r.ytd_wan, r.month_wan, r.progress) for r in reports] == [
        (8, Decimal("3000.00"), Decimal("3000.00"), "主体施工"),
        (9, Decimal("5500.00"), Decimal("2500.00"), "封顶"),
    ]
    assert AuditEvent.objects.filter(object_type="projects.monthlyreport", action="create").count() == 2
    again = ProgressImporter(world.users["yishan"]).run(data, "调度.xlsx")
    assert again.summary()["unchanged"] == 2 and again.written == 0


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ([CODE_A, None, None, "2025-09", None, -5, ""], "F", "不能为负数"),
        ([CODE_A, None, None, "2025-09", None, 250000, ""], "F", "超过项目总投资"),
        ([None, "杨集镇农产品冷链项目", "杨集镇", "2025-09", None, 100, ""], "C", "不在您的数据范围内"),
        ([None, "不存在的项目", "伊山镇", "2025-09", None, 100, ""], "B", "找不到项目“不存在的项目”"),
        (["2306-3207", None, None, "2025-09", None, 100, ""], "A", "项目代码“2306-3207”格式不对"),
        ([CODE_B, None, None, "2025-09", None, 100, ""], "A", "找不到项目代码"),
        ([CODE_A, None, None, "2025-12", None, 100, ""], "D", "不能填报未来月份"),
        ([CODE_A, None, None, "2025-09", 50, 100, ""], "E", "与累计完成投资不一致"),
    ],
)
def test_progress_located_errors(
    world: World, projects: dict[str, Project], row: list[Any], column: str, message: str
) -> None:
    plan = ProgressImporter(world.users["yishan"]).run(progress_book(row), "调度.xlsx")
    assert not plan.committed and not MonthlyReport.objects.exists()
    [problem] = plan.problems
    assert (problem.row, problem.column) == (4, column) and message in problem.message, problem


def test_progress_month_jump_and_below_previous(world: World, projects: dict[str, Project]) -> None:
    data = progress_book(
        [CODE_A, None, None, "2025-07", 100, 100, ""],
        [CODE_A, None, None, "2025-08", None, 2000, ""],
        [CODE_A, None, None, "2025-09", None, 1500, ""],
    )
    plan = ProgressImporter(world.users["yishan"]).run(data, "调度.xlsx")
    messages = [(p.row, p.message) for p in plan.problems]
    assert messages[0][0] == 5 and "请核实单位（万元/亿元）" in messages[0][1]
    assert messages[1][0] == 6  # checked against July, the last acceptable month
    below = progress_book(
        [CODE_A, None, None, "2025-07", 100, 100, ""], [CODE_A, None, None, "2025-08", None, 90, ""]
    )
    [problem] = ProgressImporter(world.users["yishan"]).run(below, "调度.xlsx").problems
    assert (problem.row, problem.column) == (5, "F") and "不能小于此前月份的累计" in problem.message


def test_progress_template_round_trip(world: World, projects: dict[str, Project]) -> None:
    export = progress_template(world.users["yishan"], {"month": "2025-09"})
    data, count = export.render()
    assert count == 1  # only 伊山镇's project
    assert (
        ProgressImporter(world.users["yishan"]).run(data, "t.xlsx", dry_run=True).summary()["rows_valid"] == 0
    )
    filled = progress_book([CODE_A, None, None, "2025-09", None, 4200, "设备安装"])
    assert ProgressImporter(world.users["yishan"]).run(filled, "f.xlsx").committed
    exported, _n = export_progress(world.users["fgw"], {"month": "2025-09"}).render()
    again = ProgressImporter(world.users["county"]).run(exported, "e.xlsx", dry_run=True)
    assert [r.action for r in again.rows] == [Action.UNCHANGED], again.problems


def projects_book(*rows: list[Any]) -> bytes:
    header = [
        "项目名称",
        "项目代码",
        "所在单位",
        "总投资(亿元)",
        "年度计划/万元",
        "统一社会信用代码",
        "项目层级",
    ]
    return xlsx({"项目库": [header, *rows]})


def test_projects_create_update_records_and_idempotent(world: World, projects: dict[str, Project]) -> None:
    data = projects_book(
        ["伊山镇新材料产业园项目", CODE_A, "伊山镇", 20, 60000, None, None],
        ["伊山镇智能装备项目", CODE_B, "伊山", "5.8亿元", "1.2万", CREDIT, "县级重点"],
    )
    plan = ProjectsImporter(world.users["yishan"]).run(data, "项目库.xlsx")
    assert plan.committed, plan.problems
    assert [r.action for r in plan.rows] == [Action.UPDATE, Action.CREATE]
    assert plan.summary()["records"] == [
        {"name": "伊山镇新材料产业园项目", "total_investment_wan": 200000.0, "annual_plan_wan": 60000.0},
        {"name": "伊山镇智能装备项目", "total_investment_wan": 58000.0, "annual_plan_wan": 1.2},
    ]
    new = Project.objects.get(code=CODE_B)
    assert new.level == "county" and new.investor_credit_code == CREDIT and new.org_unit == world.yishan
    assert ProjectYear.objects.get(project=projects["a"], year=2025).planned_investment_wan == Decimal(60000)
    again = ProjectsImporter(world.users["yishan"]).run(data, "项目库.xlsx")
    assert again.summary()["unchanged"] == 2


def test_projects_bad_codes_and_duplicates(world: World, projects: dict[str, Project]) -> None:
    before = Project.objects.count()
    data = projects_book(
        ["甲项目", CODE_B, "伊山镇", 1, None, "91320723MA1MXXXXX0", None],
        ["乙项目", CODE_B, "伊山镇", 1, None, None, "特级"],
        ["丙项目", "2025-32", "伊山镇", 1, None, None, None],
        ["丁项目", None, "杨集镇", 1, None, None, None],
        ["戊项目", None, "伊山镇", "待定", None, None, None],
    )
    plan = ProjectsImporter(world.users["yishan"]).run(data, "项目库.xlsx", mode=Mode.PARTIAL)
    found = [(p.row, p.column, p.message) for p in plan.problems]

    assert any(r == 2 and c == "F" and "统一社会信用代码" in m for r, c, m in found)
    assert any(r == 3 and c == "B" and "与第2行重复" in m for r, c, m in found)
    assert any(r == 3 and c == "G" and "不是可选的项目层级" in m for r, c, m in found)
    assert any(r == 4 and c == "B" and "格式不对" in m for r, c, m in found)
    assert any(r == 5 and c == "C" and "不在您的数据范围内" in m for r, c, m in found)
    assert any(r == 6 and c == "D" and "不是有效的数字" in m for r, c, m in found)
    assert plan.written == 0 and Project.objects.count() == before


def test_projects_template_has_dropdowns(world: World) -> None:
    data, _n = projects_template(world.users["yishan"], {}).render()
    import zipfile
    from io import BytesIO

    sheet = zipfile.ZipFile(BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<dataValidation" in sheet and "市级重点" in sheet and "<sheetProtection" in sheet


def test_cli_projects_json(world: World, projects: dict[str, Project], tmp_path: Path) -> None:
    path = tmp_path / "项目库.xlsx"
    path.write_bytes(projects_book(["伊山镇智能装备项目", CODE_B, None, "5.8亿元", None, None, None]))
    out = StringIO()
    call_command(
        "import",
        "projects",
        str(path),
        "--user",
        "yishan",
        "--unit",
        "320723-T02",
        "--json",
        "--dry-run",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["to_create"] == 1 and result["committed"] is False
    assert result["records"] == [
        {"name": "伊山镇智能装备项目", "total_investment_wan": 58000.0, "annual_plan_wan": None}
    ]
