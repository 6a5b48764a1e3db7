"""The plan file exported from the accepted result is one ``diaodu plan load`` accepts, and loads back unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from diaodu.compiler import services
from diaodu.compiler.planexport import export_plan_file
from diaodu.compiler.tests.conftest import item_named
from diaodu.plans.models import Indicator, Plan, Target
from diaodu.plans.services import read_plan_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(document, personas):  # type: ignore[no-untyped-def]
    actor = personas["fgw"]
    for name in (
        "地区生产总值",
        "一般公共预算收入",
        "签约投资过亿元重点产业项目",
        "签约投资过10亿元重点产业项目",
    ):
        services.accept_item(item_named(document, name), actor=actor)
    services.update_item(
        document.items.get(kind="task"), actor=actor, values={"leader": "分管临港产业区的县级领导"}
    )
    services.accept_item(document.items.get(kind="task"), actor=actor)
    services.discard_item(item_named(document, "实际利用外资"), actor=actor)
    return document


def _snapshot(plan: Plan) -> list[tuple]:
    return [
        (
            t.key,
            t.indicator.code,
            t.org_unit.code,
            t.value,
            t.comparator,
            t.level,
            t.quote,
            t.deadline,
            t.parent.key if t.parent else None,
            t.section,
        )
        for t in Target.objects.filter(plan=plan)
        .select_related("indicator", "org_unit", "parent")
        .order_by("sort_order")
    ]


def test_the_export_validates_and_names_the_accepted_targets(accepted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.yaml"
    path.write_text(export_plan_file(accepted), encoding="utf-8")
    spec = read_plan_file(path)
    assert spec.code == "draft-2025" and spec.year == 2025 and spec.org_unit == "320723"
    assert [t.quote for t in spec.targets] == [
        "全县地区生产总值增长7%以上",
        "一般公共预算收入增长2%以上",
        "签约投资过亿元重点产业项目20个以上",
        "其中过10亿元3个以上",
    ]
    tier = spec.targets[3]
    assert tier.parent == spec.targets[2].key and tier.org_unit == "320723-Z01"
    assert {i.name for i in spec.indicators} >= {"地区生产总值", "一般公共预算收入"}
    [task] = spec.tasks or ()
    assert task.quote == "6月底前完成石化产业基地总体规划编制" and task.deadline == dt.date(2025, 6, 30)
    assert task.owner == "320723-Z01" and task.leader == "分管临港产业区的县级领导"


def test_loading_the_export_changes_no_target_and_creates_the_task(accepted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from diaodu.supervision.models import KeyTask

    before = _snapshot(accepted.plan)
    path = tmp_path / "plan.yaml"
    path.write_text(export_plan_file(accepted), encoding="utf-8")
    call_command("plan", "load", str(path))
    assert _snapshot(accepted.plan) == before
    [task] = KeyTask.objects.filter(plan=accepted.plan)
    assert task.key == accepted.items.get(kind="task").task_key and task.owner.code == "320723-Z01"
    # Exporting again lists the task once (now a key task), so the file stays loadable.
    again = tmp_path / "again.yaml"
    again.write_text(export_plan_file(accepted), encoding="utf-8")
    assert len(read_plan_file(again).tasks or ()) == 1


def test_the_export_rebuilds_the_plan_in_an_empty_database(accepted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot(accepted.plan)
    path = tmp_path / "plan.yaml"
    path.write_text(export_plan_file(accepted), encoding="utf-8")
    from diaodu.compiler.models import SourceDocument
    from diaodu.supervision.models import KeyTask

    SourceDocument.objects.all().delete()
    KeyTask.objects.all().delete()
    Plan.objects.all().delete()
    Indicator.objects.filter(code__startswith="x-").delete()
    call_command("plan", "load", str(path))
    assert _snapshot(Plan.objects.get(code="draft-2025")) == before
