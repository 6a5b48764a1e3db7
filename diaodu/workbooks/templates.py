"""Blank (pre-filled) workbooks to fill in and import back: two-row headers, locked key columns, drop-downs,
frozen header, units in the header text. ``template_kinds()[kind](user, params)`` -> an Export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps

from diaodu.workbooks.exports import Export, Params, export_entry


def actuals_template(user: Any, params: Params) -> Export:
    """The data-entry sheet of a unit and month (the indicators with a target there), values editable."""
    export = export_entry(user, params)
    export.kind, export.title = "template-actuals", "月度实绩填报模板"
    export.filename = export.filename.replace("实绩-", "实绩填报模板-", 1)
    return export


def template_kinds() -> dict[str, Callable[[Any, Params], Export]]:
    found: dict[str, Callable[[Any, Params], Export]] = {"actuals": actuals_template}
    if apps.is_installed("diaodu.projects"):
        try:
            from diaodu.workbooks.project_exports import PROJECT_TEMPLATES
        except ImportError:
            pass
        else:
            found.update(PROJECT_TEMPLATES)
    return found
