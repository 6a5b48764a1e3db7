"""The import benchmark: a realistic dispatch workbook of N progress rows for existing projects, imported

- ``parse_s``: raw calamine read of the file (no normalisation);
- ``floor_s``: raw read + one ``bulk_create`` of the rows into MonthlyReport (no validation, no audit);
- ``total_s``: our full dry run + atomic commit (headers, units, every check, the bulk service, audit rows);
- ``peer_s``: the same rows through django-import-export's default ``ModelResource`` (dry run, then import),
  from a dataset with the project ids already resolved (the peer cannot read project codes by itself).

Registered as ``diaodu bench import`` in the shared registry (:mod:`diaodu.core.bench`), which runs it inside a
transaction rolled back afterwards; each measured step also runs in its own savepoint.
"""

from __future__ import annotations

import io
import random
import time
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction
from python_calamine import CalamineWorkbook

from diaodu.core import bench

YEAR = 2025


def _setup(projects: int) -> tuple[Any, list[Any]]:
    from diaodu.accounts.models import Role, User
    from diaodu.accounts.scope import DataScope, Perm
    from diaodu.orgunits.models import OrgUnit
    from diaodu.orgunits.services import seed_guanyun
    from diaodu.projects.models import Project, ProjectYear

    if not OrgUnit.objects.exists():
        seed_guanyun()
    towns = list(OrgUnit.objects.filter(kind="town").order_by("sort_order"))
    county = OrgUnit.objects.filter(parent__isnull=True, is_external=False).first()
    role = Role.objects.create(
        code="bench-officer",
        name="基准测试填报员",
        data_scope=DataScope.ALL,
        permissions=[Perm.ENTER_DATA, Perm.VIEW_DATA],
    )
    user = User.objects.create(username="bench-officer", org_unit=county, is_active=True)
    user.roles.add(role)
    rng = random.Random(2025)
    rows = []
    for i in range(projects):
        total = Decimal(rng.randrange(5_000, 500_000, 100))
        rows.append(
            Project(
                name=f"基准项目{i:05d}",
                code=f"2501-320723-{i % 100:02d}-01-{i:06d}",
                org_unit=towns[i % len(towns)],
                total_investment_wan=total,
            )
        )
    created = Project.objects.bulk_create(rows, batch_size=1000)
    if any(p.pk is None for p in created):
        created = list(Project.objects.filter(code__startswith="2501-320723-").order_by("pk"))
    ProjectYear.objects.bulk_create(
        [
            ProjectYear(
                project=p, year=YEAR, planned_investment_wan=(p.total_investment_wan / 3).quantize(Decimal(1))
            )
            for p in created
        ],
        batch_size=1000,
    )
    return user, created


def _workbook(projects: list[Any], months: int) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet("月度调度")
    ws.write_row(0, 0, ["2025年重点项目月度调度表（单位：万元）"])
    ws.write_row(
        1,
        0,
        [
            "项目代码",
            "项目名称",
            "所在单位",
            "总投资（万元）",
            "月份",
            "完成投资（万元）",
            None,
            "形象进度",
            "存在问题",
        ],
    )
    ws.write_row(2, 0, [None, None, None, None, None, "本月", "累计"])
    r = 3
    rng = random.Random(7)
    for p in projects:
        ytd = Decimal(0)
        for m in range(1, months + 1):
            month = (p.total_investment_wan / 40 * Decimal(rng.uniform(0.6, 1.4))).quantize(Decimal("0.01"))
            ytd += month
            ws.write_row(
                r,
                0,
                [
                    p.code,
                    p.name,
                    p.org_unit.name,
                    float(p.total_investment_wan),
                    f"{YEAR}-{m:02d}",
                    float(month),
                    float(ytd),
                    f"第{m}月主体施工",
                    "",
                ],
            )
            r += 1
    wb.close()
    return buf.getvalue()


