"""TOTP secrets are encrypted at rest: the column, the session during enrolment, the data migration, key rotation.
(Logging in with TOTP itself is tested in test_login_security.py and the browser test.)"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from typing import Any

import pyotp
import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from diaodu.accounts import services
from diaodu.accounts.models import User
from diaodu.core import fieldcrypt

from .logins import pending, post_login, secret_on_page

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def stored(username: str) -> str:
    """The totp_secret column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE username = %s", [username])
        return str(cursor.fetchone()[0])


def store_raw(username: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET totp_secret = %s WHERE username = %s", [value, username])


@time_machine.travel(T0, tick=False)
def test_the_column_holds_no_secret_and_the_login_still_works(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert post_login(client, "auditadmin").status_code == 302
    secret = secret_on_page(client.get(reverse("accounts:otp_enrol")).content.decode())
    # While enrolling, the session store (a database table) does not hold it in clear either.
    session = Session.objects.get(session_key=client.session.session_key)
    assert secret not in session.session_data and secret not in str(session.get_decoded())
    response = client.post(reverse("accounts:otp_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and not pending(client)

    raw = stored("auditadmin")
    assert secret not in raw and len(raw) > 100 and fieldcrypt.decrypt(raw) == secret
    assert User.objects.get(username="auditadmin").totp_secret == secret
    # Saving again encrypts afresh (a randomised token): equal secrets do not show as equal columns.
    user = User.objects.get(username="auditadmin")
    user.save(update_fields=["totp_secret"])
    assert stored("auditadmin") != raw and fieldcrypt.decrypt(stored("auditadmin")) == secret

    # The next login asks for a code from the same authenticator (decrypted from the column) and accepts it.
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        client = Client()
        assert post_login(client, "auditadmin")["Location"] == reverse("accounts:otp_verify")
        response = client.post(reverse("accounts:otp_verify"), {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302 and not pending(client) and "_auth_user_id" in client.session


def test_an_unbound_secret_stays_empty(personas) -> None:  # type: ignore[no-untyped-def]
    services.reset_second_factor(actor=personas["secadmin"], user=personas["auditadmin"])
    assert stored("auditadmin") == "" and not User.objects.get(username="auditadmin").has_second_factor


def test_keys_rotate_and_a_wrong_key_fails_loudly(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_FIELD_KEY = ""  # development: derived from SECRET_KEY
    user = personas["sysadmin"]
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    settings.DIAODU_FIELD_KEY = "first-production-key-0123456789"
    assert User.objects.get(pk=user.pk).totp_secret == user.totp_secret  # the derived key still decrypts
    call_command("fieldkey", "rotate", stdout=io.StringIO())
    settings.SECRET_KEY = "another-secret-key-so-the-derived-key-changes-0123456789"
    assert User.objects.get(pk=user.pk).totp_secret == user.totp_secret  # now under the first key
    settings.DIAODU_FIELD_KEY = "second-production-key-9876543210"
    with pytest.raises(fieldcrypt.FieldKeyError, match="DIAODU_FIELD_KEY"):
        User.objects.get(pk=user.pk)
    settings.DIAODU_FIELD_KEY = "second-production-key-9876543210,first-production-key-0123456789"
    assert User.objects.get(pk=user.pk).totp_secret == user.totp_secret
    call_command("fieldkey", "rotate", stdout=io.StringIO())
    settings.DIAODU_FIELD_KEY = "second-production-key-9876543210"
    assert User.objects.get(pk=user.pk).totp_secret == user.totp_secret


def test_the_deploy_check_wants_a_field_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG, settings.DIAODU_FIELD_KEY = False, ""
    assert [m.id for m in fieldcrypt.check_field_key_deploy()] == [fieldcrypt.ERROR_ID]
    assert [m.id for m in fieldcrypt.check_field_key()] == [fieldcrypt.WARNING_ID]
    settings.DIAODU_FIELD_KEY = "a-production-key"
    assert fieldcrypt.check_field_key_deploy() == [] and fieldcrypt.check_field_key() == []


def _historical_apps(name: str) -> Any:
    return MigrationLoader(connection).project_state(("accounts", name)).apps


def test_the_data_migration_encrypts_existing_plain_secrets_and_can_undo_it(personas) -> None:  # type: ignore[no-untyped-def]
    migration = importlib.import_module("diaodu.accounts.migrations.0005_encrypt_totp_secret")
    secret = pyotp.random_base32()
    store_raw("secadmin", secret)  # as a database from before this migration holds it
    before = _historical_apps("0004_login_security")  # totp_secret is a plain CharField there
    migration.encrypt_secrets(before, None)
    raw = stored("secadmin")
    assert raw != secret and fieldcrypt.decrypt(raw) == secret and stored("sysadmin") == ""
    migration.encrypt_secrets(before, None)  # again: nothing changes
    assert stored("secadmin") == raw
    assert User.objects.get(username="secadmin").totp_secret == secret
    migration.decrypt_secrets(before, None)  # the reverse migration
    assert stored("secadmin") == secret
