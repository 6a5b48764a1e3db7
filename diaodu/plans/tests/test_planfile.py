"""Validation of plan files: every problem is located (line, field) and nothing is written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from diaodu.audit.models import AuditEvent
from diaodu.plans.models import Indicator, Plan, Target
from diaodu.plans.planfile import NO_SOURCE_WARNING, PlanFileError, find_quote, parse_plan

SOURCE = "全县地区生产总值增长7%\n以上，签约项目160个以上。伊山镇签约\n\n项目5个。\n"

VALID = """\
plan:
  code: test-2025
  title: 测试计划
  year: 2025
  org_unit: "320723"
indicators:
  - code: gdp
    name: 地区生产总值
    unit: "%"
    value_unit: 亿元
    measure: growth
    direction: higher
    accumulation: ytd
    rollup: none
  - code: signed
    name: 签约项目数
    unit: 个
    measure: count
    direction: higher
    accumulation: ytd
    rollup: sum
targets:
  - key: county-gdp
    section: 主要预期目标
    indicator: gdp
    org_unit: "320723"
    value: 7
    comparator: ">="
    level: plain
    quote: "地区生产总值增长7%以上"
  - key: county-signed
    indicator: signed
    org_unit: 灌云县
    value: 160
    comparator: ">="
    level: stretch
    quote: "签约项目160个以上"
  - key: yishan-signed
    indicator: signed
    org_unit: 伊山
    value: "5"
    comparator: ">="
    level: plain
    parent: county-signed
    deadline: 2025-06-30
    quote: "伊山镇 签约项目5个"
"""

DUPLICATE_TARGET = """\
  - key: county-signed-again
    indicator: signed
    org_unit: "320723"
    value: 150
    comparator: ">="
    level: stretch
    quote: "签约项目160个以上"
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def edit(old: str, new: str, *, count: int = 1) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, count)


def counts() -> tuple[int, int, int, int]:
    return Plan.objects.count(), Indicator.objects.count(), Target.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    path = tmp_path / "speech.txt"
    path.write_text(SOURCE, encoding="utf-8")
    return path


@pytest.fixture
def run_load(tmp_path: Path, source_file: Path, guanyun_units):  # type: ignore[no-untyped-def]
    """Write ``text`` as a plan file and load it through the command; returns (stdout, stderr)."""

    def run(text: str, *extra: str, expect_error: bool) -> tuple[str, str]:
        path = tmp_path / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        args = ["plan", "load", str(path), "--source", str(source_file), *extra]
        if expect_error:
            with pytest.raises(CommandError, match="未导入任何数据"):
                call_command(*args, stdout=out, stderr=err)
        else:
            call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run


def _case(old: str, new: str, needle: str, field: str, message: str, *, extra: str = "") -> tuple:
    text = edit(old, new) if old else VALID + extra
    return text, f"第{line_of(text, needle)}行 {field}：{message}"


