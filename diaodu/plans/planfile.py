"""Reading and validating a plan file (计划文件, e.g. ``plans/guanyun-2025.yaml``).

Nothing here touches the database: whatever must be looked up (existing indicators, org units) comes in
as a callable, so the rules can be tested on plain values. :func:`parse_plan_file` either returns a
:class:`PlanSpec` or raises :class:`PlanFileError` listing *every* problem found, each with the 1-based
line of the offending YAML node and a Chinese message, e.g.
``第12行 targets[3].org_unit：找不到单位“伊山乡”（请填写单位编码或全称）``.

The YAML is composed (not loaded) with the safe loader so that every value keeps its position; duplicate
mapping keys, which PyYAML would silently collapse, are rejected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from diaodu.plans.models import UNIT_CHOICES, Accumulation, Comparator, Direction, Level, Measure, Rollup

__all__ = [
    "IndicatorLookup",
    "IndicatorSpec",
    "MilestoneEntry",
    "OrgUnitLookup",
    "PlanFileError",
    "PlanFileProblem",
    "PlanSpec",
    "TargetEntry",
    "TaskEntry",
    "find_quote",
    "parse_plan",
    "parse_plan_file",
]

# True if an indicator with this code already exists (in the database).
IndicatorLookup = Callable[[str], bool]
# Codes of the org units whose code, full name or short name equals the text (empty: none, >1: ambiguous).
OrgUnitLookup = Callable[[str], Sequence[str]]

UNITS: tuple[str, ...] = tuple(u for u, _label in UNIT_CHOICES)
NO_SOURCE_WARNING = "未提供原文，未核对引文"

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_WS = re.compile(r"\s+")
_MAX_DECIMAL_PLACES = 4  # Target.value: max_digits=20, decimal_places=4
_MAX_INTEGER_DIGITS = 16


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PlanFileProblem:
    """One problem in a plan file: where it is and what is wrong, in Chinese."""

    line: int | None  # 1-based line of the offending node; None if the whole file is at fault
    field: str  # e.g. "targets[3].org_unit"; "" for the file itself
    message: str

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line is not None else ""
        if self.field:
            where = f"{where} {self.field}" if where else self.field
        return f"{where}：{self.message}" if where else self.message


class PlanFileError(Exception):
    """The plan file is invalid; ``errors`` holds every problem found, in file order."""

    def __init__(self, errors: Iterable[PlanFileProblem]) -> None:
        self.errors = sorted(errors, key=lambda p: p.line or 0)
        super().__init__("\n".join(str(p) for p in self.errors))


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    value_unit: str
    measure: str
    direction: str
    accumulation: str
    rollup: str
    description: str
    line: int
    computed_from: str = ""  # a project metric key (diaodu.projects.metrics.METRICS); "" = entered by hand


@dataclass(frozen=True)
class TargetEntry:
    """One target of the file (named so as not to clash with :class:`diaodu.plans.domain.TargetSpec`)."""

    key: str
    section: str
    indicator: str  # indicator code (declared in the file or existing in the database)
    org_unit: str  # org-unit code, resolved from a code, full name or short name
    value: Decimal | None  # None only for a relative target
    comparator: str
    level: str
    quote: str
    quote_position: int | None  # offset of the quote's first character in the source text
    deadline: dt.date | None
    relative_to: str | None  # indicator code
    parent: str | None  # key of another target in the file
    sort_order: int
    line: int


@dataclass(frozen=True)
class MilestoneEntry:
    title: str
    due: dt.date
    line: int


@dataclass(frozen=True)
class TaskEntry:
    """One key task (重点任务) of the file: qualitative or dated work with owners and a deadline."""

    key: str
    section: str
    title: str
    quote: str
    quote_position: int | None
    owner: str  # lead org-unit code
    co_owners: tuple[str, ...]  # org-unit codes, in file order
    leader: str  # the leader in charge, as a role title ("分管工业的副县长")
    deadline: dt.date
    milestones: tuple[MilestoneEntry, ...]
    sort_order: int
    line: int


@dataclass(frozen=True)
class PlanSpec:
    code: str
    title: str
    year: int
    org_unit: str  # org-unit code
    source_title: str
    source_file: str
    indicators: tuple[IndicatorSpec, ...]
    targets: tuple[TargetEntry, ...]
    file_sha256: str
    source_text: str | None  # the text the quotes were checked against, if any
    warnings: tuple[str, ...] = field(default=())
    tasks: tuple[TaskEntry, ...] | None = None  # None: the file has no ``tasks`` list (tasks are left alone)


# --------------------------------------------------------------------------- quotes


def _squash_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and for each kept character its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
    return "".join(chars), offsets


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.squashed, self.offsets = _squash_with_offsets(text)

    def find(self, quote: str) -> int | None:
        needle = _WS.sub("", quote)
        if not needle:
            return None
        index = self.squashed.find(needle)
        return None if index < 0 else self.offsets[index]


def find_quote(source_text: str, quote: str) -> int | None:
    """Offset in ``source_text`` where ``quote`` starts, ignoring all whitespace in both; None if absent."""
    return _Source(source_text).find(quote)


# --------------------------------------------------------------------------- node reading


_MISSING = object()  # field absent (or null)
_INVALID = object()  # field present but unreadable (already reported)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Turns composed YAML nodes into checked Python values, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[PlanFileProblem] = []
        self._constructor = SafeConstructor()

    def problem(self, line: int | None, field_: str, message: str) -> None:
        self.problems.append(PlanFileProblem(line, field_, message))

    # -- structure

    def mapping(
        self, node: Node, path: str, *, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[Node, Node]] | None:
        """Keys -> (key node, value node); duplicate and unknown keys are reported."""
        if not isinstance(node, MappingNode):
            self.problem(_line(node), path, "应为“字段: 值”形式的映射")
            return None
        allowed_set = set(allowed) if allowed is not None else None
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path)
            if key is _MISSING:
                continue
            name = str(key)
            sub = f"{path}.{name}" if path else name
            if name in out:
                first = _line(out[name][0])
                self.problem(_line(key_node), sub, f"字段“{name}”重复（第{first}行已出现）")
                continue
            if allowed_set is not None and name not in allowed_set:
                choices = "、".join(sorted(allowed_set))
                self.problem(_line(key_node), sub, f"未知字段“{name}”（可用字段：{choices}）")
                continue
            out[name] = (key_node, value_node)
        return out

    def sequence(self, node: Node, path: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.problem(_line(node), path, "应为列表（每项以“- ”开头）")
            return None
        return list(node.value)

    def scalar(self, node: Node, path: str) -> Any:
        if not isinstance(node, ScalarNode):
            self.problem(_line(node), path, "应为单个值，不能是列表或映射")
            return _MISSING
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            self.problem(_line(node), path, f"无法识别的值“{node.value}”（{exc}）")
            return _MISSING

    # -- typed fields of a mapping

    def raw(
        self, fields: dict[str, tuple[Node, Node]], name: str, path: str, owner: Node, *, required: bool
    ) -> tuple[Any, Node | None]:
        """(value, node); a missing required field is reported on the owner's line."""
        sub = f"{path}.{name}"
        if name not in fields:
            if required:
                self.problem(_line(owner), sub, "缺少必填字段")
            return _MISSING, None
        node = fields[name][1]
        value = self.scalar(node, sub)
        if value is _MISSING:
            return _INVALID, node
        if value is None:
            if required:
                self.problem(_line(node), sub, "不能为空")
            return _MISSING, node
        return value, node

    def text(
        self,
        fields: dict[str, tuple[Node, Node]],
        name: str,
        path: str,
        owner: Node,
        *,
        required: bool = True,
        max_length: int | None = None,
        slug: bool = False,
    ) -> tuple[str | None, Node | None]:
        value, node = self.raw(fields, name, path, owner, required=required)
        if value is _MISSING or value is _INVALID or node is None:
            return None, node
        sub = f"{path}.{name}"
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(_line(node), sub, f"应为文字，而不是“{node.value}”")
            return None, node
        text = str(value).strip()
        if not text:
            if required:
                self.problem(_line(node), sub, "不能为空")
            return None, node
        if slug and not _SLUG.match(text):
            self.problem(_line(node), sub, f"“{text}”只能包含字母、数字、连字符和下划线")
            return None, node
        if max_length is not None and len(text) > max_length:
            self.problem(_line(node), sub, f"不能超过{max_length}个字符（现有{len(text)}个）")
            return None, node
        return text, node

    def choice(
        self,
        fields: dict[str, tuple[Node, Node]],
        name: str,
        path: str,
        owner: Node,
        choices: Sequence[str] | Sequence[tuple[str, Any]],
        *,
        default: str | None = None,
    ) -> str | None:
        """A value from ``choices`` (plain values, or (value, label) pairs shown in the message)."""
        value, node = self.raw(fields, name, path, owner, required=default is None)
        if value is _INVALID:
            return None
        if value is _MISSING or node is None:
            return default
        pairs = [(c, "") if isinstance(c, str) else (c[0], str(c[1])) for c in choices]
        text = str(value).strip()
        if isinstance(value, bool) or text not in {c for c, _label in pairs}:
            allowed = "、".join(f"“{c}”（{label}）" if label else f"“{c}”" for c, label in pairs)
            self.problem(_line(node), f"{path}.{name}", f"“{node.value}”不是有效的取值（可选：{allowed}）")
            return None
        return text


