"""The cockpit benchmark: its floor SQL gives the application's figures, and the command's output is complete."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from diaodu.scale.bench import cockpit


def _round(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("scale", ["county", "city", "province"])
def test_the_floor_computes_the_cockpit_figures(tiny, scale) -> None:  # type: ignore[no-untyped-def]
    for subject in cockpit.subjects(scale, "TST"):
        app = cockpit.app_figures(cockpit.app_cockpit(subject))
        floor = {row[0]: row[1] for row in cockpit.floor_cockpit(subject)}
        assert app, "the cockpit shows targets"
        assert {k: _round(v) for k, v in floor.items()} == {k: _round(v) for k, v in app.items()}


def test_the_command_prints_the_figures(tiny) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "bench",
        "cockpit",
        "--scale",
        "county,province",
        "--runs",
        "2",
        "--prefix",
        "TST",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    for r in result["results"]:
        for key in ("p50_ms", "p95_ms", "floor_p50_ms", "floor_p95_ms", "ratio", "queries", "rows"):
            assert key in r
        assert r["queries"]["min"] == r["queries"]["max"]  # the same number of queries for every county
