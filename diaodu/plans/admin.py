"""Plans, indicators and targets in the admin, for the system administrator (Perm.MANAGE_CONFIG).

Monthly actuals are not here: they change only through data entry and review (services with a workflow).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from diaodu.accounts.adminsite import PermAdminMixin
from diaodu.plans import lights
from diaodu.plans.models import Indicator, Plan, Target


class KeepsLightsMixin:
    """An edit here can move targets' lights (a value, a comparator, an indicator's measure): re-evaluate the
    targets concerned in the same transaction, as the services do (plans/lights.py)."""

    def targets_of(self, obj: Any) -> QuerySet[Target]:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        lights.refresh_targets(self.targets_of(obj))


@admin.register(Plan)
class PlanAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "year", "org_unit", "loaded_at"]
    readonly_fields = ["file_sha256", "loaded_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if apps.is_installed("diaodu.projects"):
            # A new plan year: the project rollups behind its computed indicators start now, as on a plan load.
            from diaodu.projects import rollups

            rollups.ensure_year(obj.year)


@admin.register(Indicator)
class IndicatorAdmin(KeepsLightsMixin, PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "measure", "accumulation", "rollup"]
    list_filter = ["measure", "accumulation"]
    search_fields = ["code", "name"]

    def targets_of(self, obj: Any) -> QuerySet[Target]:
        return Target.objects.filter(Q(indicator=obj) | Q(relative_to=obj))


@admin.register(Target)
class TargetAdmin(KeepsLightsMixin, PermAdminMixin, admin.ModelAdmin):
    list_display = ["key", "section", "indicator", "org_unit", "comparator", "value", "level", "year"]
    list_filter = ["year", "section", "level"]
    search_fields = ["key", "indicator__name", "org_unit__name", "quote"]
    list_select_related = ["indicator", "org_unit"]
    autocomplete_fields = ["indicator"]
    raw_id_fields = ["org_unit", "relative_to", "parent"]

    def targets_of(self, obj: Any) -> QuerySet[Target]:
        return Target.objects.filter(pk=obj.pk)
