"""The last request's time (idle timeout) is written to the session at most once a minute: the other requests
leave the session row alone, and the idle timeout still ends idle sessions and only those."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.accounts.middleware import SessionPolicyMiddleware

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def production_resolution(settings):  # type: ignore[no-untyped-def]
    settings.DIAODU_LAST_SEEN_RESOLUTION_SECONDS = 60
    settings.DIAODU_IDLE_TIMEOUT_SECONDS = 30 * 60


def _session_writes(client: Client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(reverse("cockpit:home")).status_code
    return status, sum(1 for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"'))


def test_the_session_is_written_once_a_minute(personas) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(personas["leader"])
        assert _session_writes(client) == (200, 1)  # the first request stamps the session
        clock.shift(30)
        assert _session_writes(client) == (200, 0)  # within the minute: no write
        clock.shift(31)
        assert _session_writes(client) == (200, 1)
        assert client.session[SessionPolicyMiddleware.SESSION_KEY] == int((START.timestamp()) + 61)


def test_a_busy_user_is_never_timed_out_and_an_idle_one_is(personas) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as clock:
        busy, idle = Client(), Client()
        busy.force_login(personas["leader"])
        idle.force_login(personas["fgw"])
        assert busy.get(reverse("cockpit:home")).status_code == 200
        assert idle.get(reverse("plans:review")).status_code == 200
        for _ in range(50):  # a request every 50 s for 41 minutes
            clock.shift(50)
            assert busy.get(reverse("cockpit:home")).status_code == 200
        response = idle.get(reverse("plans:review"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
