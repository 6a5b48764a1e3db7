"""Importers by kind. ``IMPORTERS["actuals"]`` etc.; kinds whose owning app is not installed are absent."""

from __future__ import annotations

from django.apps import apps

from diaodu.workbooks.importers.base import Action, Importer, ImportPlan, Mode, Problem, RowPlan

__all__ = ["Action", "ImportPlan", "Importer", "Mode", "Problem", "RowPlan", "importer_class", "kinds"]


def kinds() -> dict[str, type[Importer]]:
    from diaodu.workbooks.importers.actuals import ActualsImporter

    found: dict[str, type[Importer]] = {"actuals": ActualsImporter}
    if apps.is_installed("diaodu.projects"):
        try:
            from diaodu.workbooks.importers.projects import ProgressImporter, ProjectsImporter
        except ImportError:  # the projects app is not far enough yet
            pass
        else:
            found["projects"] = ProjectsImporter
            found["progress"] = ProgressImporter
    return found


def importer_class(kind: str) -> type[Importer] | None:
    return kinds().get(kind)