def _to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _decimal_problem(number: Decimal) -> str | None:
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > _MAX_DECIMAL_PLACES:
        return f"数值“{number}”最多保留{_MAX_DECIMAL_PLACES}位小数"
    if abs(number) >= Decimal(10) ** _MAX_INTEGER_DIGITS:
        return f"数值“{number}”过大"
    return None


def _to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------- parsing

PLAN_FIELDS = ("code", "title", "year", "org_unit", "source")
SOURCE_FIELDS = ("title", "file")
INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "value_unit",
    "measure",
    "direction",
    "accumulation",
    "rollup",
    "description",
    "computed_from",
)
TARGET_FIELDS = (
    "key",
    "section",
    "indicator",
    "org_unit",
    "value",
    "comparator",
    "level",
    "quote",
    "deadline",
    "relative_to",
    "parent",
)


TASK_FIELDS = ("key", "section", "title", "quote", "owner", "co_owners", "leader", "deadline", "milestones")
MILESTONE_FIELDS = ("title", "due")


@dataclass
class _PlanHeader:
    code: str | None = None
    title: str | None = None
    year: int | None = None
    org_unit: str | None = None
    source_title: str = ""
    source_file: str = ""


def _resolve_unit(
    reader: _Reader, text: str, node: Node, path: str, lookup: OrgUnitLookup | None
) -> str | None:
    if lookup is None:
        return text
    codes = list(dict.fromkeys(lookup(text)))
    if not codes:
        reader.problem(_line(node), path, f"找不到单位“{text}”（请填写单位编码或全称）")
        return None
    if len(codes) > 1:
        reader.problem(_line(node), path, f"单位“{text}”对应多个单位（{'、'.join(codes)}），请填写单位编码")
        return None
    return codes[0]


