"""三员分立, enforced in code and shown as a full matrix: the system administrator configures but neither manages
accounts nor reads the audit trail; the security administrator manages accounts but neither changes business data
nor configuration; the audit administrator only reads the audit trail and the login log. None of them sees or
changes business data. Also: no demo account keeps its published password in production (system check)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from diaodu.accounts import services as accounts
from diaodu.accounts.checks import ERROR_ID, WARNING_ID
from diaodu.accounts.models import Role
from diaodu.accounts.roles import DEFAULT_ROLES
from diaodu.accounts.scope import ADMIN_PERMS, Perm, separation_problem, user_perms
from diaodu.core.demo.users import DEMO_PASSWORD
from diaodu.plans import services as plans
from diaodu.plans.models import Indicator

pytestmark = pytest.mark.django_db

ADMINS = ("sysadmin", "secadmin", "auditadmin")

# What each administrator may do; everything else is refused.
MAY = {
    "sysadmin": {"config"},
    "secadmin": {"accounts", "login_log"},
    "auditadmin": {"audit", "login_log"},
}


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_each_administrator_holds_exactly_one_administrative_permission(personas) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "sysadmin": {Perm.MANAGE_CONFIG},
        "secadmin": {Perm.MANAGE_ACCOUNTS},
        "auditadmin": {Perm.VIEW_AUDIT},
    }
    for name, perms in expected.items():
        assert user_perms(personas[name]) == {str(p) for p in perms}
    for seed in DEFAULT_ROLES:
        assert separation_problem(seed.permissions) is None, seed.code


def test_the_admin_site_matrix(personas) -> None:  # type: ignore[no-untyped-def]
    """Every model of the admin × the three administrators: view and add pages, 200 or 403 by duty."""
    mismatches = []
    for model, model_admin in admin.site._registry.items():
        # Models of third-party apps without our mixin (auth groups, task results) are nobody's.
        duty = {"config.manage": "config", "accounts.manage": "accounts"}.get(
            str(getattr(model_admin, "required_perm", "")), "nobody"
        )
        info = (model._meta.app_label, model._meta.model_name)
        for name in ADMINS:
            client = client_for(personas[name])
            for page in ("changelist", "add"):
                url = reverse(f"admin:{info[0]}_{info[1]}_{page}")
                got = client.get(url, follow=True).status_code  # refused users end on a 403 page
                allowed = duty in MAY[name]
                if page == "add" and not model_admin.has_add_permission(_request_for(personas[name])):
                    allowed = False
                expected = 200 if allowed else 403
                if got != expected:
                    mismatches.append(f"{name} {url}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def _request_for(user):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("name", ADMINS)
def test_the_pages_and_api_matrix(personas, name) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas[name])
    audit = client.get(reverse("audit:list")).status_code
    login_log = client.get(reverse("accounts:login_log")).status_code
    assert audit == (200 if "audit" in MAY[name] else 403)
    assert login_log == (200 if "login_log" in MAY[name] else 403)
    # No administrator sees or changes business data, through pages or the API.
    assert client.get(reverse("plans:entry")).status_code == 403
    assert client.get(reverse("plans:review")).status_code == 403
    assert client.get("/api/actuals").status_code == 403
    assert client.get("/api/targets").status_code == 403
    response = client.post(
        "/api/actuals",
        {"indicator": "x", "unit": "320723", "year": 2025, "month": 1, "ytd_value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_services_refuse_out_of_duty_writes(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.create(code="sod-rev", name="测试收入", unit="亿元")
    for name in ADMINS:
        with pytest.raises(PermissionDenied):
            plans.save_actual(
                actor=personas[name],
                indicator=indicator,
                org_unit=orgunits["320723-T02"],
                year=2025,
                month=1,
                ytd_value=Decimal("1"),
            )
    officer = Role.objects.get(code="unit_officer")
    for name in ("sysadmin", "auditadmin"):
        with pytest.raises(PermissionDenied):
            accounts.create_user(
                actor=personas[name],
                username=f"x{name}",
                password="Chushi#2025",
                full_name="x",
                org_unit=orgunits["320723"],
                roles=[officer],
            )
        with pytest.raises(PermissionDenied):
            accounts.set_roles(actor=personas[name], user=personas["yishan"], roles=[officer])
        with pytest.raises(PermissionDenied):
            accounts.reset_second_factor(actor=personas[name], user=personas["yishan"])


def test_no_role_or_account_combines_duties(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    assert separation_problem([Perm.MANAGE_CONFIG, Perm.VIEW_AUDIT])
    assert separation_problem([Perm.MANAGE_ACCOUNTS, Perm.ENTER_DATA])
    assert separation_problem([Perm.VIEW_DATA, Perm.SUPERVISE]) is None
    with pytest.raises(ValidationError):
        Role(code="super", name="超级管理员", permissions=[str(p) for p in ADMIN_PERMS]).clean()
    both = [Role.objects.get(code="system_admin"), Role.objects.get(code="audit_admin")]
    with pytest.raises(ValidationError):
        accounts.set_roles(actor=personas["secadmin"], user=personas["yishan"], roles=both)
    client = client_for(personas["secadmin"])
    user = personas["county"]
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "full_name": user.full_name,
            "title": user.title,
            "org_unit": user.org_unit_id,
            "email": "",
            "is_active": "on",
            "roles": [r.pk for r in both],
        },
    )
    assert response.status_code == 200 and "三员分立" in response.content.decode()


# ----------------------------------------------------------------------------- no known default passwords


def test_the_check_flags_demo_passwords_in_production(personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    assert not [m for m in checks.run_checks() if m.id == WARNING_ID]
    settings.DEBUG = False
    warnings = [m for m in checks.run_checks() if m.id == WARNING_ID]
    assert len(warnings) == 1 and "leader" in warnings[0].msg and "auditadmin" in warnings[0].msg
    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == ERROR_ID]
    assert len(errors) == 1
    # Changing every demo password (or deactivating the account) clears it.
    for user in personas.values():
        user.set_password("Changed#" + DEMO_PASSWORD)
        user.save()
    assert not [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id in (WARNING_ID, ERROR_ID)
    ]
