"""Org units and peer groups in the admin, for the system administrator (Perm.MANAGE_CONFIG).

Units are saved through :func:`diaodu.orgunits.services.upsert_unit`, which keeps the materialised path
and writes the audit row; code and parent are fixed once a unit exists (moving a subtree is not an edit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from diaodu.accounts.adminsite import PermAdminMixin
from diaodu.orgunits.models import OrgUnit, PeerGroup
from diaodu.orgunits.services import upsert_unit


@admin.register(OrgUnit)
class OrgUnitAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "parent", "is_external"]
    list_filter = ["kind", "is_external"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent"]
    ordering = ["sort_order"]
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "parent",
        "admin_code",
        "stat_code",
        "is_external",
        "sort_order",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "parent"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        unit, _changed = upsert_unit(actor=request.user, code=obj.code, **values)
        obj.pk, obj.path = unit.pk, unit.path


@admin.register(PeerGroup)
class PeerGroupAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["members"]