def _read_header(reader: _Reader, node: Node, org_unit_lookup: OrgUnitLookup | None) -> _PlanHeader:
    header = _PlanHeader()
    fields = reader.mapping(node, "plan", allowed=PLAN_FIELDS)
    if fields is None:
        return header
    header.code, _ = reader.text(fields, "code", "plan", node, max_length=64, slug=True)
    header.title, _ = reader.text(fields, "title", "plan", node, max_length=200)
    year, year_node = reader.raw(fields, "year", "plan", node, required=True)
    if year is not _MISSING and year is not _INVALID and year_node is not None:
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            reader.problem(_line(year_node), "plan.year", f"年度应为四位数字年份，而不是“{year_node.value}”")
        else:
            header.year = year
    unit_text, unit_node = reader.text(fields, "org_unit", "plan", node, max_length=64)
    if unit_text is not None and unit_node is not None:
        header.org_unit = _resolve_unit(reader, unit_text, unit_node, "plan.org_unit", org_unit_lookup)
    if "source" in fields:
        source_node = fields["source"][1]
        if isinstance(source_node, ScalarNode) and source_node.tag.endswith(":null"):
            return header
        source = reader.mapping(source_node, "plan.source", allowed=SOURCE_FIELDS)
        if source is not None:
            title, _ = reader.text(
                source, "title", "plan.source", source_node, required=False, max_length=300
            )
            file_, _ = reader.text(source, "file", "plan.source", source_node, required=False)
            header.source_title = title or ""
            header.source_file = file_ or ""
    return header


