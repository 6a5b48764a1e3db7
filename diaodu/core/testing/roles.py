"""The default roles again after a transactional test's flush removed what the migrations had put in."""

from __future__ import annotations


def ensure_default_roles() -> None:
    from diaodu.accounts.models import Role
    from diaodu.accounts.roles import DEFAULT_ROLES

    for seed in DEFAULT_ROLES:
        Role.objects.get_or_create(
            code=seed.code,
            defaults={
                "name": seed.name,
                "permissions": [str(p) for p in seed.permissions],
                "data_scope": seed.data_scope,
                "description": seed.description,
            },
        )
