"""API fuzzing with schemathesis against /api/openapi.json, authenticated with a personal API token of a unit
officer (so the write operations run as well as the reads). Bounded: DIAODU_FUZZ_EXAMPLES examples per
operation (default 8, under a minute in CI); `DIAODU_FUZZ_EXAMPLES=200` gives the longer run recorded in
docs/security.md. Zero 5xx responses and zero responses that break the schema (status code, content type, body)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import checks as st_checks

from diaodu.wsgi import application

EXAMPLES = int(os.environ.get("DIAODU_FUZZ_EXAMPLES", "8"))
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


@pytest.fixture
def token(personas, orgunits) -> str:  # type: ignore[no-untyped-def]
    from diaodu.accounts.services import issue_api_token
    from diaodu.plans.models import Indicator

    Indicator.objects.create(code="fuzz-rev", name="模糊测试收入", unit="亿元")
    county = personas["county"]
    return issue_api_token(actor=county, user=county, name="fuzz")


def run_operation(operation: Any, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:  # schemathesis reports failures as (groups of) exceptions
            failures.append(
                f"{case.method} {case.formatted_path} {case.query or ''} {case.body!r:.200}\n{exc}"
            )

    run()
    return failures


def load_schema(personas: dict[str, Any]) -> Any:
    """/api/openapi.json as a logged-in user sees it (the docs need a session), driven through the WSGI app."""
    from django.test import Client

    client = Client()
    client.force_login(personas["county"])
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = application
    schema.location = "/api/openapi.json"
    return schema


@contextlib.contextmanager
def keep_connection() -> Iterator[None]:
    """schemathesis calls the WSGI app directly, so Django's request signals would close the test's database
    connection (inside the test transaction) on PostgreSQL; Django's test Client disconnects them the same way
    (and connects them again after each of its requests, so no test Client request may run inside this)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_survives_fuzzing(token: str, personas) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    schema = load_schema(personas)
    failures: list[str] = []
    operations = 0
    with keep_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            failures += run_operation(operation, headers)
    assert operations >= 10
    print(f"schemathesis: {operations} operations x {EXAMPLES} examples, {len(failures)} failures")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:15])


# ----------------------------------------------------------------------------- regressions found by fuzzing


def test_an_unmatched_api_path_answers_json_404(token: str) -> None:
    """Found by schemathesis: /api/actuals/-38747/approve matched no route and got Django's HTML 404 page."""
    from django.test import Client

    response = Client().post("/api/actuals/-38747/approve", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response.json() == {"detail": "未找到"}
    assert Client().get("/no-such-page/").headers["Content-Type"].startswith("text/html")


def test_every_operation_documents_its_error_responses(personas) -> None:  # type: ignore[no-untyped-def]
    raw = load_schema(personas).raw_schema
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            wanted = {"401", "403", "404", "422"} | ({"409", "413"} if method != "get" else set())
            assert wanted <= set(operation["responses"]), (method, path)