def _read_indicators(reader: _Reader, nodes: list[Node]) -> list[IndicatorSpec]:
    specs: list[IndicatorSpec] = []
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, node in enumerate(nodes):
        path = f"indicators[{i}]"
        fields = reader.mapping(node, path, allowed=INDICATOR_FIELDS)
        if fields is None:
            continue
        code, code_node = reader.text(fields, "code", path, node, max_length=64, slug=True)
        if code is not None and code_node is not None:
            if code in codes:
                reader.problem(
                    _line(code_node), f"{path}.code", f"指标编码“{code}”重复（第{codes[code]}行已定义）"
                )
            else:
                codes[code] = _line(code_node)
        name, name_node = reader.text(fields, "name", path, node, max_length=100)
        if name is not None and name_node is not None:
            if name in names:
                reader.problem(
                    _line(name_node), f"{path}.name", f"指标名称“{name}”重复（第{names[name]}行已定义）"
                )
            else:
                names[name] = _line(name_node)
        unit = reader.choice(fields, "unit", path, node, UNITS)
        value_unit = reader.choice(fields, "value_unit", path, node, UNITS, default="")
        measure = reader.choice(fields, "measure", path, node, Measure.choices)
        direction = reader.choice(
            fields, "direction", path, node, Direction.choices, default=Direction.HIGHER
        )
        accumulation = reader.choice(
            fields, "accumulation", path, node, Accumulation.choices, default=Accumulation.YTD
        )
        rollup = reader.choice(fields, "rollup", path, node, Rollup.choices, default=Rollup.NONE)
        description, _ = reader.text(fields, "description", path, node, required=False)
        computed_from, computed_node = reader.text(
            fields, "computed_from", path, node, required=False, max_length=64
        )
        if computed_from and computed_node is not None and computed_from not in _project_metric_keys():
            choices = "、".join(sorted(_project_metric_keys()))
            reader.problem(
                _line(computed_node),
                f"{path}.computed_from",
                f"未知的项目指标“{computed_from}”（可选：{choices}）",
            )
            computed_from = None
        if measure in (Measure.GROWTH, Measure.RATIO) and unit is not None and unit != "%":
            reader.problem(
                _line(fields["unit"][1]), f"{path}.unit", f"增速、比率类指标的单位应为“%”，而不是“{unit}”"
            )
            unit = None
        if None in (code, name, unit, value_unit, measure, direction, accumulation, rollup):
            continue
        assert code and name and unit and measure and direction and accumulation and rollup
        specs.append(
            IndicatorSpec(
                code=code,
                name=name,
                unit=unit,
                value_unit=value_unit or "",
                measure=measure,
                direction=direction,
                accumulation=accumulation,
                rollup=rollup,
                description=description or "",
                line=_line(node),
                computed_from=computed_from or "",
            )
        )
    return specs


def _project_metric_keys() -> set[str]:
    from diaodu.projects.metrics import METRICS

    return set(METRICS)


@dataclass
class _TargetDraft:
    index: int
    node: Node
    key: str | None
    key_line: int | None
    parent: str | None
    parent_line: int | None
    entry: dict[str, Any]


