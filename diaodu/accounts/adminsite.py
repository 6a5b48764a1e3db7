"""Who may use the Django admin: the system administrator (configuration) and the security administrator
(accounts and roles), by their role permissions, not by ``is_staff`` (三员分立).

Every ModelAdmin of the project mixes in :class:`PermAdminMixin` and names the permission it needs; admin
saves and deletes write the audit trail like any service does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from diaodu.accounts.scope import Perm, has_perm
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot

ADMIN_PERMS = (Perm.MANAGE_CONFIG, Perm.MANAGE_ACCOUNTS)


def site_has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and any(has_perm(user, p) for p in ADMIN_PERMS))


def site_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin has no login of its own: the platform's (audited, with lockout) is used."""
    if request.user.is_authenticated:
        if site_has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


def site_logout(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    from diaodu.accounts import services

    if request.method == "POST":
        services.logout_user(request)
    return redirect("accounts:login")


def install() -> None:
    site = admin.site
    site.has_permission = site_has_permission  # type: ignore[method-assign]
    site.login = site_login  # type: ignore[method-assign,assignment]
    site.logout = site_logout  # type: ignore[method-assign,assignment]
    site.site_header = "调度 · 系统管理"
    site.site_title = "调度"
    site.index_title = "系统管理"


def audited_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if f.name not in ("password", "last_login")]


class PermAdminMixin:
    """Grant every admin action on the model to holders of ``required_perm``; audit saves and deletes."""

    required_perm: Perm = Perm.MANAGE_CONFIG

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_perm(request.user, self.required_perm))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk), audited_fields(obj)) if change else {}
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            after = snapshot(obj, audited_fields(obj))
            if change:
                b, a = changed(before, after)
                if a:
                    record(
                        actor=request.user,
                        action=AuditAction.UPDATE,
                        obj=obj,
                        before=b,
                        after=a,
                        reason="系统管理后台",
                    )
            else:
                record(
                    actor=request.user, action=AuditAction.CREATE, obj=obj, after=after, reason="系统管理后台"
                )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        m2m = [f.name for f in obj._meta.many_to_many if f.name in form.cleaned_data]
        before = {
            name: sorted(str(x) for x in getattr(obj, name).values_list("pk", flat=True)) for name in m2m
        }
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        after = {
            name: sorted(str(x) for x in getattr(obj, name).values_list("pk", flat=True)) for name in m2m
        }
        b, a = changed(before, after)
        if a:
            record(
                actor=request.user,
                action=AuditAction.UPDATE,
                obj=obj,
                before=b,
                after=a,
                reason="系统管理后台",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(
                actor=request.user,
                action=AuditAction.DELETE,
                obj=obj,
                before=snapshot(obj, audited_fields(obj)),
                reason="系统管理后台",
            )
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                record(
                    actor=request.user,
                    action=AuditAction.DELETE,
                    obj=obj,
                    before=snapshot(obj, audited_fields(obj)),
                    reason="系统管理后台",
                )
            super().delete_queryset(request, queryset)  # type: ignore[misc]
