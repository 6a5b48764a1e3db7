import pytest

from diaodu.accounts.models import Role
from diaodu.accounts.roles import DEFAULT_ROLES
from diaodu.accounts.services import ensure_default_roles
from diaodu.audit.models import AuditEvent


@pytest.mark.django_db
def test_it_restores_missing_built_in_roles_once() -> None:
    Role.objects.filter(code__in=["county_leader", "audit_admin"]).delete()
    roles = ensure_default_roles()
    assert set(roles) >= {seed.code for seed in DEFAULT_ROLES}
    assert roles["county_leader"].permissions == ["data.view"]
    assert AuditEvent.objects.filter(object_type="accounts.role", action="create").count() == 2
    ensure_default_roles()
    assert AuditEvent.objects.filter(object_type="accounts.role", action="create").count() == 2
