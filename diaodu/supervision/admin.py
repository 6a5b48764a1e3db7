"""Supervision in the admin, for the system administrator: webhooks per unit and read-only views of the rest.

Items, their timeline and the inbox change only through the services (the 督办 flow); the admin shows them and
lets the administrator configure unit webhooks and inspect the delivery log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from diaodu.accounts.adminsite import PermAdminMixin
from diaodu.supervision.models import Delivery, DeliveryAttempt, KeyTask, SupervisionItem, UnitWebhook


class ReadOnlyAdmin(PermAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UnitWebhook)
class UnitWebhookAdmin(PermAdminMixin, admin.ModelAdmin):
    list_display = ["org_unit", "url", "active"]
    raw_id_fields = ["org_unit"]


@admin.register(KeyTask)
class KeyTaskAdmin(ReadOnlyAdmin):
    list_display = ["key", "title", "owner", "leader", "deadline", "status"]
    list_filter = ["status", "section"]
    search_fields = ["key", "title", "quote"]


@admin.register(SupervisionItem)
class SupervisionItemAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "lead_unit", "deadline", "source_type"]
    list_filter = ["status", "source_type"]
    search_fields = ["number", "title"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "ok", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["notification", "channel", "target", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    inlines = [AttemptInline]
