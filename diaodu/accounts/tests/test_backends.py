"""The session's user is read with their org unit in one query; inactive users are refused as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.accounts.backends import UnitUserBackend

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_unit_in_one_query(personas) -> None:  # type: ignore[no-untyped-def]
    yishan = personas["yishan"]
    with CaptureQueriesContext(connection) as ctx:
        user = UnitUserBackend().get_user(yishan.pk)
        assert user is not None and user.org_unit is not None
        assert user.org_unit.pk == yishan.org_unit_id
    assert len(ctx.captured_queries) == 1


def test_an_inactive_or_missing_user_is_refused(personas) -> None:  # type: ignore[no-untyped-def]
    yishan = personas["yishan"]
    yishan.is_active = False
    yishan.save(update_fields=["is_active"])
    assert UnitUserBackend().get_user(yishan.pk) is None
    assert UnitUserBackend().get_user(10**9) is None
