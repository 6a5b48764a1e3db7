"""The labelled corpus, one parametrised test per family of patterns (no database)."""

from __future__ import annotations

import pytest

from .corpus import check, load_cases


def _params(family: str) -> list[object]:
    return [pytest.param(case, id=case.id) for case in load_cases(family)]


def test_the_corpus_is_big_enough_and_has_negatives() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    assert sum(1 for c in cases if not c.expect) >= 30


@pytest.mark.parametrize("case", _params("comparators"))
def test_comparators(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("levels"))
def test_levels(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("measures"))
def test_measures_units_and_numerals(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("tiers"))
def test_tiers_doubling_and_nested_quotas(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("lists"))
def test_lists(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("relative"))
def test_relative_targets(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("scope"))
def test_scope(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("deadlines"))
def test_deadlines_and_tasks(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("past"))
def test_past_achievements_yield_nothing(case) -> None:  # type: ignore[no-untyped-def]
    check(case)


@pytest.mark.parametrize("case", _params("descriptive"))
def test_descriptive_numbers_yield_nothing(case) -> None:  # type: ignore[no-untyped-def]
    check(case)
