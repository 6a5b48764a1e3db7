"""Data scope (数据权限): the one place that decides which org units a user may read or change.

Every scoped model's queryset inherits :class:`ScopedQuerySet`; pages, the API, exports and the
services all call ``visible_to`` / ``editable_by`` (or :func:`get_for_user`), so a read and a write
are checked by the same code. Roles carry a data scope in the style Chinese government users know
from RuoYi: all / custom units / own unit / own unit and below / self.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connections, models, router
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from diaodu.core import rawrows

if TYPE_CHECKING:
    from diaodu.accounts.models import User


class DataScope(models.TextChoices):
    ALL = "all", _("全部数据")
    CUSTOM = "custom", _("自定义单位")
    UNIT = "unit", _("本单位")
    UNIT_AND_BELOW = "unit_and_below", _("本单位及以下")
    SELF = "self", _("仅本人")


class Perm(models.TextChoices):
    """Permissions a role can grant. Kept as a closed list so that a typo cannot grant access."""

    VIEW_DATA = "data.view", _("查看目标与数据")
    ENTER_DATA = "data.enter", _("填报数据")
    REVIEW_DATA = "data.review", _("审核数据")
    MANAGE_CONFIG = "config.manage", _("系统配置（系统管理员）")
    MANAGE_ACCOUNTS = "accounts.manage", _("账号与角色（安全管理员）")
    VIEW_AUDIT = "audit.view", _("查看审计日志（审计管理员）")
    SUPERVISE = "supervision.manage", _("督查督办（登记、交办、核验、办结）")


# Anyone who may enter or review a unit's data may also read it.
READ_PERMS: tuple[Perm, ...] = (Perm.VIEW_DATA, Perm.ENTER_DATA, Perm.REVIEW_DATA)

# 三员分立: the system, security and audit administrators' permissions are held apart, and apart from business
# data. One person (one account) holds at most one of them and then nothing else.
ADMIN_PERMS: tuple[Perm, ...] = (Perm.MANAGE_CONFIG, Perm.MANAGE_ACCOUNTS, Perm.VIEW_AUDIT)


def separation_problem(perms: Iterable[str]) -> str | None:
    """Why a set of permissions (of one role, or all roles of one user) breaks 三员分立, or None."""
    held = set(perms)
    admin = [p for p in ADMIN_PERMS if p in held]
    if len(admin) > 1:
        return str(_("系统管理员、安全管理员、审计管理员的权限不能由同一角色或同一账号兼任（三员分立）。"))
    if admin and held - set(admin):
        return str(_("管理员权限不能与业务数据权限兼任（三员分立）。"))
    return None


@dataclass(frozen=True)
class UnitScope:
    all: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    self_user_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.all and not self.unit_ids and self.self_user_id is None

    def covers_unit(self, unit_id: int | None) -> bool:
        return self.all or (unit_id is not None and unit_id in self.unit_ids)


def user_perms(user: Any) -> frozenset[str]:
    """Permission codes granted by the user's roles (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_diaodu_perms", None)
    if cached is None:
        cached = frozenset(p for role in _roles(user) for p in role.permissions)
        user._diaodu_perms = cached
    return cached


def has_perm(user: Any, perm: Perm | str) -> bool:
    return str(perm) in user_perms(user)