def _read_targets(
    reader: _Reader,
    nodes: list[Node],
    *,
    year: int | None,
    indicator_codes: set[str],
    indicator_exists: IndicatorLookup | None,
    org_unit_lookup: OrgUnitLookup | None,
    source: _Source | None,
) -> list[TargetEntry]:
    def known_indicator(code: str) -> bool:
        return code in indicator_codes or (indicator_exists is not None and indicator_exists(code))

    drafts: list[_TargetDraft] = []
    keys: dict[str, int] = {}
    slots: dict[tuple[Any, ...], int] = {}
    for i, node in enumerate(nodes):
        path = f"targets[{i}]"
        fields = reader.mapping(node, path, allowed=TARGET_FIELDS)
        if fields is None:
            continue
        key, key_node = reader.text(fields, "key", path, node, max_length=80, slug=True)
        if key is not None and key_node is not None:
            if key in keys:
                reader.problem(_line(key_node), f"{path}.key", f"目标键“{key}”重复（第{keys[key]}行已使用）")
            else:
                keys[key] = _line(key_node)
        section, _ = reader.text(fields, "section", path, node, required=False, max_length=64)

        indicator, ind_node = reader.text(fields, "indicator", path, node, max_length=64)
        if indicator is not None and ind_node is not None and not known_indicator(indicator):
            reader.problem(
                _line(ind_node),
                f"{path}.indicator",
                f"找不到指标“{indicator}”（请填写本文件 indicators 中或系统中已有指标的编码）",
            )
            indicator = None

        unit_text, unit_node = reader.text(fields, "org_unit", path, node, max_length=64)
        org_unit = None
        if unit_text is not None and unit_node is not None:
            org_unit = _resolve_unit(reader, unit_text, unit_node, f"{path}.org_unit", org_unit_lookup)

        relative_to, rel_node = reader.text(fields, "relative_to", path, node, required=False, max_length=64)
        if relative_to is not None and rel_node is not None and not known_indicator(relative_to):
            reader.problem(_line(rel_node), f"{path}.relative_to", f"找不到参照指标“{relative_to}”")

        value: Decimal | None = None
        raw_value, value_node = reader.raw(fields, "value", path, node, required=False)
        if raw_value is _MISSING:
            if relative_to is None and rel_node is None:
                reader.problem(
                    _line(value_node or node),
                    f"{path}.value",
                    "缺少目标值（只有填写了 relative_to 的相对目标可以不填 value）",
                )
        elif raw_value is not _INVALID and value_node is not None:
            value = _to_decimal(raw_value)
            if value is None:
                reader.problem(
                    _line(value_node), f"{path}.value", f"目标值应为数字，而不是“{value_node.value}”"
                )
            elif (problem := _decimal_problem(value)) is not None:
                reader.problem(_line(value_node), f"{path}.value", problem)
                value = None
            elif rel_node is not None:
                reader.problem(_line(value_node), f"{path}.value", "value 与 relative_to 只能填写一个")

        comparator = reader.choice(fields, "comparator", path, node, Comparator.choices)
        level = reader.choice(fields, "level", path, node, Level.choices)

        quote, quote_node = reader.text(fields, "quote", path, node)
        quote_position: int | None = None
        if quote is not None and quote_node is not None and source is not None:
            quote_position = source.find(quote)
            if quote_position is None:
                reader.problem(_line(quote_node), f"{path}.quote", "原文中找不到这句引文")

        deadline: dt.date | None = None
        raw_deadline, deadline_node = reader.raw(fields, "deadline", path, node, required=False)
        if raw_deadline is not _MISSING and raw_deadline is not _INVALID and deadline_node is not None:
            deadline = _to_date(raw_deadline)
            if deadline is None:
                reader.problem(
                    _line(deadline_node),
                    f"{path}.deadline",
                    f"期限应为日期（如 2025-06-30），而不是“{deadline_node.value}”",
                )
            elif year is not None and deadline.year != year:
                reader.problem(
                    _line(deadline_node),
                    f"{path}.deadline",
                    f"期限 {deadline.isoformat()} 不在计划年度 {year} 年内",
                )

        parent, parent_node = reader.text(fields, "parent", path, node, required=False, max_length=80)

        if indicator is not None and org_unit is not None and level is not None:
            slot = (indicator, org_unit, level, deadline)
            if slot in slots:
                reader.problem(
                    _line(node),
                    path,
                    f"与第{slots[slot]}行的目标重复（指标、单位、层级和期限都相同）",
                )
            else:
                slots[slot] = _line(node)

        drafts.append(
            _TargetDraft(
                index=i,
                node=node,
                key=key,
                key_line=_line(key_node) if key_node else None,
                parent=parent,
                parent_line=_line(parent_node) if parent_node else None,
                entry={
                    "key": key,
                    "section": section or "",
                    "indicator": indicator,
                    "org_unit": org_unit,
                    "value": value,
                    "comparator": comparator,
                    "level": level,
                    "quote": quote,
                    "quote_position": quote_position,
                    "deadline": deadline,
                    "relative_to": relative_to,
                    "parent": parent,
                    "sort_order": i,
                    "line": _line(node),
                },
            )
        )

    _check_parents(reader, drafts, set(keys))
    if reader.problems:
        return []
    return [TargetEntry(**d.entry) for d in drafts]


