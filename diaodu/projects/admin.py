"""Project configuration in the admin, for the system administrator (Perm.MANAGE_CONFIG).

Only configuration is here: the approvals checklists per project category, and the pre-review rule sets
read-only (a rule set changes by a new version through ``services.save_ruleset``, so that every pre-review
keeps pointing at the rules it was evaluated with). Projects, events and reports change only through the
services (workflow, scope and audit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from diaodu.accounts.adminsite import PermAdminMixin
from diaodu.projects.models import ApprovalTemplate, ApprovalTemplateItem, Rule, RuleSet


class ApprovalTemplateItemInline(PermAdminMixin, admin.TabularInline):
    model = ApprovalTemplateItem
    extra = 0
    raw_id_fields = ["lead_department"]


@admin.register(ApprovalTemplate)
class ApprovalTemplateAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category"]
    inlines = [ApprovalTemplateItemInline]


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "label", "threshold", "values", "sort_order"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return PermAdminMixin._allowed(self, request)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["name", "org_unit", "version", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["org_unit", "name", "version", "is_active", "note", "created_at"]
    inlines = [RuleInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
