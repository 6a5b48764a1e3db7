"""The generic importer: read a file, find its header, plan every row (dry run), then commit.

A kind (actuals, projects, progress) subclasses :class:`Importer` and supplies its columns, ``plan_rows`` (turn
raw rows into :class:`RowPlan` objects with located :class:`Problem` s; reads only, in a few queries) and
``write_rows`` (call the owning app's services). :meth:`Importer.run` does the rest: the dry run, the atomic
(all or nothing) or partial (valid rows only) commit inside one transaction, the progress callback and the
audit row of the import itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu.workbooks.amounts import AmountError, ParsedAmount, parse_amount, to_unit
from diaodu.workbooks.headers import (
    Column,
    HeaderError,
    HeaderMatch,
    choose_sheet,
    is_footer_row,
    is_subtotal_row,
)
from diaodu.workbooks.read import Limits, ReadError, Value, cell_name, column_letter, read_workbook

IMPORT_AUDIT_TYPE = "workbooks.import"


class Mode(StrEnum):
    ATOMIC = "atomic"
    PARTIAL = "partial"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


ACTION_LABELS = {Action.CREATE: "新增", Action.UPDATE: "更新", Action.UNCHANGED: "未变", Action.ERROR: "有误"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located: sheet, Excel row number (1-based), column letter, the value, a Chinese reason."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    @property
    def cell(self) -> str:
        return (
            f"{self.column}{self.row}"
            if self.column and self.row
            else (f"第{self.row}行" if self.row else "")
        )


def display(value: Value | Decimal) -> str:
    """A cell value as text for messages."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


@dataclass
class RawRow:
    """One data row: its Excel row number and its cells by column key."""

    number: int  # Excel row number (1-based)
    cells: dict[str, Value]
    header: HeaderMatch

    def value(self, key: str) -> Value:
        return self.cells.get(key)

    def has(self, key: str) -> bool:
        return key in self.header.columns

    def letter(self, key: str) -> str:
        c = self.header.columns.get(key)
        return column_letter(c) if c is not None else ""

    def problem(self, key: str | None, message: str, value: Value | Decimal = None) -> Problem:
        if key is not None and value is None:
            value = self.value(key)
        column = self.letter(key) if key else ""
        return Problem(self.header.sheet.name, self.number, column, display(value), message)


@dataclass
class RowPlan:
    number: int
    action: Action
    label: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # what the service will be called with
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after) for updates
    problems: list[Problem] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)  # the row as parsed, for --json "records"

    @property
    def ok(self) -> bool:
        return self.action != Action.ERROR


