"""Plans, indicators and targets in the admin, for the system administrator (Perm.MANAGE_CONFIG).

Monthly actuals are not here: they change only through data entry and review (services with a workflow).
"""

from __future__ import annotations

from django.contrib import admin

from diaodu.accounts.adminsite import PermAdminMixin
from diaodu.plans.models import Indicator, Plan, Target


@admin.register(Plan)
class PlanAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "year", "org_unit", "loaded_at"]
    readonly_fields = ["file_sha256", "loaded_at"]


@admin.register(Indicator)
class IndicatorAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "measure", "accumulation", "rollup"]
    list_filter = ["measure", "accumulation"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["key", "section", "indicator", "org_unit", "comparator", "value", "level", "year"]
    list_filter = ["year", "section", "level"]
    search_fields = ["key", "indicator__name", "org_unit__name", "quote"]
    list_select_related = ["indicator", "org_unit"]
    autocomplete_fields = ["indicator"]
    raw_id_fields = ["org_unit", "relative_to", "parent"]
