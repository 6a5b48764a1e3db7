"""The fixed statements of every request (session, user with unit, roles, data version) give exactly what the
ORM gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diaodu.accounts.backends import load_user
from diaodu.accounts.models import Role, User
from diaodu.accounts.scope import _read_roles
from diaodu.accounts.sessions import SessionStore
from diaodu.core import dataversion

pytestmark = pytest.mark.django_db


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def test_a_user_and_their_unit_are_read_as_the_orm_reads_them(personas) -> None:  # type: ignore[no-untyped-def]
    yishan = personas["yishan"]
    User.objects.filter(pk=yishan.pk).update(last_login=timezone.now())
    expected = User.objects.select_related("org_unit").get(pk=yishan.pk)
    with CaptureQueriesContext(connection) as ctx:
        user = load_user(str(yishan.pk))
        assert user is not None and user.org_unit is not None
        unit_fields = _fields(user.org_unit)
    assert len(ctx.captured_queries) == 1
    assert _fields(user) == _fields(expected) and unit_fields == _fields(expected.org_unit)
    assert isinstance(user.last_login, dt.datetime) and user.last_login.tzinfo is not None
    assert user.check_password("x") is expected.check_password("x")
    assert load_user("not a number") is None and load_user(10**9) is None


def test_a_user_without_a_unit_has_none(personas) -> None:  # type: ignore[no-untyped-def]
    admin = personas["sysadmin"]
    User.objects.filter(pk=admin.pk).update(org_unit=None)
    user = load_user(admin.pk)
    assert user is not None and user.org_unit_id is None
    with CaptureQueriesContext(connection) as ctx:
        assert user.org_unit is None
    assert not ctx.captured_queries


def test_roles_are_read_as_the_orm_reads_them(personas) -> None:  # type: ignore[no-untyped-def]
    for user in personas.values():
        expected = sorted((_fields(r) for r in user.roles.all()), key=lambda f: f["id"])  # type: ignore[arg-type, return-value]
        got = [_fields(r) for r in _read_roles(user.pk)]
        assert got == expected
        assert all(isinstance(r.permissions, list) for r in _read_roles(user.pk))
    assert Role.objects.exists()


def test_a_session_is_read_until_it_expires(personas) -> None:  # type: ignore[no-untyped-def]
    store = SessionStore()
    store["k"] = "值"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"k": "值"}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("nosuchsessionkey123").load() == {}


def test_the_data_version_is_read_after_each_bump() -> None:
    before = dataversion.current()
    dataversion.bump()
    after = dataversion.current()
    assert after != before and after > 0


def test_a_token_brings_its_user_and_unit_and_refuses_revoked_or_inactive(personas) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts import services as accounts
    from diaodu.accounts.models import ApiToken

    yishan = personas["yishan"]
    key = accounts.issue_api_token(actor=yishan, user=yishan, name="测试")
    with CaptureQueriesContext(connection) as ctx:
        user = accounts.user_for_token(key)
        assert user is not None and user.org_unit is not None
    assert user.pk == yishan.pk and user.org_unit.pk == yishan.org_unit_id
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]) == 1
    token = ApiToken.objects.get(user=yishan)
    assert token.last_used_at is not None  # the first use is recorded
    assert accounts.user_for_token(key + "x") is None
    User.objects.filter(pk=yishan.pk).update(is_active=False)
    assert accounts.user_for_token(key) is None
    User.objects.filter(pk=yishan.pk).update(is_active=True)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert accounts.user_for_token(key) is None


def test_a_unit_and_below_are_the_units_under_its_path(orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.scope import _unit_and_below
    from diaodu.orgunits.models import OrgUnit

    for unit in OrgUnit.objects.all():
        expected = set(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        assert _unit_and_below(unit) == expected and unit.pk in expected


def test_a_unit_without_a_path_covers_itself_only(orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.scope import _unit_and_below
    from diaodu.orgunits.models import OrgUnit

    unit = OrgUnit.objects.exclude(path="").first()
    assert unit is not None
    unit.path = ""
    assert _unit_and_below(unit) == {unit.pk}