@dataclass
class ImportPlan:
    kind: str
    filename: str = ""
    sheet: str = ""
    rows: list[RowPlan] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # blank, 合计/小计 and footer rows
    committed: bool = False
    mode: Mode = Mode.ATOMIC
    written: int = 0
    with_records: bool = False

    @property
    def problems(self) -> list[Problem]:
        return [*self.file_problems, *(p for r in self.rows for p in r.problems)]

    def count(self, action: Action) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rows_valid(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_problems) or any(not r.ok for r in self.rows)

    def summary(self) -> dict[str, Any]:
        """The ``--json`` object (exactly the keys of the issue; ``records`` for projects)."""
        out: dict[str, Any] = {
            "rows_total": len(self.rows),
            "rows_valid": self.rows_valid,
            "to_create": self.count(Action.CREATE),
            "to_update": self.count(Action.UPDATE),
            "unchanged": self.count(Action.UNCHANGED),
            "errors": [p.as_dict() for p in self.problems],
            "committed": self.committed,
        }
        if self.with_records:
            out["records"] = [r.record for r in self.rows if r.record]
        return out


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class Importer:
    """Subclass per kind. Instances are used for one file by one actor."""

    kind: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    one_of: ClassVar[Sequence[tuple[str, ...]]] = ()  # at least one column of each group must be present
    with_records: ClassVar[bool] = False

    def __init__(
        self,
        actor: Any,
        *,
        unit: Any = None,
        sheet: str | None = None,
        today: dt.date | None = None,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.actor = actor
        self.default_unit = unit
        self.sheet_name = sheet
        self.today = today
        self.progress = progress or _no_progress
        self.limits = limits or Limits.from_settings()

    # ------------------------------------------------------------------ reading

    def read(self, data: bytes, filename: str) -> tuple[ImportPlan, list[RawRow]]:
        plan = ImportPlan(self.kind, filename=filename, with_records=self.with_records)
        try:
            book = read_workbook(data, filename, limits=self.limits)
            header = choose_sheet(book, self.columns, self.sheet_name)
        except (ReadError, HeaderError) as exc:
            plan.file_problems.append(Problem("", None, "", filename, str(exc)))
            return plan, []
        sheet = header.sheet
        plan.sheet = sheet.name
        header_at = header.header_row + 1
        for col in header.missing:
            plan.file_problems.append(Problem(sheet.name, header_at, "", "", f"缺少必需的列“{col.label}”"))
        for group in self.one_of:
            if not any(k in header.columns for k in group):
                labels = "或".join(f"“{c.label}”" for c in self.columns if c.key in group)
                plan.file_problems.append(Problem(sheet.name, header_at, "", "", f"缺少列：{labels}"))
        for r0, c0, r1, c1 in sheet.merged:
            if r1 >= header.data_start and (r1 > r0 or c1 > c0):
                span = f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"
                plan.file_problems.append(
                    Problem(
                        sheet.name,
                        r0 + 1,
                        column_letter(c0),
                        display(sheet.value(r0, c0)),
                        f"数据区域有合并单元格 {span}，请取消合并并在每一行填写完整",
                    )
                )
        for r, c in sorted(sheet.uncomputed_formulas):
            if r >= header.data_start:
                plan.file_problems.append(
                    Problem(
                        sheet.name,
                        r + 1,
                        column_letter(c),
                        "",
                        "公式没有计算结果，请在Excel中打开、重新计算并保存后再导入",
                    )
                )
        if plan.file_problems:
            return plan, []
        rows: list[RawRow] = []
        key_columns = list(header.columns.values())
        for index in range(header.data_start, sheet.height):
            cells = sheet.rows[index]
            if not any(v is not None for v in cells):
                continue
            if is_subtotal_row(cells, key_columns) or is_footer_row(cells):
                plan.skipped += 1
                continue
            values = {key: (cells[c] if c < len(cells) else None) for key, c in header.columns.items()}
            if not any(v is not None for v in values.values()):
                plan.skipped += 1
                continue
            rows.append(RawRow(index + 1, values, header))
        if not rows:
            plan.file_problems.append(
                Problem(sheet.name, header.data_start + 1, "", "", "表头下面没有数据行")
            )
        return plan, rows

    # ------------------------------------------------------------------ per kind

    def plan_rows(self, rows: list[RawRow], plan: ImportPlan) -> list[RowPlan]:
        raise NotImplementedError

    def write_rows(self, rows: list[RowPlan], plan: ImportPlan) -> None:
        """Write every row (atomic mode): raise on the first failure, the caller rolls back."""
        for i, row in enumerate(rows):
            if i % 200 == 0:
                self.progress("write", i, len(rows))
            self.write_row(row)

    def write_row(self, row: RowPlan) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ driver

    def dry_run(self, data: bytes, filename: str) -> ImportPlan:
        plan, rows = self.read(data, filename)
        if rows:
            plan.rows = self.plan_rows(rows, plan)
        return plan

    def run(
        self, data: bytes, filename: str, *, mode: Mode | str = Mode.ATOMIC, dry_run: bool = False
    ) -> ImportPlan:
        plan = self.dry_run(data, filename)
        plan.mode = Mode(mode)
        if dry_run:
            return plan
        return self.commit(plan)

    def commit(self, plan: ImportPlan) -> ImportPlan:
        """Write the plan's valid rows in one transaction. Atomic mode writes nothing if any row has a problem."""
        if plan.file_problems or (plan.mode == Mode.ATOMIC and plan.has_errors):
            return plan
        todo = [r for r in plan.rows if r.action in (Action.CREATE, Action.UPDATE)]
        with transaction.atomic():
            if plan.mode == Mode.ATOMIC:
                try:
                    self.write_rows(todo, plan)
                except (ValidationError, PermissionDenied) as exc:
                    transaction.set_rollback(True)
                    plan.file_problems.append(
                        Problem(plan.sheet, None, "", "", f"写入失败，未导入任何数据：{_messages(exc)}")
                    )
                    return plan
                plan.written = len(todo)
            else:
                for i, row in enumerate(todo):
                    try:
                        with transaction.atomic():
                            self.write_row(row)
                        plan.written += 1
                    except (ValidationError, PermissionDenied) as exc:
                        row.action = Action.ERROR
                        row.problems.append(Problem(plan.sheet, row.number, "", "", _messages(exc)))
                    if i % 200 == 0:
                        self.progress("write", i, len(todo))
            plan.committed = True
            self.audit(plan)
        self.progress("write", len(todo), len(todo))
        return plan

    def audit(self, plan: ImportPlan) -> None:
        from diaodu.audit.models import AuditAction
        from diaodu.audit.services import record

        record(
            actor=self.actor,
            action=AuditAction.LOAD,
            object_type=IMPORT_AUDIT_TYPE,
            object_id=self.kind,
            object_repr=f"{self.title}：{plan.filename}"[:200],
            org_unit_id=getattr(self.default_unit, "pk", None),
            after={
                "file": plan.filename,
                "sheet": plan.sheet,
                "mode": str(plan.mode),
                "rows_total": len(plan.rows),
                "created": plan.count(Action.CREATE),
                "updated": plan.count(Action.UPDATE),
                "unchanged": plan.count(Action.UNCHANGED),
                "errors": len(plan.problems),
            },
        )

    # ------------------------------------------------------------------ helpers for kinds

    def amount(
        self,
        row: RawRow,
        key: str,
        target_unit: str | None,
        problems: list[Problem],
        *,
        negative_ok: bool = False,
        column_unit: str | None = None,
    ) -> Decimal | None:
        """The cell ``key`` as an amount in ``target_unit`` (None if blank); problems are appended."""
        raw = row.value(key)
        label = self._label(key)
        try:
            parsed: ParsedAmount | None = parse_amount(raw)
            if parsed is None:
                return None
            value = to_unit(
                parsed, column_unit=column_unit or row.header.units.get(key), target_unit=target_unit
            )
        except AmountError as exc:
            problems.append(row.problem(key, f"{label}：{exc}"))
            return None
        if value < 0 and not negative_ok:
            problems.append(row.problem(key, f"{label}不能为负数"))
            return None
        if abs(value) >= Decimal(10) ** 15:
            problems.append(row.problem(key, f"{label}数值过大"))
            return None
        return value

    def text(self, row: RawRow, key: str, problems: list[Problem], *, max_length: int | None = None) -> str:
        raw = row.value(key)
        text = display(raw).strip()
        if max_length is not None and len(text) > max_length:
            problems.append(row.problem(key, f"{self._label(key)}超过 {max_length} 个字"))
            return text[:max_length]
        return text

    def _label(self, key: str) -> str:
        return next((c.label for c in self.columns if c.key == key), key)


def _messages(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or "无权操作（不在您的数据范围内）"
    return "；".join(str(m) for m in exc.messages)


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]} ("" for errors without a field)."""
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"": [str(m) for m in exc.messages]}


def batched(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
