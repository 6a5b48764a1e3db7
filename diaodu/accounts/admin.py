"""Accounts in the admin: users and roles, for the security administrator only (Perm.MANAGE_ACCOUNTS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from diaodu.accounts import adminsite
from diaodu.accounts.models import Role, User
from diaodu.accounts.scope import Perm, forget_cached_scope

adminsite.install()


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(label="权限", choices=Perm.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Role
        fields = ["code", "name", "permissions", "data_scope", "custom_units", "description"]


@admin.register(Role)
class RoleAdmin(adminsite.PermAdminMixin, admin.ModelAdmin):
    required_perm = Perm.MANAGE_ACCOUNTS
    form = RoleForm
    list_display = ["code", "name", "data_scope", "description"]
    filter_horizontal = ["custom_units"]


@admin.register(User)
class UserAdmin(adminsite.PermAdminMixin, DjangoUserAdmin):
    required_perm = Perm.MANAGE_ACCOUNTS
    list_display = ["username", "full_name", "org_unit", "title", "is_active", "locked_until"]
    list_filter = ["is_active", "roles"]
    search_fields = ["username", "full_name"]
    list_select_related = ["org_unit"]
    readonly_fields = ["last_login", "date_joined", "failed_logins", "locked_until"]
    filter_horizontal = ["roles"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("full_name", "title", "org_unit", "email")}),
        ("权限", {"fields": ("is_active", "roles")}),
        ("登录", {"fields": ("last_login", "date_joined", "failed_logins", "locked_until")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "full_name", "org_unit")}),
    )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget_cached_scope(form.instance)
