"""On PostgreSQL, parameters are bound on the server and a statement a connection runs again is prepared there
(planned once per connection); ``DIAODU_PG_PREPARE_THRESHOLD=off`` goes back to Django's client-side binding."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from diaodu.core.testing.interpreter import last_line_of
from diaodu.orgunits.models import OrgUnit


def _options(**extra_env: str) -> dict[str, object]:
    """The default database's OPTIONS as the settings make them for a PostgreSQL URL, in a fresh interpreter."""
    code = "import json, diaodu.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    line = last_line_of(
        code,
        drop=("DIAODU_PG_PREPARE",),
        DATABASE_URL="postgres://diaodu@db.example:5432/diaodu",
        **extra_env,
    )
    return json.loads(line)  # type: ignore[no-any-return]


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements_by_default() -> None:
    assert _options() == {"server_side_binding": True, "prepare_threshold": 2}
    assert _options(DIAODU_PG_PREPARE_THRESHOLD="5") == {"server_side_binding": True, "prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_pooler() -> None:
    assert _options(DIAODU_PG_PREPARE_THRESHOLD="off") == {}


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_on_the_connection() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert connection.features.uses_server_side_binding  # type: ignore[attr-defined]

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%orgunits_orgunit%code%"],
            )
            return int(cursor.fetchone()[0])

    before = prepared()
    for code in ("a", "b", "c", "d"):  # the same statement with other parameters
        list(OrgUnit.objects.filter(code=code).values_list("pk", flat=True))
    assert prepared() == before + 1
