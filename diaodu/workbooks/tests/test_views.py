"""The web flow: upload → preview (dry run, located errors, error workbook) → commit; background jobs; exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.audit.models import AuditEvent
from diaodu.core.testing.authz import YISHAN, World
from diaodu.plans.models import Actual
from diaodu.workbooks.models import ImportJob, JobStatus
from diaodu.workbooks.read import read_workbook
from diaodu.workbooks.tests.books import xlsx

HEADER = ["填报单位", "月份", "指标名称", "累计值", "数据来源"]
GOOD = ["伊山镇", "2025-04", "测试一般公共预算收入", 1.5, "财政局"]


def result(job: ImportJob) -> dict[str, Any]:
    assert job.result is not None
    return job.result


def client_for(world: World, username: str) -> Client:
    c = Client()
    c.force_login(world.users[username])
    return c


def upload(c: Client, data: bytes, **fields: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"file": SimpleUploadedFile("实绩.xlsx", data), "mode": "atomic", **fields}
    return c.post(reverse("workbooks:upload", args=["actuals"]), payload)


def test_upload_preview_fix_and_commit(world: World) -> None:
    c = client_for(world, "yishan")
    bad = xlsx(
        {
            "实绩": [
                HEADER,
                GOOD,
                ["伊山镇", "2025-05", "测试一般公共预算收入", "待统计", "<script>alert(1)</script>"],
                ["杨集镇", "2025-05", "测试一般公共预算收入", 2, ""],
            ]
        }
    )
    response = upload(c, bad)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workbooks:job", args=[job.pk])
    page = c.get(response["Location"])
    html = page.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert 'data-cell="D3"' in html and "累计值：“待统计”不是有效的数字" in html
    assert 'data-cell="A4"' in html and "无权向“杨集镇”导入数据" in html
    assert "<script>alert(1)</script>" not in html  # shown escaped
    assert not Actual.objects.filter(month__in=[4, 5], org_unit=world.yishan).exists()

    # The error workbook marks the two bad cells and lists both problems.
    errors = c.get(reverse("workbooks:errors", args=[job.pk]))
    assert errors.status_code == 200 and errors["Content-Type"].startswith("application/vnd.openxmlformats")
    book = read_workbook(errors.content, "e.xlsx")
    assert [s.name for s in book.sheets] == ["错误清单", "实绩"]
    listing = book.sheets[0].rows
    assert [(r[1], r[2]) for r in listing[1:]] == [(3, "D"), (4, "A")]
    assert "错误" in str(book.sheets[1].rows[2][-1])

    # Atomic commit is refused while there are errors; nothing written.
    c.post(reverse("workbooks:commit", args=[job.pk]), {"mode": "atomic"})
    assert not Actual.objects.filter(month__in=[4, 5], org_unit=world.yishan).exists()

    # Fixed file: preview is clean, commit writes through the service.
    fixed = xlsx(
        {"实绩": [HEADER, GOOD, ["伊山镇", "2025-05", "测试一般公共预算收入", "1.8亿元", "<b>财政局</b>"]]}
    )
    response = upload(c, fixed)
    job = ImportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.status == JobStatus.CHECKED
    assert result(job)["summary"]["to_create"] == 2
    response = c.post(reverse("workbooks:commit", args=[job.pk]), {"mode": "atomic"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    may = Actual.objects.get(org_unit=world.yishan, month=5)
    assert may.ytd_value == Decimal("1.8") and may.note == "<b>财政局</b>"  # stored as text
    assert "导入完成" in c.get(reverse("workbooks:job", args=[job.pk])).content.decode()
    entry = c.get(reverse("plans:entry"), {"unit": YISHAN, "month": "2025-05"}).content.decode()
    assert "&lt;b&gt;财政局&lt;/b&gt;" in entry


def test_other_users_cannot_see_a_job(world: World) -> None:
    upload(client_for(world, "yishan"), xlsx({"实绩": [HEADER, GOOD]}))
    job = ImportJob.objects.get()
    assert client_for(world, "fgw").get(reverse("workbooks:job", args=[job.pk])).status_code == 404
    assert client_for(world, "county").get(reverse("workbooks:errors", args=[job.pk])).status_code == 404


def test_large_files_run_in_the_background(world: World, settings: Any) -> None:
    settings.DIAODU_IMPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    c = client_for(world, "yishan")
    rows = [["伊山镇", f"2025-{m:02d}", "测试一般公共预算收入", 0.3 * m + 0.1, ""] for m in range(4, 9)]
    upload(c, xlsx({"实绩": [HEADER, *rows]}))
    job = ImportJob.objects.get()
    assert job.background and job.status == JobStatus.QUEUED
    partial = c.get(reverse("workbooks:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'data-testid="progress"' in partial
    assert "<html" not in partial

    from diaodu.workbooks.jobs import execute

    execute(str(job.pk), commit=False)  # what the worker does
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and result(job)["summary"]["to_create"] == 5
    c.post(reverse("workbooks:commit", args=[job.pk]), {"mode": "atomic"})
    execute(str(job.pk), commit=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    assert Actual.objects.filter(org_unit=world.yishan, month__gte=4).count() == 5


def test_exports_are_audited_and_match_the_page(world: World) -> None:
    c = client_for(world, "yishan")
    response = c.get(reverse("workbooks:export", args=["targets"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = read_workbook(response.content, "t.xlsx").sheets[0]
    assert sheet.rows[0][0] == "目标清单"
    assert [r[4] for r in sheet.rows[3:]] == ["伊山镇", "伊山镇"]  # only what 伊山镇 may see
    event = AuditEvent.objects.get(object_type="workbooks.export")
    after: dict[str, Any] = event.after or {}
    assert event.actor == world.users["yishan"] and event.action == "export"
    assert after["kind"] == "targets" and after["rows"] == 2 and after["file"].startswith("目标清单-")


@pytest.mark.parametrize("kind", ["cockpit", "review", "actuals", "entry"])
def test_every_export_opens(world: World, kind: str) -> None:
    user = "fgw" if kind == "review" else "yishan"
    params = {"unit": YISHAN, "month": "2025-03"} if kind != "review" else {}
    response = client_for(world, user).get(reverse("workbooks:export", args=[kind]), params)
    assert response.status_code == 200
    assert read_workbook(response.content, "x.xlsx").sheets


def test_pages_link_to_excel(world: World) -> None:
    c = client_for(world, "yishan")
    for url in (reverse("plans:targets"), reverse("cockpit:home"), reverse("plans:entry")):
        assert 'data-testid="export-link"' in c.get(url).content.decode()
    assert 'data-testid="import-link"' in c.get(reverse("plans:entry")).content.decode()
    assert "导入Excel" in c.get(reverse("plans:targets")).content.decode()
