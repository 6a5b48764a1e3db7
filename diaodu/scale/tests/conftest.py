from __future__ import annotations

import pytest

from diaodu.scale.synth import SynthResult, SynthSpec, synthesize

TINY = SynthSpec(
    counties=2,
    units_per_county=4,
    projects_per_county=12,
    months=14,
    seed=7,
    counties_per_city=2,
    prefix="TST",
)


@pytest.fixture
def tiny(db) -> SynthResult:  # type: ignore[no-untyped-def]
    return synthesize(TINY)
