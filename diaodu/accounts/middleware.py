"""Session rules of 等保 level 3, applied to every request of a logged-in user:

* idle timeout: no request for DIAODU_IDLE_TIMEOUT_SECONDS (30 minutes) ends the session (the last request's
  time is kept to the minute);
* absolute lifetime: DIAODU_SESSION_MAX_AGE_SECONDS (8 hours) after login the session ends, however busy;
* a user whose password is initial or expired may only change it (pages redirect, the API answers 403).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from diaodu.accounts import services


class SessionPolicyMiddleware:
    SESSION_KEY = "diaodu_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        last = session.get(self.SESSION_KEY)
        started = session.setdefault(services.LOGIN_AT_KEY, now)
        if last is not None and now - int(last) > settings.DIAODU_IDLE_TIMEOUT_SECONDS:
            return self._end(request, _("会话超时"), _("长时间未操作，已自动退出，请重新登录。"))
        if now - int(started) > settings.DIAODU_SESSION_MAX_AGE_SECONDS:
            return self._end(request, _("会话达到最长时限"), _("登录时间已超过最长时限，请重新登录。"))
        # Stored at most once a minute: an unchanged session is not written back, which spares every other request
        # a session UPDATE (its own transaction). The idle timeout is then exact to within that minute.
        if last is None or now - int(last) >= settings.DIAODU_LAST_SEEN_RESOLUTION_SECONDS:
            session[self.SESSION_KEY] = now
        if session.get(services.MUST_CHANGE_KEY) and not self._allowed_while_changing(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先修改初始密码或已过期的密码。")}, status=403)
            messages.warning(request, _("请先修改密码（初始密码或密码已过期）。"))
            return redirect("accounts:password_change")
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str, message: str) -> HttpResponse:
        services.logout_user(request, reason=reason)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # now anonymous: the API answers 401
        messages.warning(request, message)
        return redirect(settings.LOGIN_URL)

    @staticmethod
    def _allowed_while_changing(request: HttpRequest) -> bool:
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), reverse("set_language"))
        return request.path in allowed or request.path.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        )
