from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEECH_FILE = REPO_ROOT.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"
PLAN_FILE = REPO_ROOT / "plans" / "guanyun-2025.yaml"


@pytest.fixture
def seed_speech() -> Path:
    if not SPEECH_FILE.is_file():
        pytest.skip(f"seed speech not available at {SPEECH_FILE}")
    return SPEECH_FILE