def _check_parents(reader: _Reader, drafts: list[_TargetDraft], keys: set[str]) -> None:
    parent_of = {d.key: d.parent for d in drafts if d.key is not None}
    for d in drafts:
        if d.parent is None:
            continue
        path = f"targets[{d.index}].parent"
        if d.parent not in keys:
            reader.problem(d.parent_line, path, f"找不到上级目标“{d.parent}”（应为本文件中某个目标的 key）")
            continue
        seen = {d.key}
        current: str | None = d.parent
        while current is not None:
            if current in seen:
                reader.problem(d.parent_line, path, f"上级目标“{d.parent}”形成循环")
                break
            seen.add(current)
            current = parent_of.get(current)


def _read_date(
    reader: _Reader, fields: dict[str, tuple[Node, Node]], name: str, path: str, owner: Node, year: int | None
) -> dt.date | None:
    raw, node = reader.raw(fields, name, path, owner, required=True)
    if raw is _MISSING or raw is _INVALID or node is None:
        return None
    day = _to_date(raw)
    if day is None:
        reader.problem(_line(node), f"{path}.{name}", f"期限应为日期（如 2025-06-30），而不是“{node.value}”")
    elif year is not None and day.year != year:
        reader.problem(_line(node), f"{path}.{name}", f"期限 {day.isoformat()} 不在计划年度 {year} 年内")
        return None
    return day


def _read_milestones(
    reader: _Reader, node: Node, path: str, year: int | None, deadline: dt.date | None
) -> tuple[MilestoneEntry, ...]:
    nodes = reader.sequence(node, path)
    if nodes is None:
        return ()
    out: list[MilestoneEntry] = []
    titles: dict[str, int] = {}
    for j, m_node in enumerate(nodes):
        m_path = f"{path}[{j}]"
        fields = reader.mapping(m_node, m_path, allowed=MILESTONE_FIELDS)
        if fields is None:
            continue
        title, title_node = reader.text(fields, "title", m_path, m_node, max_length=200)
        if title is not None and title_node is not None:
            if title in titles:
                reader.problem(
                    _line(title_node), f"{m_path}.title", f"节点“{title}”重复（第{titles[title]}行已有）"
                )
                title = None
            else:
                titles[title] = _line(title_node)
        due = _read_date(reader, fields, "due", m_path, m_node, year)
        if due is not None and deadline is not None and due > deadline:
            reader.problem(
                _line(fields["due"][1]),
                f"{m_path}.due",
                f"节点期限 {due.isoformat()} 晚于任务期限 {deadline.isoformat()}",
            )
            due = None
        if title is not None and due is not None:
            out.append(MilestoneEntry(title=title, due=due, line=_line(m_node)))
    return tuple(out)


