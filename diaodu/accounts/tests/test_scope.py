"""Data scopes (all / custom / unit / unit and below / self) and the 404-vs-403 rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from diaodu.accounts.models import Role, User
from diaodu.accounts.scope import DataScope, Perm, forget_cached_scope, get_for_user, unit_scope
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Actual, Indicator

pytestmark = pytest.mark.django_db


def _user(orgunits, unit_code: str, scope: str, perms=(Perm.VIEW_DATA, Perm.ENTER_DATA), custom=()) -> User:  # type: ignore[no-untyped-def]
    role = Role.objects.create(
        code=f"r-{scope}-{unit_code}", name="测试角色", permissions=[str(p) for p in perms], data_scope=scope
    )
    role.custom_units.set([orgunits[c] for c in custom])
    user = User.objects.create(username=f"u-{scope}-{unit_code}", org_unit=orgunits[unit_code])
    user.roles.add(role)
    return user


def _codes(user: User) -> set[str]:
    return set(OrgUnit.objects.visible_to(user).values_list("code", flat=True))


def test_unit_and_below_covers_the_subtree(orgunits) -> None:  # type: ignore[no-untyped-def]
    user = _user(orgunits, "320723-Z02", DataScope.UNIT_AND_BELOW)
    assert _codes(user) == {"320723-Z02", "320723-Z02-P01", "320723-Z02-P02", "320723-Z02-P03"}


def test_own_unit_only(orgunits) -> None:  # type: ignore[no-untyped-def]
    assert _codes(_user(orgunits, "320723-Z02", DataScope.UNIT)) == {"320723-Z02"}


def test_custom_units(orgunits) -> None:  # type: ignore[no-untyped-def]
    user = _user(orgunits, "320723-D01", DataScope.CUSTOM, custom=("320723-T02", "320723-T03"))
    assert _codes(user) == {"320723-T02", "320723-T03"}


def test_all(orgunits) -> None:  # type: ignore[no-untyped-def]
    assert _codes(_user(orgunits, "320723-D03", DataScope.ALL)) == set(
        OrgUnit.objects.values_list("code", flat=True)
    )


def test_self_scope_sees_only_own_records(orgunits) -> None:  # type: ignore[no-untyped-def]
    user = _user(orgunits, "320723-T02", DataScope.SELF)
    ind = Indicator.objects.create(code="x", name="测试指标", unit="个", measure="count")
    mine = Actual.objects.create(
        indicator=ind,
        org_unit=orgunits["320723-T02"],
        year=2025,
        month=1,
        ytd_value=Decimal(1),
        created_by=user,
    )
    Actual.objects.create(
        indicator=ind, org_unit=orgunits["320723-T02"], year=2025, month=2, ytd_value=Decimal(2)
    )
    assert list(Actual.objects.visible_to(user)) == [mine]
    assert _codes(user) == set()


def test_roles_combine_and_permissions_are_separate(orgunits) -> None:  # type: ignore[no-untyped-def]
    user = _user(orgunits, "320723-T02", DataScope.UNIT_AND_BELOW)
    extra = Role.objects.create(
        code="viewer-all", name="全县只读", permissions=[Perm.VIEW_DATA], data_scope=DataScope.ALL
    )
    user.roles.add(extra)
    forget_cached_scope(user)
    assert unit_scope(user, Perm.VIEW_DATA).all
    enter = unit_scope(user, Perm.ENTER_DATA)
    assert not enter.all
    assert enter.unit_ids == {orgunits["320723-T02"].pk, orgunits["320723-T02-IZ"].pk}


def test_inactive_and_anonymous_users_see_nothing(orgunits) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    user = _user(orgunits, "320723", DataScope.ALL)
    user.is_active = False
    assert _codes(user) == set()
    assert OrgUnit.objects.visible_to(AnonymousUser()).count() == 0


def test_get_for_user_gives_404_when_invisible_and_403_when_read_only(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    ind = Indicator.objects.create(code="y", name="测试指标二", unit="个", measure="count")
    yangji = Actual.objects.create(
        indicator=ind, org_unit=orgunits["320723-T03"], year=2025, month=1, ytd_value=Decimal(1)
    )
    with pytest.raises(Http404):
        get_for_user(Actual.objects.all(), personas["yishan"], yangji.pk)
    assert get_for_user(Actual.objects.all(), personas["leader"], yangji.pk) == yangji
    with pytest.raises(PermissionDenied):
        get_for_user(Actual.objects.all(), personas["leader"], yangji.pk, perm=Perm.ENTER_DATA)
    assert get_for_user(Actual.objects.all(), personas["yangji"], yangji.pk, perm=Perm.ENTER_DATA) == yangji
    for admin in ("sysadmin", "secadmin", "auditadmin"):
        with pytest.raises(Http404):
            get_for_user(Actual.objects.all(), personas[admin], yangji.pk)


def test_sees_whole_subtree(orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.accounts.scope import sees_whole_subtree

    zone, park = orgunits["320723-Z02"], orgunits["320723-Z02-P01"]
    below = _user(orgunits, "320723-Z02", DataScope.UNIT_AND_BELOW)
    assert sees_whole_subtree(below, zone) and sees_whole_subtree(below, park)
    assert not sees_whole_subtree(below, orgunits["320723"])  # the county's other units are out of scope
    own = _user(orgunits, "320723-Z02", DataScope.UNIT)
    assert not sees_whole_subtree(own, zone) and not sees_whole_subtree(own, park)
    custom = _user(orgunits, "320723-D01", DataScope.CUSTOM, custom=("320723-Z02-P01",))
    assert sees_whole_subtree(custom, park) and not sees_whole_subtree(custom, zone)
    assert sees_whole_subtree(_user(orgunits, "320723-D01", DataScope.ALL), orgunits["320723"])


# ----------------------------------------------------------------------------- permission from the row just read


def test_get_for_user_decides_a_permission_from_the_row_as_editable_by_does(orgunits) -> None:  # type: ignore[no-untyped-def]
    """``get_for_user(..., perm=...)`` tells the permission from the columns of the row it has just read (no second
    statement): for every kind of scope and every row the answer is the one ``editable_by`` gives in SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [
        _user(orgunits, "320723-Z02", DataScope.UNIT_AND_BELOW),
        _user(orgunits, "320723-Z02", DataScope.UNIT),
        _user(orgunits, "320723-D01", DataScope.CUSTOM, custom=("320723-T02",)),
        _user(orgunits, "320723-T02", DataScope.SELF),
        _user(orgunits, "320723-D03", DataScope.ALL),
        _user(orgunits, "320723-T03", DataScope.UNIT, perms=(Perm.VIEW_DATA,)),  # reads, may not enter
    ]
    ind = Indicator.objects.create(code="z", name="测试指标三", unit="个", measure="count")
    rows = [
        Actual.objects.create(indicator=ind, org_unit=orgunits[code], year=2025, month=month, created_by=owner)
        for month, (code, owner) in enumerate(
            [("320723-Z02", None), ("320723-Z02-P01", None), ("320723-T02", None), ("320723-T03", users[3]),
             ("320723-T03", None), ("320723-D01", users[0])], start=1
        )
    ]  # fmt: skip
    for user in users:
        for row in rows:
            visible = Actual.objects.visible_to(user).filter(pk=row.pk).exists()
            editable = Actual.objects.editable_by(user, Perm.ENTER_DATA).filter(pk=row.pk).exists()
            assert Actual.objects.holds(row, user, Perm.ENTER_DATA) is editable
            if not visible:
                with pytest.raises(Http404):
                    get_for_user(Actual.objects.all(), user, row.pk, perm=Perm.ENTER_DATA)
                continue
            with CaptureQueriesContext(connection) as ctx:
                if editable:
                    assert get_for_user(Actual.objects.all(), user, row.pk, perm=Perm.ENTER_DATA) == row
                else:
                    with pytest.raises(PermissionDenied):
                        get_for_user(Actual.objects.all(), user, row.pk, perm=Perm.ENTER_DATA)
            assert len(ctx.captured_queries) == 1  # the row itself (the scope was read above)