CASES = {
    "wrong unit": _case("unit: 个", "unit: 公斤", "unit: 公斤", "indicators[1].unit", "“公斤”不是有效的取值"),
    "growth indicator not in percent": _case(
        'unit: "%"', "unit: 亿元", "unit: 亿元", "indicators[0].unit", "增速、比率类指标的单位应为“%”"
    ),
    "unknown org unit": _case(
        "org_unit: 伊山\n",
        "org_unit: 伊山乡\n",
        "org_unit: 伊山乡",
        "targets[2].org_unit",
        "找不到单位“伊山乡”（请填写单位编码或全称）",
    ),
    "bad comparator": _case(
        'comparator: ">="', 'comparator: ">"', 'comparator: ">"', "targets[0].comparator", "“>”不是有效的取值"
    ),
    "quote not in source": _case(
        'quote: "签约项目160个以上"',
        'quote: "签约项目170个以上"',
        "签约项目170个以上",
        "targets[1].quote",
        "原文中找不到这句引文",
    ),
    "empty quote": _case(
        'quote: "签约项目160个以上"', 'quote: "  "', 'quote: "  "', "targets[1].quote", "不能为空"
    ),
    "duplicate target": _case(
        "",
        "",
        "- key: county-signed-again",
        "targets[3]",
        f"与第{line_of(VALID, '- key: county-signed')}行的目标重复（指标、单位、层级和期限都相同）",
        extra=DUPLICATE_TARGET,
    ),
    "duplicate mapping key": _case(
        "    value: 7\n",
        "    value: 7\n    value: 8\n",
        "value: 8",
        "targets[0].value",
        f"字段“value”重复（第{line_of(VALID, 'value: 7')}行已出现）",
    ),
    "duplicate target key": _case(
        "- key: yishan-signed",
        "- key: county-gdp",
        "- key: county-gdp\n    indicator: signed",
        "targets[2].key",
        f"目标键“county-gdp”重复（第{line_of(VALID, '- key: county-gdp')}行已使用）",
    ),
    "duplicate indicator code": _case(
        "- code: signed",
        "- code: gdp",
        "- code: gdp\n    name: 签约",
        "indicators[1].code",
        f"指标编码“gdp”重复（第{line_of(VALID, '- code: gdp')}行已定义）",
    ),
    "missing value": _case("    value: 7\n", "", "- key: county-gdp", "targets[0].value", "缺少目标值"),
    "unknown indicator": _case(
        "indicator: gdp", "indicator: gpd", "indicator: gpd", "targets[0].indicator", "找不到指标“gpd”"
    ),
    "deadline outside the year": _case(
        "deadline: 2025-06-30",
        "deadline: 2026-06-30",
        "deadline: 2026",
        "targets[2].deadline",
        "期限 2026-06-30 不在计划年度 2025 年内",
    ),
    "deadline not a date": _case(
        "deadline: 2025-06-30",
        "deadline: 六月底",
        "deadline: 六月底",
        "targets[2].deadline",
        "期限应为日期（如 2025-06-30），而不是“六月底”",
    ),
    "bad level": _case(
        "level: stretch", "level: 力争", "level: 力争", "targets[1].level", "“力争”不是有效的取值"
    ),
    "non-numeric value": _case(
        'value: "5"', "value: 五个", "value: 五个", "targets[2].value", "目标值应为数字，而不是“五个”"
    ),
    "too many decimals": _case(
        "value: 160",
        "value: 160.12345",
        "value: 160.12345",
        "targets[1].value",
        "数值“160.12345”最多保留4位小数",
    ),
    "unknown parent": _case(
        "parent: county-signed",
        "parent: county-sign",
        "parent: county-sign",
        "targets[2].parent",
        "找不到上级目标“county-sign”",
    ),
    "unknown field": _case(
        '    level: plain\n    quote: "地区',
        '    levle: plain\n    quote: "地区',
        "levle: plain",
        "targets[0].levle",
        "未知字段“levle”",
    ),
    "missing plan year": _case("  year: 2025\n", "", "  code: test-2025", "plan.year", "缺少必填字段"),
    "bad yaml syntax": _case(
        "    level: plain\n", "    level: plain: yes\n", "level: plain: yes", "", "YAML 格式错误"
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_it_locates_the_problem_and_writes_nothing(run_load, text: str, expected: str) -> None:
    before = counts()
    _out, err = run_load(text, expect_error=True)
    lines = err.splitlines()
    if expected.startswith("第") and " ：" in expected:  # whole-file problem: "第N行：..."
        expected = expected.replace(" ：", "：")
    assert any(line.startswith(expected) for line in lines), err
    assert counts() == before


@pytest.mark.django_db
def test_it_reports_every_problem_in_file_order(run_load) -> None:
    text = (
        VALID.replace("unit: 个", "unit: 公斤")
        .replace("org_unit: 伊山\n", "org_unit: 伊山乡\n")
        .replace("deadline: 2025-06-30", "deadline: 2026-06-30")
    )
    before = counts()
    _out, err = run_load(text, expect_error=True)
    problems = [line for line in err.splitlines() if line.startswith("第")]
    assert [p.split(" ")[1].split("：")[0] for p in problems] == [
        "indicators[1].unit",
        "targets[2].org_unit",
        "targets[2].deadline",
    ]
    assert "请先运行 diaodu demo 或 diaodu orgunits seed" in err
    assert counts() == before


@pytest.mark.django_db
def test_it_asks_for_org_units_when_there_are_none(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(CommandError, match="请先运行 diaodu demo 或 diaodu orgunits seed"):
        call_command("plan", "load", str(path))
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_it_loads_a_valid_file(run_load) -> None:
    out, _err = run_load(VALID, expect_error=False)
    assert out.strip() == "已导入计划 test-2025：指标 新增2/更新0/未变0，目标 新增3/更新0/未变0/删除0"
    yishan = Target.objects.select_related("org_unit", "parent").get(key="yishan-signed")
    assert yishan.org_unit.code == "320723-T02"  # resolved from the short name 伊山
    assert yishan.parent is not None and yishan.parent.key == "county-signed"
    assert yishan.value == Decimal("5")
    assert yishan.deadline == dt.date(2025, 6, 30)
    assert SOURCE[yishan.quote_position :].startswith("伊山镇签约")
    plan = Plan.objects.get(code="test-2025")
    assert plan.source_text == SOURCE
    assert len(plan.file_sha256) == 64


@pytest.mark.django_db
def test_dry_run_writes_nothing(run_load) -> None:
    before = counts()
    out, _err = run_load(VALID, "--dry-run", expect_error=False)
    assert out.startswith("试运行（未写入数据库）：将导入计划 test-2025：指标 新增2")
    assert counts() == before


# ----------------------------------------------------------------------------- without a database


def test_it_collects_problems_without_lookups() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan(edit("level: stretch", "level: 力争").replace("unit: 个", "unit: 斤"))
    fields = [p.field for p in info.value.errors]
    assert fields == ["indicators[1].unit", "targets[1].level"]
    assert all(p.line for p in info.value.errors)


def test_it_warns_when_quotes_cannot_be_checked() -> None:
    spec = parse_plan(VALID)
    assert spec.warnings == (NO_SOURCE_WARNING,)
    assert all(t.quote_position is None for t in spec.targets)
    assert [t.key for t in spec.targets] == ["county-gdp", "county-signed", "yishan-signed"]


def test_it_reports_an_empty_file() -> None:
    with pytest.raises(PlanFileError, match="计划文件是空的"):
        parse_plan("# nothing here\n")


def test_it_requires_the_top_level_sections() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan("plan:\n  code: x\n")
    messages = [str(p) for p in info.value.errors]
    assert "第1行 indicators：缺少顶层字段" in messages
    assert "第1行 targets：缺少顶层字段" in messages


def test_find_quote_maps_back_to_the_original_text() -> None:
    assert find_quote(SOURCE, "增长7% 以上") == SOURCE.index("增长7%")
    assert find_quote(SOURCE, "伊山镇签约项目5个") == SOURCE.index("伊山镇")
    assert find_quote(SOURCE, "项目6个") is None
