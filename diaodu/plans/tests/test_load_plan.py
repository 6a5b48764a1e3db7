"""Loading the real Guanyun plan file: idempotent, audited, and visible through ``plan status``."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.plans.models import Actual, ActualStatus, Indicator, Plan, Target
from diaodu.plans.services import sort_orders
from diaodu.plans.tests.conftest import PLAN_FILE
from diaodu.supervision.models import KeyTask

STATUS_KEYS = [
    "indicator",
    "org_unit",
    "org_unit_code",
    "value",
    "unit",
    "comparator",
    "level",
    "quote",
    "actual",
    "status",
]
TARGET_FIELDS = [
    "key",
    "section",
    "indicator_id",
    "org_unit_id",
    "year",
    "value",
    "comparator",
    "level",
    "quote",
    "quote_position",
    "deadline",
    "relative_to_id",
    "parent_id",
    "sort_order",
]


def load(path: Path, source_args: list[str]) -> str:
    out = io.StringIO()
    call_command("plan", "load", str(path), *source_args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def status_rows(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("plan", "status", "--year", "2025", "--as-of", "2025-09", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def target_rows() -> list[tuple]:
    return list(Target.objects.order_by("key").values_list(*TARGET_FIELDS))


@pytest.fixture
def loaded(guanyun_units, source_args: list[str]) -> str:  # type: ignore[no-untyped-def]
    return load(PLAN_FILE, source_args)


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    path = tmp_path / "guanyun-2025.yaml"
    path.write_text(PLAN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def edit_target(path: Path, key: str, pattern: str, replacement: str) -> None:
    """Apply a regex substitution inside the block of target ``key`` only."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- key: {key}\n")
    end = text.find("\n  - key:", start + 1)
    end = len(text) if end < 0 else end
    block, count = re.subn(pattern, replacement, text[start:end], count=1)
    assert count == 1
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def remove_target(path: Path, key: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - key: {key}\n")
    end = text.find("\n  - key:", start + 1) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")


@pytest.mark.django_db
def test_it_loads_the_guanyun_plan(loaded: str, speech_path: Path | None) -> None:
    n_targets = Target.objects.count()
    assert loaded == (
        f"已导入计划 guanyun-2025：指标 新增{Indicator.objects.count()}/更新0/未变0，"
        f"目标 新增{n_targets}/更新0/未变0/删除0，重点任务 新增{KeyTask.objects.count()}/更新0/未变0/删除0"
    )
    assert n_targets >= 45
    plan = Plan.objects.get(code="guanyun-2025")
    assert plan.year == 2025 and plan.org_unit.code == "320723"
    assert plan.loaded_at is not None and len(plan.file_sha256) == 64
    targets = list(plan.targets.all())
    assert all(t.quote.strip() for t in targets)
    assert [t.sort_order for t in targets] == [10 * i for i in range(n_targets)]
    assert Target.objects.filter(parent__isnull=False).count() >= 9
    # one audit row per created object
    assert (
        AuditEvent.objects.filter(object_type="plans.target", action=AuditAction.CREATE).count() == n_targets
    )
    if speech_path is not None:
        assert plan.source_text == speech_path.read_text(encoding="utf-8")
        for t in targets:
            assert t.quote_position is not None, t.key
            assert plan.source_text[t.quote_position] == re.sub(r"\s+", "", t.quote)[0], t.key


@pytest.mark.django_db
def test_loading_twice_changes_nothing(loaded: str, source_args: list[str]) -> None:
    rows, audit_count = target_rows(), AuditEvent.objects.count()
    plan = Plan.objects.get(code="guanyun-2025")
    n = len(rows)
    again = load(PLAN_FILE, source_args)
    assert again == (
        f"已导入计划 guanyun-2025：指标 新增0/更新0/未变{Indicator.objects.count()}，目标 新增0/更新0/未变{n}/删除0"
        f"，重点任务 新增0/更新0/未变{KeyTask.objects.count()}/删除0"
    )
    assert AuditEvent.objects.count() == audit_count
    assert target_rows() == rows
    assert Plan.objects.get(pk=plan.pk).loaded_at == plan.loaded_at


@pytest.mark.django_db
def test_editing_a_value_updates_only_that_target(
    loaded: str, plan_copy: Path, source_args: list[str]
) -> None:
    edit_target(plan_copy, "county-gdp-growth", r"value: 7\n", "value: 7.5\n")
    rows = {r[0]: r for r in target_rows()}
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    summary = load(plan_copy, source_args)

    assert "目标 新增0/更新1/" in summary and "/删除0" in summary
    gdp = Target.objects.get(key="county-gdp-growth")
    assert gdp.value == Decimal("7.5")
    changed = {k for k, r in ((r[0], r) for r in target_rows()) if rows[k] != r}
    assert changed == {"county-gdp-growth"}
    new_events = AuditEvent.objects.filter(id__gt=last_id)
    target_events = list(new_events.filter(object_type="plans.target"))
    assert len(target_events) == 1
    event = target_events[0]
    assert event.action == AuditAction.UPDATE
    assert event.object_id == str(gdp.pk)
    assert event.before == {"value": "7"} and event.after == {"value": "7.5"}
    assert event.actor_name == "cli"
    # The only other row records the new file checksum of the plan.
    others = list(new_events.exclude(object_type="plans.target"))
    assert [(e.object_type, set(e.after or {})) for e in others] == [("plans.plan", {"file_sha256"})]


@pytest.mark.django_db
def test_removing_a_target_deletes_it(loaded: str, plan_copy: Path, source_args: list[str]) -> None:
    doomed = Target.objects.get(key="county-foreign-trade-growth")
    remove_target(plan_copy, "county-foreign-trade-growth")
    n = Target.objects.count()

    summary = load(plan_copy, source_args)

    assert f"目标 新增0/更新0/未变{n - 1}/删除1，" in summary
    assert not Target.objects.filter(key="county-foreign-trade-growth").exists()
    event = AuditEvent.objects.get(object_type="plans.target", action=AuditAction.DELETE)
    assert event.object_id == str(doomed.pk)
    assert event.before is not None
    assert event.before["key"] == "county-foreign-trade-growth"
    assert event.before["value"] == "11"
    assert event.after is None


@pytest.mark.django_db
def test_a_changed_parent_is_updated_in_place(loaded: str, plan_copy: Path, source_args: list[str]) -> None:
    child = Target.objects.filter(parent__isnull=False).first()
    assert child is not None
    old_parent = child.parent_id
    edit_target(plan_copy, child.key, r"\n    parent: [^\n]+", "")
    load(plan_copy, source_args)
    child.refresh_from_db()
    assert child.parent_id is None
    event = AuditEvent.objects.get(object_type="plans.target", action=AuditAction.UPDATE)
    assert event.object_id == str(child.pk)
    assert event.before == {"parent": old_parent} and event.after == {"parent": None}


@pytest.mark.django_db
def test_inserting_a_target_does_not_renumber_the_others(
    loaded: str, plan_copy: Path, source_args: list[str]
) -> None:
    text = plan_copy.read_text(encoding="utf-8")
    anchor = "  - key: county-fai-growth\n"
    extra = (
        "  - key: county-gdp-growth-stretch\n    section: 主要预期目标\n    indicator: gdp\n"
        '    org_unit: "320723"\n    value: 8\n    comparator: ">="\n    level: stretch\n'
        '    quote: "地区生产总值增长7%以上"\n'
    )
    plan_copy.write_text(text.replace(anchor, extra + anchor, 1), encoding="utf-8")
    n = Target.objects.count()
    summary = load(plan_copy, source_args)
    assert f"目标 新增1/更新0/未变{n}/删除0，" in summary
    orders = list(Target.objects.order_by("sort_order").values_list("key", flat=True))
    assert orders[:3] == ["county-gdp-growth", "county-gdp-growth-stretch", "county-fai-growth"]


def test_sort_orders_keep_what_they_can() -> None:
    current = {k: i * 10 for i, k in enumerate("abcde")}
    assert sort_orders(list("abde"), current) == {"a": 0, "b": 10, "d": 30, "e": 40}
    assert sort_orders(list("axbcd"), current) == {"a": 0, "x": 5, "b": 10, "c": 20, "d": 30}
    assert sort_orders(list("abcdef"), current)["f"] == 50
    swapped = sort_orders(list("bacde"), current)
    assert list(swapped.values()) == sorted(swapped.values())
    assert sum(swapped[k] != current[k] for k in swapped) <= 2
    # no room left in the gap: everything is renumbered, order preserved
    crowded = sort_orders(list("a" + "uvwxyzpqrst" + "b"), current)
    assert list(crowded.values()) == sorted(crowded.values())


@pytest.mark.django_db
def test_status_json_is_grey_without_actuals(loaded: str) -> None:
    rows = status_rows()
    assert len(rows) == Target.objects.count()
    assert all(list(row)[: len(STATUS_KEYS)] == STATUS_KEYS for row in rows)
    assert {row["status"] for row in rows} == {"grey"}
    assert all(row["actual"] is None for row in rows)
    first = rows[0]
    assert first["indicator"] == "地区生产总值" and first["org_unit"] == "灌云县"
    assert first["org_unit_code"] == "320723" and first["value"] == 7 and first["unit"] == "%"
    assert first["comparator"] == ">=" and first["level"] == "plain"
    assert first["quote"] == "地区生产总值增长7%以上"
    assert [r["key"] for r in rows] == list(
        Target.objects.order_by("sort_order").values_list("key", flat=True)
    )


@pytest.mark.django_db
def test_status_turns_green_with_an_approved_actual(loaded: str, guanyun_units) -> None:  # type: ignore[no-untyped-def]
    Actual.objects.create(
        indicator=Indicator.objects.get(code="gdp"),
        org_unit=guanyun_units["320723"],
        year=2025,
        month=9,
        growth_pct=Decimal("7.5"),
        status=ActualStatus.APPROVED,
    )
    rows = status_rows("--plan", "guanyun-2025", "--unit", "320723")
    gdp = next(r for r in rows if r["key"] == "county-gdp-growth")
    assert gdp["status"] == "green"
    assert gdp["actual"] == 7.5
    assert gdp["data_month"] == 9
    # 居民人均可支配收入 follows GDP growth; it has no figure of its own yet.
    income = next(r for r in rows if r["key"] == "county-disposable-income-growth")
    assert income["status"] == "grey" and income["value"] is None
    assert all(r["org_unit_code"] == "320723" for r in rows)


@pytest.mark.django_db
def test_status_table_is_readable(loaded: str) -> None:
    out = io.StringIO()
    call_command("plan", "status", "--as-of", "2025-09", "--unit", "临港", "--below", stdout=out)
    text = out.getvalue()
    assert text.startswith("2025年截至9月 目标")
    assert "签约投资过亿元重点产业项目数" in text and "≥32个" in text
