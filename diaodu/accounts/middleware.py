from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from diaodu.accounts import services


class IdleTimeoutMiddleware:
    """End sessions idle longer than DIAODU_IDLE_TIMEOUT_SECONDS (等保: 会话超时)."""

    SESSION_KEY = "diaodu_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            if last is not None and now - int(last) > settings.DIAODU_IDLE_TIMEOUT_SECONDS:
                services.logout_user(request, reason=_("会话超时"))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.warning(request, _("长时间未操作，已自动退出，请重新登录。"))
                return redirect(settings.LOGIN_URL)
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)
