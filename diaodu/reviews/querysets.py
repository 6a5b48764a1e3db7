"""Scoping of review sessions.

A published session is visible to every data reader whose scope covers the organising unit or any reviewed unit
(the results are published to all units in scope). A draft is visible only to those who run reviews: holders of
the supervision permission (督查室) whose scope covers the organising unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.db.models import Q

from diaodu.accounts.scope import READ_PERMS, Perm, ScopedQuerySet, unit_scope


class ReviewSessionQuerySet(ScopedQuerySet):
    unit_field = "org_unit"

    def _covering(self, user: Any, perms: Perm | Iterable[Perm]) -> Q:
        scope = unit_scope(user, perms)
        if scope.all:
            return Q(pk__isnull=False)  # not Q(): an empty Q vanishes when OR-ed
        if not scope.unit_ids:
            return Q(pk__in=[])
        return Q(org_unit__in=scope.unit_ids) | Q(units__in=scope.unit_ids)

    def visible_to(self, user: Any) -> Self:
        published = Q(status="published") & self._covering(user, READ_PERMS)
        drafts = self._covering(user, Perm.SUPERVISE)
        return self.filter(published | drafts).distinct()

    def managed_by(self, user: Any) -> Self:
        """Sessions the user may score, publish and comment on (supervision permission on the organising unit)."""
        return self.restrict(user, Perm.SUPERVISE)


class ReviewChildQuerySet(ScopedQuerySet):
    unit_field = "org_unit"
