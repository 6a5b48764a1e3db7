"""The dispatch sheet (调度表): a unit's monthly reports saved (and submitted) together, all or nothing.

Each row goes through :func:`~diaodu.projects.services.reports.save_report` (and ``submit_report``); the sheet
adds only what the one-screen form needs: the officer may type 本月完成投资, 累计完成投资 or both
(:func:`diaodu.projects.domain.reconcile_month_ytd`), and 存在问题 one per line become the report's blockers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu.projects import domain
from diaodu.projects.models import MonthlyReport, Project
from diaodu.projects.services.reports import BlockerInput, report_context, save_report, submit_report


@dataclass(frozen=True)
class DispatchRow:
    project: Project
    month_wan: Decimal | None = None
    ytd_wan: Decimal | None = None
    progress: str = ""
    stage_note: str = ""
    new_stage: str = ""
    new_stage_on: dt.date | None = None
    confirm_note: str = ""
    problems: str = ""  # 存在问题, one per line
    problem_category: str = "other"
    expected_version: int | None = None

    def blockers(self) -> list[BlockerInput]:
        lines = (line.strip() for line in self.problems.replace("\r", "\n").split("\n"))
        return [BlockerInput(line, self.problem_category) for line in lines if line]


class SheetErrors(ValidationError):
    """Rows that could not be saved, by project id; nothing of the sheet was saved."""

    def __init__(self, row_errors: dict[int, ValidationError]) -> None:
        self.row_errors = row_errors
        super().__init__(f"{len(row_errors)} 个项目的数据有误，本次未保存任何数据，请按提示修改。")


@transaction.atomic
def save_dispatch(
    *,
    actor: Any,
    year: int,
    month: int,
    rows: Sequence[DispatchRow],
    submit: bool = False,
    today: dt.date | None = None,
) -> list[MonthlyReport]:
    """Save every row's report for ``year``/``month`` (and submit it when ``submit``); all or nothing."""
    errors: dict[int, ValidationError] = {}
    saved: list[MonthlyReport] = []
    for row in rows:
        try:
            with transaction.atomic():
                saved.append(
                    save_report_row(
                        row,
                        actor=actor,
                        year=year,
                        month=month,
                        blockers=row.blockers(),
                        submit=submit,
                        today=today,
                    )
                )
        except ValidationError as exc:
            errors[row.project.pk] = exc
    if errors:
        raise SheetErrors(errors)
    return saved


def save_report_row(
    row: DispatchRow,
    *,
    actor: Any,
    year: int,
    month: int,
    blockers: Sequence[BlockerInput] | None = None,
    submit: bool = False,
    today: dt.date | None = None,
) -> MonthlyReport:
    """One project's report from 本月/累计 as typed (reconciled), through :func:`save_report` (and submit).
    ``blockers`` None keeps the report's blockers as they are."""
    existing = MonthlyReport.objects.filter(project=row.project, year=year, month=month).first()
    ctx = report_context(row.project, year, month, today=today, exclude_pk=existing.pk if existing else None)
    ytd, problem = domain.reconcile_month_ytd(row.month_wan, row.ytd_wan, ctx.previous_ytd_wan)
    if problem:
        raise ValidationError({"month_wan" if row.month_wan is not None else "ytd_wan": problem})
    assert ytd is not None
    report = save_report(
        actor=actor,
        project=row.project,
        year=year,
        month=month,
        ytd_wan=ytd,
        progress=row.progress,
        stage_note=row.stage_note,
        confirm_note=row.confirm_note,
        new_stage=row.new_stage,
        new_stage_on=row.new_stage_on,
        blockers=blockers,
        expected_version=row.expected_version,
        today=today,
    )
    if submit:
        report = submit_report(report, actor=actor)
    return report