def unit_scope(user: Any, perms: Perm | Iterable[Perm]) -> UnitScope:
    """The org units in which ``user`` holds any of ``perms``, as the union over the user's roles."""
    wanted = {str(perms)} if isinstance(perms, str) else {str(p) for p in perms}
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return UnitScope()
    cache: dict[frozenset[str], UnitScope] = user.__dict__.setdefault("_diaodu_scope_cache", {})
    key = frozenset(wanted)
    if key in cache:
        return cache[key]
    everything = False
    ids: set[int] = set()
    self_id: int | None = None
    for role in _roles(user):
        if not wanted.intersection(role.permissions):
            continue
        if role.data_scope == DataScope.ALL:
            everything = True
        elif role.data_scope == DataScope.CUSTOM:
            ids.update(role.custom_units.values_list("pk", flat=True))
        elif role.data_scope == DataScope.UNIT and user.org_unit_id:
            ids.add(user.org_unit_id)
        elif role.data_scope == DataScope.UNIT_AND_BELOW and user.org_unit_id:
            below = user.__dict__.get("_diaodu_below_ids")  # the same for every permission set: read once
            if below is None:
                below = _unit_and_below(user.org_unit)
                user.__dict__["_diaodu_below_ids"] = below
            ids.update(below)
        elif role.data_scope == DataScope.SELF:
            self_id = user.pk
    scope = UnitScope(all=everything, unit_ids=frozenset(ids), self_user_id=self_id)
    cache[key] = scope
    return scope


def _unit_and_below(unit: Any) -> frozenset[int]:
    """The ids of ``unit`` and every unit below it (a fixed statement: it runs on most requests). A unit without
    a path yet covers itself only."""
    from diaodu.orgunits.models import OrgUnit

    if not unit.path:
        return frozenset({unit.pk})
    using = router.db_for_read(OrgUnit)
    connection = connections[using]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('id')} FROM {qn(OrgUnit._meta.db_table)} WHERE {qn('path')} LIKE %s ESCAPE '\\'",  # noqa: S608
            [connection.ops.prep_for_like_query(unit.path) + "%"],
        )
        return frozenset(row[0] for row in cursor.fetchall())


def _roles(user: Any) -> list[Any]:
    """The user's roles, read once per request (one query; a role with custom units reads them when asked)."""
    roles = user.__dict__.get("_diaodu_roles")
    if roles is None:
        roles = _read_roles(user.pk)
        user.__dict__["_diaodu_roles"] = roles
    return roles


@functools.cache
def _roles_sql(using: str) -> str:
    from diaodu.accounts.models import Role, User

    qn = connections[using].ops.quote_name
    link = User._meta.get_field("roles")
    through = link.remote_field.through._meta.db_table  # type: ignore[union-attr]
    return (
        f"SELECT {rawrows.columns(Role, 'r', using)} FROM {qn(Role._meta.db_table)} r "  # noqa: S608 - names from the models
        f"INNER JOIN {qn(through)} ur ON ur.{qn(link.m2m_reverse_name())} = r.{qn(Role._meta.pk.column)} "  # type: ignore[attr-defined]
        f"WHERE ur.{qn(link.m2m_column_name())} = %s ORDER BY r.{qn(Role._meta.pk.column)}"  # type: ignore[attr-defined]
    )


def _read_roles(user_id: int) -> list[Any]:
    """The roles of a user (one fixed statement: it runs on every request; see diaodu.core.rawrows)."""
    from diaodu.accounts.models import Role

    using = router.db_for_read(Role)
    with connections[using].cursor() as cursor:
        cursor.execute(_roles_sql(using), [user_id])
        return [rawrows.instance(Role, using, row) for row in cursor.fetchall()]


def forget_cached_scope(user: Any) -> None:
    for key in ("_diaodu_roles", "_diaodu_scope_cache", "_diaodu_perms", "_diaodu_below_ids"):
        user.__dict__.pop(key, None)