def test_holds_leaves_joined_and_custom_scopes_to_the_database(orgunits) -> None:  # type: ignore[no-untyped-def]
    from diaodu.projects.models import MonthlyReport, Project
    from diaodu.supervision.models import KeyTask

    user = _user(orgunits, "320723-Z02", DataScope.UNIT_AND_BELOW)
    report = MonthlyReport(project=Project(org_unit=orgunits["320723-Z02"]))  # the unit is behind a join
    assert MonthlyReport.objects.holds(report, user, Perm.ENTER_DATA) is None
    task = KeyTask(owner=orgunits["320723-T02"])  # co-owners count too: its queryset scopes by its own rule
    assert KeyTask.objects.holds(task, user, Perm.ENTER_DATA) is None


def test_require_unit_reads_nothing_for_a_unit_scope_and_still_refuses(orgunits) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diaodu.accounts.scope import require_unit

    user = _user(orgunits, "320723-Z02", DataScope.UNIT_AND_BELOW)
    unit_scope(user, Perm.ENTER_DATA)  # read once per request
    with CaptureQueriesContext(connection) as ctx:
        require_unit(user, orgunits["320723-Z02-P01"].pk, Perm.ENTER_DATA)
        for outside in (orgunits["320723"].pk, orgunits["320723-T02"].pk, None):
            with pytest.raises(PermissionDenied):
                require_unit(user, outside, Perm.ENTER_DATA)
        with pytest.raises(PermissionDenied):
            require_unit(user, orgunits["320723-Z02"].pk, Perm.REVIEW_DATA)  # a permission the role lacks
    assert ctx.captured_queries == []
    everyone = _user(orgunits, "320723-D03", DataScope.ALL)
    require_unit(everyone, orgunits["320723-T02"].pk, Perm.ENTER_DATA)
    with pytest.raises(PermissionDenied):
        require_unit(everyone, max(u.pk for u in orgunits.values()) + 1, Perm.ENTER_DATA)  # no such unit
