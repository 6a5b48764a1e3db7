"""Commands without --user act as the audited command-line account, which nobody can log in as."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from diaodu.accounts.scope import Perm, unit_scope
from diaodu.audit.models import AuditEvent
from diaodu.workbooks.management.commands._actor import cli_actor

pytestmark = pytest.mark.django_db


def test_it_creates_the_cli_account_once_and_it_cannot_log_in(orgunits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DIAODU_CLI_USER", raising=False)
    user = cli_actor(None)
    assert user.username == "cli" and not user.has_usable_password()
    assert unit_scope(user, Perm.ENTER_DATA).all
    assert AuditEvent.objects.filter(actor_name="cli", action="create").count() == 2
    assert cli_actor(None).pk == user.pk
    assert AuditEvent.objects.filter(actor_name="cli", action="create").count() == 2
    assert authenticate(username="cli", password="") is None


def test_an_explicit_user_keeps_their_scope(personas) -> None:  # type: ignore[no-untyped-def]
    assert cli_actor("yishan") == personas["yishan"]
    assert not unit_scope(cli_actor("yishan"), Perm.ENTER_DATA).all