def _raw_read(data: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _timed(fn: Any) -> tuple[float, Any]:
    sid = transaction.savepoint()
    start = time.perf_counter()
    try:
        result = fn()
        return time.perf_counter() - start, result
    finally:
        transaction.savepoint_rollback(sid)


def run_import_bench(*, rows: int, months: int = 4, peer: bool = True) -> dict[str, Any]:
    import time_machine

    from diaodu.projects.models import MonthlyReport
    from diaodu.workbooks.importers.base import Mode
    from diaodu.workbooks.importers.projects import ProgressImporter

    projects_n = max(1, rows // months)
    user, projects = _setup(projects_n)
    for p in projects:
        p.org_unit  # noqa: B018 - loaded for the workbook
    data = _workbook(projects, months)
    n = projects_n * months
    by_code = {p.code: p.pk for p in projects}

    parse_s, _grid = _timed(lambda: _raw_read(data))

    def floor() -> int:
        grid = _raw_read(data)
        objs = []
        for row in grid[3:]:
            objs.append(
                MonthlyReport(
                    project_id=by_code[row[0]],
                    year=YEAR,
                    month=int(str(row[4])[-2:]),
                    month_wan=Decimal(str(row[5])),
                    ytd_wan=Decimal(str(row[6])),
                    progress=row[7] or "",
                )
            )
        MonthlyReport.objects.bulk_create(objs, batch_size=1000)
        return len(objs)

    floor_s, _ = _timed(floor)

    def ours() -> Any:
        importer = ProgressImporter(user)
        plan = importer.dry_run(data, "bench.xlsx")
        plan.mode = Mode.ATOMIC
        return importer.commit(plan)

    with time_machine.travel("2025-12-15 10:00 +0800", tick=True):
        total_s, plan = _timed(ours)
    figures: dict[str, Any] = {
        "rows": n,
        "parse_s": round(parse_s, 3),
        "floor_s": round(floor_s, 3),
        "total_s": round(total_s, 3),
        "ratio_to_floor": round(total_s / floor_s, 2),
        "committed": plan.committed,
        "written": plan.written,
        "errors": len(plan.problems),
    }
    if peer:
        peer_s = _timed(lambda: _peer(data, by_code))[0]
        figures["peer_s"] = round(peer_s, 3)
        figures["speedup_vs_peer"] = round(peer_s / total_s, 2)
    return figures


def _peer(data: bytes, by_code: dict[str, int]) -> None:
    import tablib
    from import_export import resources

    from diaodu.projects.models import MonthlyReport

    class ReportResource(resources.ModelResource):
        class Meta:
            model = MonthlyReport

    grid = _raw_read(data)
    dataset = tablib.Dataset(headers=["id", "project", "year", "month", "month_wan", "ytd_wan", "progress"])
    for row in grid[3:]:
        dataset.append(["", by_code[row[0]], YEAR, int(str(row[4])[-2:]), row[5], row[6], row[7] or ""])
    resource = ReportResource()
    result = resource.import_data(dataset, dry_run=True, raise_errors=True)
    assert not result.has_errors()
    resource.import_data(dataset, dry_run=False, raise_errors=True)


def _arguments(parser: Any) -> None:
    parser.add_argument("--rows", type=int, default=10_000, help="调度表行数 / rows in the dispatch workbook")
    parser.add_argument("--months", type=int, default=4, help="每个项目的月数 / months per project")
    parser.add_argument(
        "--no-peer", action="store_true", help="不跑 django-import-export 对照 / skip the peer"
    )


def _run(*, rows: int, months: int, no_peer: bool, **_options: Any) -> dict[str, Any]:
    from django.db import connection

    figures = run_import_bench(rows=rows, months=months, peer=not no_peer)
    figures["database"] = connection.vendor
    return figures


bench.register(
    "import",
    help="Excel调度表导入速度（与直接批量写入、django-import-export 对比）/ import speed",
    arguments=_arguments,
    run=_run,
    rollback=True,
)
