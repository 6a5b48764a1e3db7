from __future__ import annotations

from diaodu.accounts.scope import ScopedQuerySet


class TargetQuerySet(ScopedQuerySet):
    unit_field = "org_unit"


class ActualQuerySet(ScopedQuerySet):
    unit_field = "org_unit"
    owner_field = "created_by"
