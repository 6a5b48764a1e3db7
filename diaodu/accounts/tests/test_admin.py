"""The admin site: configuration for the system administrator, accounts for the security administrator,
nobody else (not even the audit administrator); admin changes are audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from diaodu.accounts.models import Role
from diaodu.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_it_lets_the_system_administrator_configure_but_not_manage_accounts(personas) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["sysadmin"])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:orgunits_orgunit_changelist")).status_code == 200
    assert client.get(reverse("admin:plans_target_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_it_lets_the_security_administrator_manage_accounts_only(personas) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["secadmin"])
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_role_changelist")).status_code == 200
    assert client.get(reverse("admin:orgunits_orgunit_changelist")).status_code == 403


@pytest.mark.parametrize("name", ["leader", "fgw", "yishan", "auditadmin"])
def test_it_refuses_everybody_else(personas, name) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas[name])
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_it_sends_anonymous_users_to_the_platform_login(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


def test_it_audits_admin_changes(personas) -> None:  # type: ignore[no-untyped-def]
    role = Role.objects.get(code="unit_viewer")
    client = client_for(personas["secadmin"])
    response = client.post(
        reverse("admin:accounts_role_change", args=[role.pk]),
        {
            "code": role.code,
            "name": "单位查看员（只读）",
            "permissions": ["data.view"],
            "data_scope": "unit",
            "description": role.description,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="accounts.role")
    assert event.actor == personas["secadmin"]
    assert event.before == {"name": "单位查看员"} and event.after == {"name": "单位查看员（只读）"}