def _read_tasks(
    reader: _Reader,
    nodes: list[Node],
    *,
    year: int | None,
    org_unit_lookup: OrgUnitLookup | None,
    source: _Source | None,
) -> list[TaskEntry]:
    """Key tasks: every problem is reported with its line, like the targets."""
    entries: list[TaskEntry] = []
    keys: dict[str, int] = {}
    problems_before = len(reader.problems)
    for i, node in enumerate(nodes):
        path = f"tasks[{i}]"
        fields = reader.mapping(node, path, allowed=TASK_FIELDS)
        if fields is None:
            continue
        key, key_node = reader.text(fields, "key", path, node, max_length=80, slug=True)
        if key is not None and key_node is not None:
            if key in keys:
                reader.problem(_line(key_node), f"{path}.key", f"任务键“{key}”重复（第{keys[key]}行已使用）")
            else:
                keys[key] = _line(key_node)
        section, _ = reader.text(fields, "section", path, node, required=False, max_length=64)
        title, _ = reader.text(fields, "title", path, node, max_length=200)
        leader, _ = reader.text(fields, "leader", path, node, max_length=64)

        quote, quote_node = reader.text(fields, "quote", path, node)
        quote_position: int | None = None
        if quote is not None and quote_node is not None and source is not None:
            quote_position = source.find(quote)
            if quote_position is None:
                reader.problem(_line(quote_node), f"{path}.quote", "原文中找不到这句引文")

        owner: str | None = None
        owner_text, owner_node = reader.text(fields, "owner", path, node, max_length=64)
        if owner_text is not None and owner_node is not None:
            owner = _resolve_unit(reader, owner_text, owner_node, f"{path}.owner", org_unit_lookup)

        co_owners: list[str] = []
        if "co_owners" in fields:
            co_node = fields["co_owners"][1]
            co_nodes = reader.sequence(co_node, f"{path}.co_owners") or []
            for j, unit_node in enumerate(co_nodes):
                sub = f"{path}.co_owners[{j}]"
                text = reader.scalar(unit_node, sub)
                if text is _MISSING or text is None or not str(text).strip():
                    if text is None:
                        reader.problem(_line(unit_node), sub, "不能为空")
                    continue
                code = _resolve_unit(reader, str(text).strip(), unit_node, sub, org_unit_lookup)
                if code is None:
                    continue
                if code == owner:
                    reader.problem(_line(unit_node), sub, f"配合单位“{text}”与牵头单位相同")
                elif code in co_owners:
                    reader.problem(_line(unit_node), sub, f"配合单位“{text}”重复")
                else:
                    co_owners.append(code)

        deadline = _read_date(reader, fields, "deadline", path, node, year)
        milestones: tuple[MilestoneEntry, ...] = ()
        if "milestones" in fields:
            milestones = _read_milestones(
                reader, fields["milestones"][1], f"{path}.milestones", year, deadline
            )

        if key and title and quote and owner and leader and deadline:
            entries.append(
                TaskEntry(
                    key=key,
                    section=section or "",
                    title=title,
                    quote=quote,
                    quote_position=quote_position,
                    owner=owner,
                    co_owners=tuple(co_owners),
                    leader=leader,
                    deadline=deadline,
                    milestones=milestones,
                    sort_order=i,
                    line=_line(node),
                )
            )
    return entries if len(reader.problems) == problems_before else []


