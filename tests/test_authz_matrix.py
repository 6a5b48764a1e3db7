"""Every named route × every persona gets the status its row in ``diaodu/*/tests/authz*.py`` expects.

A route without a row fails :func:`test_every_route_has_a_row`: adding a URL means deciding who may call it.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from diaodu.core.testing.authz import (
    ALL_PERSONAS,
    ANONYMOUS,
    Case,
    World,
    api_operation_methods,
    build_world,
    collect_cases,
    named_routes,
)

CASES = collect_cases()


def test_every_route_has_a_row() -> None:
    covered = {c.route for c in CASES}
    routes = named_routes()
    missing = sorted(routes - covered)
    stale = sorted(covered - routes)
    api_methods = api_operation_methods()
    wrong_method = sorted(
        f"{c.label} (operation accepts {sorted(api_methods[c.route])})"
        for c in CASES
        if c.route in api_methods and c.method not in api_methods[c.route]
    )
    problems = []
    if missing:
        problems.append("routes without an authorization row:\n  " + "\n  ".join(missing))
    if stale:
        problems.append("rows for routes that do not exist:\n  " + "\n  ".join(stale))
    if wrong_method:
        problems.append(
            "rows whose method the API operation does not accept:\n  " + "\n  ".join(wrong_method)
        )
    assert not problems, "\n".join(problems)


def test_rows_are_unique() -> None:
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for c in CASES:
        seen[(c.route, c.method, c.note)] += 1
    duplicates = sorted(" ".join(k) for k, n in seen.items() if n > 1)
    assert not duplicates, "duplicate rows (give them distinct notes):\n  " + "\n  ".join(duplicates)


@pytest.fixture
def world(db, settings) -> World:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast persona creation
    return build_world()


def _request(client: Client, case: Case, world: World) -> int:
    url = reverse(case.route, kwargs=case.resolve_kwargs(world) or None)
    data = case.resolve_data(world)
    if case.method == "GET":
        return client.get(url, data or {}).status_code
    if case.json:
        return client.generic(
            case.method, url, json.dumps(data or {}), content_type="application/json"
        ).status_code
    if case.method == "POST":
        return client.post(url, data or {}).status_code
    return client.generic(case.method, url).status_code


def test_matrix(world: World) -> None:
    mismatches: list[str] = []
    for persona in ALL_PERSONAS:
        client = Client(enforce_csrf_checks=False)
        if persona != ANONYMOUS:
            client.force_login(world.users[persona])
        for case in CASES:
            cookies = copy.deepcopy(client.cookies)
            try:
                with transaction.atomic():  # each request sees the untouched world
                    got = _request(client, case, world)
                    transaction.set_rollback(True)
            except NoReverseMatch as exc:
                mismatches.append(f"{case.label} {persona}: cannot reverse ({exc})")
                continue
            finally:
                client.cookies = cookies  # a logout must not leak into the next row
            expected = case.expected(persona)
            if got != expected:
                mismatches.append(f"{case.label} {persona} expected {expected} got {got}")
    assert not mismatches, f"{len(mismatches)} authorization mismatches:\n" + "\n".join(mismatches)
