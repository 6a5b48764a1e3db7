"""Scoping of key tasks and supervision items: the lead unit *or* any co-unit puts an object in a user's scope.

A department sees the items assigned to it (as lead or co-department); the supervision office (督查员, all units)
and the county leaders see everything. Notifications are not org-unit data: a user's inbox is what was sent to
the user or to the user's own unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.db import models
from django.db.models import Q

from diaodu.accounts.scope import READ_PERMS, Perm, ScopedQuerySet, unit_scope

SUPERVISION_READ_PERMS: tuple[Perm, ...] = (*READ_PERMS, Perm.SUPERVISE)


class _LeadOrCoUnitQuerySet(ScopedQuerySet):
    co_units_field: str = ""

    def _lead_or_co(self, unit_ids: Iterable[int]) -> Q:
        unit_ids = list(unit_ids)
        through = self.model._meta.get_field(self.co_units_field).remote_field.through
        co = through.objects.filter(orgunit_id__in=unit_ids).values(f"{self.model._meta.model_name}_id")
        return Q(**{f"{self.unit_field}__in": unit_ids}) | Q(pk__in=co)

    def restrict(self, user: Any, perms: Perm | Iterable[Perm]) -> Self:
        scope = unit_scope(user, perms)
        if scope.all:
            return self
        if not scope.unit_ids:
            return self.none()
        return self.filter(self._lead_or_co(scope.unit_ids))

    def involving(self, unit_id: int) -> Self:
        """Objects the unit leads or co-owns."""
        return self.filter(self._lead_or_co([unit_id]))

    def visible_to(self, user: Any) -> Self:
        return self.restrict(user, SUPERVISION_READ_PERMS)


class KeyTaskQuerySet(_LeadOrCoUnitQuerySet):
    unit_field = "owner"
    co_units_field = "co_owners"


class SupervisionItemQuerySet(_LeadOrCoUnitQuerySet):
    unit_field = "lead_unit"
    co_units_field = "co_units"

    def open(self) -> Self:
        from diaodu.supervision.domain import ACTIVE

        return self.filter(status__in=[str(s) for s in ACTIVE])


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user: Any) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(recipient_user_id=user.pk)
        if user.org_unit_id:
            condition |= Q(recipient_unit_id=user.org_unit_id)
        return self.filter(condition)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)
