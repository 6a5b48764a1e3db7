"""Constant query counts: every page and every API GET of the authorization matrix issues as many queries with a
small data set as with a larger one (more units, targets, actuals, projects and months).

Routes come from the authorization rows (diaodu/*/tests/authz*.py): each GET row that answers 200 to the persona
is requested at both sizes. A route whose count may legitimately grow is listed in EXEMPT with the reason.
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.core.testing.authz import Case, World, build_world, collect_cases
from diaodu.scale.synth import SynthSpec, synthesize

PERSONAS = (
    "leader",
    "fgw",
)  # county leader, else the reviewer: both see every unit, so the extra data shows up
EXEMPT: dict[str, str] = {
    "compiler:export": "prefetches a plan's key-task co-owners and milestones: two queries that run only once the "
    "plan has key tasks (0 → n), never one per task",
}
# Routes whose count grows today (found by this test, reported to their owners): the test fails on any other
# route that starts to grow. Remove a row once it is fixed.
KNOWN_GROWTH: dict[str, str] = {}


def _cases() -> list[Case]:
    return [c for c in collect_cases() if c.method == "GET" and c.route not in EXEMPT]


def _seed(world: World) -> None:
    """Create the object of every GET row (its ``kwargs``) once, before the small size, outside any savepoint.

    The synth writes no supervision items, policy documents or submitted reports of the world's units: without
    these rows a list would be empty at the small size, and its one prefetch, which runs only on a non-empty
    list, would count as growth (0 → 1). The large size holds more of them: the synth's, and those of the rows
    measured at the small size (``_count`` resolves the kwargs outside its rolled-back savepoint).
    """
    for case in collect_cases():
        if case.method == "GET":
            case.resolve_kwargs(world)


def _count(client: Client, case: Case, world: World) -> tuple[int, int]:
    url = reverse(case.route, kwargs=case.resolve_kwargs(world) or None)
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            status = client.get(url, case.resolve_data(world) or {}).status_code
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return status, len(queries.captured_queries)


def _measure(world: World) -> dict[tuple[str, str, str], int]:
    """Queries per GET row, as the first persona that may read it."""
    clients = {}
    for name in PERSONAS:
        clients[name] = Client()
        clients[name].force_login(world.users[name])
    out = {}
    for case in _cases():
        persona = next((p for p in PERSONAS if case.expected(p) == 200), None)
        if persona is None:
            continue
        status, n = _count(clients[persona], case, world)
        if status == 200:
            out[(persona, case.route, case.note)] = n
    return out


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    synthesize(
        SynthSpec(counties=1, units_per_county=3, projects_per_county=2, months=2, prefix="QSA", seed=3)
    )
    _seed(world)
    small = _measure(world)
    synthesize(
        SynthSpec(
            counties=2,
            units_per_county=4,
            projects_per_county=8,
            months=5,
            prefix="QSB",
            seed=4,
            counties_per_city=2,
        )
    )
    large = _measure(world)
    assert len(small) > 20, "the matrix's pages and API lists were requested"
    grown = sorted(
        f"{p} {route} [{note}]: {small[(p, route, note)]} -> {n}"
        for (p, route, note), n in large.items()
        if (p, route, note) in small and n > small[(p, route, note)] and route not in KNOWN_GROWTH
    )
    assert not grown, "queries grow with the data:\n  " + "\n  ".join(grown)