def parse_plan(
    text: str,
    *,
    indicator_exists: IndicatorLookup | None = None,
    org_unit_lookup: OrgUnitLookup | None = None,
    source_text: str | None = None,
    file_sha256: str = "",
    warnings: Sequence[str] = (),
) -> PlanSpec:
    """Validate plan-file ``text``; raise :class:`PlanFileError` with every problem, else return the spec.

    Without ``org_unit_lookup`` org units are taken as codes unchecked; without ``source_text`` quotes
    are not checked (a warning says so).
    """
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise PlanFileError(
            [PlanFileProblem(mark.line + 1 if mark else None, "", f"YAML 格式错误（{detail}）")]
        ) from exc
    except yaml.YAMLError as exc:
        raise PlanFileError([PlanFileProblem(None, "", f"YAML 格式错误（{exc}）")]) from exc
    if root is None:
        raise PlanFileError([PlanFileProblem(None, "", "计划文件是空的")])

    top = reader.mapping(root, "", allowed=("plan", "indicators", "targets", "tasks"))
    if top is None:
        raise PlanFileError(reader.problems)
    for name in ("plan", "indicators", "targets"):
        if name not in top:
            reader.problem(_line(root), name, "缺少顶层字段")

    header = _read_header(reader, top["plan"][1], org_unit_lookup) if "plan" in top else _PlanHeader()

    indicators: list[IndicatorSpec] = []
    declared: set[str] = set()
    if "indicators" in top:
        ind_nodes = reader.sequence(top["indicators"][1], "indicators")
        if ind_nodes is not None:
            indicators = _read_indicators(reader, ind_nodes)
            # Codes declared in the file count as known even if the declaration had other problems.
            declared = _declared_codes(ind_nodes)

    source = _Source(source_text) if source_text is not None else None
    all_warnings = list(warnings)
    if source is None:
        all_warnings.append(NO_SOURCE_WARNING)

    targets: list[TargetEntry] = []
    if "targets" in top:
        target_node = top["targets"][1]
        target_nodes = reader.sequence(target_node, "targets")
        if target_nodes is not None:
            if not target_nodes:
                reader.problem(_line(target_node), "targets", "至少需要一个目标")
            targets = _read_targets(
                reader,
                target_nodes,
                year=header.year,
                indicator_codes=declared,
                indicator_exists=indicator_exists,
                org_unit_lookup=org_unit_lookup,
                source=source,
            )

    tasks: list[TaskEntry] | None = None
    if "tasks" in top:
        task_nodes = reader.sequence(top["tasks"][1], "tasks")
        if task_nodes is not None:
            tasks = _read_tasks(
                reader, task_nodes, year=header.year, org_unit_lookup=org_unit_lookup, source=source
            )

    if reader.problems:
        raise PlanFileError(reader.problems)
    assert header.code and header.title and header.year and header.org_unit
    return PlanSpec(
        code=header.code,
        title=header.title,
        year=header.year,
        org_unit=header.org_unit,
        source_title=header.source_title,
        source_file=header.source_file,
        indicators=tuple(indicators),
        targets=tuple(targets),
        file_sha256=file_sha256,
        source_text=source_text,
        warnings=tuple(all_warnings),
        tasks=tuple(tasks) if tasks is not None else None,
    )


def _declared_codes(nodes: list[Node]) -> set[str]:
    codes: set[str] = set()
    for node in nodes:
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if (
                    isinstance(key_node, ScalarNode)
                    and key_node.value == "code"
                    and isinstance(value_node, ScalarNode)
                ):
                    codes.add(value_node.value.strip())
    return codes


def _source_file_of(text: str) -> str | None:
    """``plan.source.file`` read leniently (before validation), to find the source text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    try:
        value = data["plan"]["source"]["file"]
    except (TypeError, KeyError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def parse_plan_file(
    path: str | Path,
    *,
    indicator_exists: IndicatorLookup | None = None,
    org_unit_lookup: OrgUnitLookup | None = None,
    source_text: str | None = None,
) -> PlanSpec:
    """Read and validate the plan file at ``path``.

    The quotes are checked against ``source_text`` if given, else against ``plan.source.file`` resolved
    relative to the plan file's directory if that file exists; otherwise they are not checked and the
    spec carries the warning “未提供原文，未核对引文”.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(
            [PlanFileProblem(None, "", f"无法读取计划文件 {path}（{exc.strerror or exc}）")]
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError([PlanFileProblem(None, "", "计划文件不是 UTF-8 编码")]) from exc
    warnings: list[str] = []
    if source_text is None:
        source_file = _source_file_of(text)
        if source_file:
            candidate = path.parent / source_file
            if candidate.is_file():
                source_text = candidate.read_text(encoding="utf-8-sig")
            else:
                warnings.append(f"原文文件 {source_file} 不存在")
    return parse_plan(
        text,
        indicator_exists=indicator_exists,
        org_unit_lookup=org_unit_lookup,
        source_text=source_text,
        file_sha256=hashlib.sha256(raw).hexdigest(),
        warnings=warnings,
    )
