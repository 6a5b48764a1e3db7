"""Create the demo accounts (idempotent). Used by `diaodu demo` and by the test personas."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from diaodu.accounts import services as account_services
from diaodu.accounts.models import User
from diaodu.core.demo.users import DEMO_PASSWORD, DEMO_USERS
from diaodu.orgunits.models import OrgUnit


@transaction.atomic
def ensure_demo_users(*, password: str = DEMO_PASSWORD) -> dict[str, User]:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={d.org_unit_code for d in DEMO_USERS})}
    roles = account_services.ensure_default_roles()
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            actor: Any = None
            user = account_services.create_user(
                actor=actor,
                username=demo.username,
                password=password,
                full_name=demo.full_name,
                org_unit=units[demo.org_unit_code],
                roles=[roles[c] for c in demo.role_codes],
                title=demo.title,
                check_actor=False,
            )
        users[demo.username] = user
    return users
