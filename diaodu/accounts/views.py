"""Login (password, then the TOTP step), logout, password change, TOTP binding and the login log.
The work (audit, lockout, the second factor) is in :mod:`diaodu.accounts.services`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from diaodu.accounts import otp, services
from diaodu.accounts.forms import CodeForm, LoginForm, LoginLogFilterForm, PasswordChangeForm
from diaodu.accounts.scope import READ_PERMS, Perm, has_perm
from diaodu.audit.models import LOGIN_ACTIONS, AuditEvent


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
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
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
            step = services.login_user(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_step(request, step)
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def _after_step(request: HttpRequest, step: services.Step) -> HttpResponse:
    next_url = _safe_next(request)
    query = f"?next={next_url}" if next_url else ""
    if step == services.Step.VERIFY:
        return redirect(reverse("accounts:otp_verify") + query)
    if step == services.Step.ENROL:
        return redirect(reverse("accounts:otp_enrol") + query)
    if request.session.get(services.MUST_CHANGE_KEY):
        return redirect("accounts:password_change")
    return redirect(next_url or landing_url(request.user))


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    """Second login step: the TOTP code of a user whose password was just accepted."""
    if services.pending_user(request) is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(request, form.cleaned_data["code"])
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_step(request, services.Step.DONE)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


def _enrolment_context(request: HttpRequest, account: str, form: CodeForm) -> dict[str, object]:
    secret = services.enrolment_secret(request)
    uri = otp.provisioning_uri(secret, account)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"form": form, "secret": grouped, "qr_svg": otp.qr_svg(uri), "next": _safe_next(request)}


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    """Second login step for an administrator without a second factor: bind an authenticator now."""
    user = services.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrol_second_factor(request, user, form.cleaned_data["code"])
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            services.complete_login(request, user, second_factor=True)
            messages.success(request, _("动态口令已绑定，今后登录须输入验证器显示的6位数字。"))
            return _after_step(request, services.Step.DONE)
    context = _enrolment_context(request, user.username, form) | {"during_login": True}
    return render(request, "accounts/otp_enrol.html", context)


@sensitive_post_parameters("code")
@login_required
@never_cache
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """Bind (or re-bind) an authenticator while logged in: optional for everyone but the administrators."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrol_second_factor(request, request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("动态口令已绑定，今后登录须输入验证器显示的6位数字。"))
            return redirect(landing_url(request.user))
    context = _enrolment_context(request, request.user.get_username(), form) | {"during_login": False}
    return render(request, "accounts/otp_enrol.html", context)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_password(request, old_password=d["old_password"], new_password=d["new_password1"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error("new_password1", exc)
        else:
            messages.success(request, _("密码已修改。"))
            return redirect(landing_url(request.user))
    forced = bool(request.session.get(services.MUST_CHANGE_KEY))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": forced,
            "max_age_days": settings.DIAODU_PASSWORD_MAX_AGE_DAYS,
        },
    )


LOG_PAGE_SIZE = 50


@login_required
def login_log_view(request: HttpRequest) -> HttpResponse:
    """登录日志: time, account, address, result. The security administrator and the audit administrator."""
    if not (has_perm(request.user, Perm.MANAGE_ACCOUNTS) or has_perm(request.user, Perm.VIEW_AUDIT)):
        raise PermissionDenied
    form = LoginLogFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(action__in=LOGIN_ACTIONS).order_by("-created_at", "-id")
    if form.is_bound and form.is_valid():
        d, tz = form.cleaned_data, timezone.get_current_timezone()
        if d.get("date_from"):
            events = events.filter(
                created_at__gte=dt.datetime.combine(d["date_from"], dt.time.min, tzinfo=tz)
            )
        if d.get("date_to"):
            end = dt.datetime.combine(d["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            events = events.filter(created_at__lt=end)
        if d.get("account"):
            events = events.filter(actor_name__iexact=d["account"].strip())
        if d.get("address"):
            events = events.filter(ip_address=d["address"])
        if d.get("success") in ("0", "1"):
            events = events.filter(success=d["success"] == "1")
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav_active": "login_log"}
    return render(request, "accounts/login_log.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
