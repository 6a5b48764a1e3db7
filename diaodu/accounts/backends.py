"""The authentication backend: Django's ``ModelBackend`` (password check, ``is_active``), except that the user of
a session is read with their org unit in one fixed statement (every page and API call needs both, for the data
scope and the header; see :mod:`diaodu.core.rawrows` for why it is written by hand)."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from diaodu.accounts.models import User
from diaodu.core import rawrows
from diaodu.orgunits.models import OrgUnit


@functools.cache
def _user_sql(using: str) -> str:
    qn = connections[using].ops.quote_name
    return (
        f"SELECT {rawrows.columns(User, 'u', using)}, {rawrows.columns(OrgUnit, 'o', using)} "  # noqa: S608 - names from the models
        f"FROM {qn(User._meta.db_table)} u LEFT JOIN {qn(OrgUnit._meta.db_table)} o "
        f"ON o.{qn(OrgUnit._meta.pk.column)} = u.{qn(User._meta.get_field('org_unit').column)} "
        f"WHERE u.{qn(User._meta.pk.column)} = %s"
    )


def load_user(user_id: Any) -> User | None:
    """The user with their org unit (cached on the instance, as ``select_related`` leaves it), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except (TypeError, ValueError, ValidationError):
        return None
    using = router.db_for_read(User)
    with connections[using].cursor() as cursor:
        cursor.execute(_user_sql(using), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    n = rawrows.width(User, using)
    user = rawrows.instance(User, using, row[:n])
    unit = rawrows.instance(OrgUnit, using, row[n:]) if row[n] is not None else None
    User._meta.get_field("org_unit").set_cached_value(user, unit)
    return user


class UnitUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
