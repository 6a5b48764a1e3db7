"""Users with a given data scope for the tests that compare a whole-scope shortcut with the scoped querysets."""

from __future__ import annotations

from typing import Any

from diaodu.accounts.models import Role, User
from diaodu.accounts.scope import Perm
from diaodu.orgunits.models import OrgUnit

VIEW = (Perm.VIEW_DATA,)


def scoped_user(
    orgunits: dict[str, OrgUnit],
    name: str,
    unit: str,
    scope: str,
    perms: tuple[Perm, ...] = VIEW,
    custom: tuple[str, ...] = (),
) -> Any:
    """A user of ``unit`` with one role: ``perms`` over ``scope`` (a DataScope; ``custom``: its units' codes)."""
    role = Role.objects.create(
        code=f"r-{name}", name=name, permissions=[str(p) for p in perms], data_scope=scope
    )
    role.custom_units.set([orgunits[c] for c in custom])
    user = User.objects.create(username=f"u-{name}", org_unit=orgunits[unit])
    user.roles.add(role)
    return user
