"""The authentication backend: Django's ``ModelBackend`` (password check, ``is_active``), except that the user of
a session is read with their org unit in one fixed statement (every page and API call needs both, for the data
scope and the header; see :mod:`diaodu.core.rawrows` for why it is written by hand)."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from diaodu.accounts.models import ApiToken, User
from diaodu.core import rawrows
from diaodu.orgunits.models import OrgUnit


@functools.cache
def _user_sql(using: str, by_token: bool) -> str:
    """The user with their org unit, by the user's id or (``by_token``) by a live token's key hash, the token's
    columns first."""
    qn = connections[using].ops.quote_name
    unit_join = (
        f"LEFT JOIN {qn(OrgUnit._meta.db_table)} o "
        f"ON o.{qn(OrgUnit._meta.pk.column)} = u.{qn(User._meta.get_field('org_unit').column)}"
    )
    select = f"{rawrows.columns(User, 'u', using)}, {rawrows.columns(OrgUnit, 'o', using)}"
    if not by_token:
        return (
            f"SELECT {select} FROM {qn(User._meta.db_table)} u {unit_join} "  # noqa: S608 - names from the models
            f"WHERE u.{qn(User._meta.pk.column)} = %s"
        )
    return (
        f"SELECT {rawrows.columns(ApiToken, 't', using)}, {select} FROM {qn(ApiToken._meta.db_table)} t "  # noqa: S608
        f"INNER JOIN {qn(User._meta.db_table)} u "
        f"ON u.{qn(User._meta.pk.column)} = t.{qn(ApiToken._meta.get_field('user').column)} {unit_join} "
        f"WHERE t.{qn('key_hash')} = %s AND t.{qn('revoked_at')} IS NULL AND u.{qn('is_active')} = %s"
    )


def _user_from(using: str, row: tuple[Any, ...]) -> User:
    n = rawrows.width(User, using)
    user = rawrows.instance(User, using, row[:n])
    unit = rawrows.instance(OrgUnit, using, row[n:]) if row[n] is not None else None
    User._meta.get_field("org_unit").set_cached_value(user, unit)
    return user


def load_user(user_id: Any) -> User | None:
    """The user with their org unit (cached on the instance, as ``select_related`` leaves it), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except (TypeError, ValueError, ValidationError):
        return None
    using = router.db_for_read(User)
    with connections[using].cursor() as cursor:
        cursor.execute(_user_sql(using, False), [pk])
        row = cursor.fetchone()
    return None if row is None else _user_from(using, row)


def load_token(key_hash: str) -> ApiToken | None:
    """The live (not revoked) token of an active user with that key hash, its user and their org unit loaded
    with it; or None."""
    using = router.db_for_read(ApiToken)
    with connections[using].cursor() as cursor:
        cursor.execute(_user_sql(using, True), [key_hash, True])
        row = cursor.fetchone()
    if row is None:
        return None
    n = rawrows.width(ApiToken, using)
    token = rawrows.instance(ApiToken, using, row[:n])
    ApiToken._meta.get_field("user").set_cached_value(token, _user_from(using, row[n:]))
    return token


class UnitUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
