from __future__ import annotations

import pytest
from django.test import Client

from diaodu.scale import health


def test_healthz_needs_no_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database_and_migrations() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_readyz_fails_without_the_database(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "_database", lambda alias: False)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failed", "checks": {"database": "failed", "migrations": "failed"}}
