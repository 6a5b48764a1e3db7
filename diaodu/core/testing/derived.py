"""Test worlds written straight through the ORM (not the services) rebuild the derived tables afterwards, as
the bulk writers of the application do (demo, synthetic data): the project rollups and the target lights."""

from __future__ import annotations


def rebuild_derived() -> None:
    from diaodu.plans import lights
    from diaodu.projects import rollups

    rollups.rebuild()
    lights.rebuild()
