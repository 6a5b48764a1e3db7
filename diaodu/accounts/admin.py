"""Accounts in the admin: users and roles, for the security administrator only (Perm.MANAGE_ACCOUNTS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from diaodu.accounts import adminsite, services
from diaodu.accounts.models import LoginThrottle, Role, ThrottleScope, User
from diaodu.accounts.scope import Perm, forget_cached_scope, separation_problem

adminsite.install()


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label="权限", choices=Perm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Role
        fields = ["code", "name", "permissions", "data_scope", "custom_units", "description"]


@admin.register(Role)
class RoleAdmin(adminsite.PermAdminMixin, admin.ModelAdmin):
    required_perm = Perm.MANAGE_ACCOUNTS
    form = RoleForm
    list_display = ["code", "name", "data_scope", "description"]
    filter_horizontal = ["custom_units"]


class UserChangeForm(DjangoUserChangeForm):
    def clean_roles(self) -> Any:
        roles = self.cleaned_data.get("roles") or []
        problem = separation_problem(p for role in roles for p in role.permissions)
        if problem:
            raise forms.ValidationError(problem)
        return roles


@admin.register(User)
class UserAdmin(adminsite.PermAdminMixin, DjangoUserAdmin):
    required_perm = Perm.MANAGE_ACCOUNTS
    form = UserChangeForm
    list_display = ["username", "full_name", "org_unit", "title", "is_active", "second_factor", "locked"]
    list_filter = ["is_active", "roles"]
    search_fields = ["username", "full_name"]
    list_select_related = ["org_unit"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at", "totp_confirmed_at", "locked"]
    filter_horizontal = ["roles"]
    fieldsets = (
        (None, {"fields": ("username", "password", "must_change_password")}),
        ("基本信息", {"fields": ("full_name", "title", "org_unit", "email")}),
        ("权限", {"fields": ("is_active", "roles")}),
        (
            "登录",
            {"fields": ("last_login", "date_joined", "password_changed_at", "totp_confirmed_at", "locked")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "password1", "password2", "full_name", "org_unit")},
        ),
    )
    actions = ["reset_second_factor", "unlock"]

    @admin.display(description="动态口令", boolean=True)
    def second_factor(self, obj: User) -> bool:
        return obj.has_second_factor

    @admin.display(description="锁定至")
    def locked(self, obj: User) -> Any:
        row = LoginThrottle.objects.filter(
            scope=ThrottleScope.ACCOUNT, key=obj.username, locked_until__gt=timezone.now()
        ).first()
        return row.locked_until if row else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.must_change_password = True  # the administrator chose it: an initial password (等保)
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # A password the security administrator sets for someone else is an initial password too.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            User.objects.filter(pk=id).update(must_change_password=True)
        return response

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget_cached_scope(form.instance)

    @admin.action(description="重置动态口令（下次登录重新绑定）")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.reset_second_factor(actor=request.user, user=user)
        messages.success(request, f"已重置 {queryset.count()} 个账号的动态口令。")

    @admin.action(description="解除登录锁定")
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.unlock_account(actor=request.user, username=user.username)
        messages.success(request, f"已解除 {queryset.count()} 个账号的登录锁定。")