_QS = TypeVar("_QS", bound="ScopedQuerySet")


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every model that belongs to an org unit.

    ``unit_field`` names the path to the org unit ("org_unit", "pk" for OrgUnit itself);
    ``owner_field`` (optional) names the creator, used by the "self" data scope.
    """

    unit_field: str = "org_unit"
    owner_field: str | None = None

    def restrict(self, user: Any, perms: Perm | Iterable[Perm]) -> Self:
        scope = unit_scope(user, perms)
        if scope.all:
            return self
        condition = Q(pk__in=[])
        if scope.unit_ids:
            condition |= Q(**{f"{self.unit_field}__in": scope.unit_ids})
        if scope.self_user_id is not None and self.owner_field:
            condition |= Q(**{self.owner_field: scope.self_user_id})
        return self.filter(condition)

    def visible_to(self, user: Any) -> Self:
        return self.restrict(user, READ_PERMS)

    def editable_by(self, user: Any, perm: Perm = Perm.ENTER_DATA) -> Self:
        return self.restrict(user, perm)

    def holds(self, obj: Any, user: Any, perms: Perm | Iterable[Perm]) -> bool | None:
        """Whether ``restrict(user, perms)`` keeps ``obj`` (a row of this queryset's model, just read), decided
        from the row's own columns without a statement; None when that cannot be told here (the scope or the
        unit is reached through a join, or a subclass scopes differently), so the caller asks the database."""
        cls = type(self)
        if cls.restrict is not ScopedQuerySet.restrict or cls.editable_by is not ScopedQuerySet.editable_by:
            return None
        unit = _own_column(obj, self.unit_field)
        owner = _own_column(obj, self.owner_field) if self.owner_field else None
        if unit is None or (self.owner_field and owner is None):
            return None
        scope = unit_scope(user, perms)
        if scope.all:
            return True
        if unit[0] in scope.unit_ids:
            return True
        return owner is not None and scope.self_user_id is not None and owner[0] == scope.self_user_id


def _own_column(obj: Any, name: str) -> tuple[Any] | None:
    """(value,) of a column of ``obj``'s own row named by a scope path ("pk" or a local field), or None when
    the path goes through a join."""
    if name == "pk":
        return (obj.pk,)
    if "__" in name:
        return None
    field = obj._meta.get_field(name)
    if not field.concrete or field.many_to_many or field.one_to_many:
        return None
    return (getattr(obj, field.attname),)


def sees_whole_subtree(user: Any, unit: Any) -> bool:
    """Whether ``user`` may read every unit at and below ``unit`` (one query): then a figure kept for the
    whole subtree may be shown to them as it is."""
    from diaodu.orgunits.models import OrgUnit

    scope = unit_scope(user, READ_PERMS)
    if scope.all:
        return True
    own = getattr(user, "org_unit", None) if getattr(user, "org_unit_id", None) else None
    below = user.__dict__.get("_diaodu_below_ids")
    if own is not None and below is not None and unit.path.startswith(own.path) and below <= scope.unit_ids:
        return True  # the user's whole own subtree is in scope (read already), and the unit lies in it
    visible = OrgUnit.objects.visible_to(user).values("pk")
    return not OrgUnit.objects.filter(path__startswith=unit.path).exclude(pk__in=visible).exists()


def get_for_user(
    queryset: models.QuerySet[Any], user: User | Any, pk: Any, *, perm: Perm | None = None
) -> Any:
    """Fetch one object for ``user``: 404 if not visible, 403 if visible but ``perm`` is not held on it."""
    assert isinstance(queryset, ScopedQuerySet)
    obj = queryset.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if perm is None:
        return obj
    allowed = queryset.holds(obj, user, perm)  # from the row just read: no second statement
    if allowed is None:
        allowed = queryset.editable_by(user, perm).filter(pk=pk).exists()
    if not allowed:
        raise PermissionDenied
    return obj


def require_unit(user: Any, unit_id: int | None, perm: Perm) -> None:
    """Raise PermissionDenied unless ``user`` holds ``perm`` on org unit ``unit_id``."""
    from diaodu.orgunits.models import OrgUnit

    if unit_id is None:
        raise PermissionDenied
    scope = unit_scope(user, perm)
    if scope.all:  # the unit must still exist
        allowed = OrgUnit.objects.editable_by(user, perm).filter(pk=unit_id).exists()
    else:  # what editable_by's ``pk IN (…)`` would find, without the statement (the ids were read from the units)
        allowed = unit_id in scope.unit_ids
    if not allowed:
        raise PermissionDenied


def require_perm(user: Any, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied
