from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from diaodu.accounts.scope import ScopedQuerySet

if TYPE_CHECKING:
    from diaodu.orgunits.models import OrgUnit


class OrgUnitQuerySet(ScopedQuerySet):
    unit_field = "pk"

    def internal(self) -> OrgUnitQuerySet:
        return self.filter(is_external=False)

    def subtree(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def by_code_or_name(self, value: str) -> models.QuerySet:
        value = value.strip()
        return self.filter(models.Q(code=value) | models.Q(name=value) | models.Q(short_name=value))
