"""Login and logout pages; the work (audit, lockout) is in :mod:`diaodu.accounts.services`."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from diaodu.accounts import services
from diaodu.accounts.forms import LoginForm
from diaodu.accounts.scope import READ_PERMS, Perm, has_perm


def landing_url(user: object) -> str:
    """Where a user lands after login: the cockpit, or for the administrators (no data) their own tool."""
    if any(has_perm(user, p) for p in READ_PERMS):
        return reverse(settings.LOGIN_REDIRECT_URL)
    if has_perm(user, Perm.VIEW_AUDIT):
        return reverse("audit:list")
    if has_perm(user, Perm.MANAGE_CONFIG) or has_perm(user, Perm.MANAGE_ACCOUNTS):
        return reverse("admin:index")
    return reverse(settings.LOGIN_REDIRECT_URL)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request) or landing_url(request.user))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_user(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(_safe_next(request) or landing_url(user))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
