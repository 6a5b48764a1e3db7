"""Fixtures for the plan-file loader and the ``plan`` command."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAN_FILE = REPO_ROOT / "plans" / "guanyun-2025.yaml"
SPEECH_FILE = REPO_ROOT.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"


@pytest.fixture
def guanyun_units(db):  # type: ignore[no-untyped-def]
    """The Guanyun org-unit tree (the loader resolves every target's org unit against it)."""
    from diaodu.orgunits.models import OrgUnit
    from diaodu.orgunits.services import seed_guanyun

    seed_guanyun()
    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def speech_path() -> Path | None:
    """The seed speech, if this checkout has it next to the repository."""
    return SPEECH_FILE if SPEECH_FILE.is_file() else None


@pytest.fixture
def source_args(speech_path: Path | None) -> list[str]:
    return ["--source", str(speech_path)] if speech_path else []
