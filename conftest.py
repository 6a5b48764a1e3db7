"""Shared fixtures: the Guanyun org units, the demo personas, and a flush that respects the audit gate."""

from __future__ import annotations

import pytest
from django.core.management.commands import flush

from diaodu.audit.gate import purge_gate_open

_original_flush_handle = flush.Command.handle


def _flush_through_audit_gate(self, *args, **options):  # type: ignore[no-untyped-def]
    # Transactional tests empty every table afterwards; the append-only trigger must let that through.
    with purge_gate_open(options.get("database", "default")):
        return _original_flush_handle(self, *args, **options)


flush.Command.handle = _flush_through_audit_gate


@pytest.fixture(autouse=True, scope="session")
def _media_in_a_temporary_directory(tmp_path_factory):  # type: ignore[no-untyped-def]
    # Uploaded files (supervision attachments, workbooks) never land in var/media during tests.
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _session_written_on_every_request(settings):  # type: ignore[no-untyped-def]
    # Query-count tests compare a page's first and later requests; the once-a-minute session write would make
    # them differ by the write. Its own tests (accounts/tests/test_last_seen.py) set the production value.
    settings.DIAODU_LAST_SEEN_RESOLUTION_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_page_cache():  # type: ignore[no-untyped-def]
    # Cached pages are keyed by data version; tests roll their data back, so a version seen by one test can
    # come back in the next with other data. Production never reuses a version (diaodu.core.dataversion).
    from django.core.cache import caches

    caches["pages"].clear()
    yield


@pytest.fixture
def orgunits(db):  # type: ignore[no-untyped-def]
    from diaodu.orgunits.models import OrgUnit
    from diaodu.orgunits.services import seed_guanyun

    seed_guanyun()
    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def personas(orgunits):  # type: ignore[no-untyped-def]
    """username -> User for every demo persona (leader, fgw, tjj, yishan, yangji, lingang, kaifaqu,
    county, sysadmin, secadmin, auditadmin, dcs, ziran)."""
    from diaodu.core.demo.personas import ensure_demo_users

    return ensure_demo_users()
