"""HTTP hardening that Django's SecurityMiddleware does not do: a Content-Security-Policy on every response
(no inline scripts: the templates hook behaviour onto data attributes in static/diaodu/app.js), a
Permissions-Policy, no caching of pages that show data, and a 413 for request bodies over the upload limit
before they are read. X-Frame-Options, nosniff, Referrer-Policy, HSTS and secure cookies are Django settings
(see settings.py, DIAODU_HTTPS)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class HardeningMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._too_large(request) or self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.DIAODU_CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            add_never_cache_headers(response)  # scoped data must not stay in shared or browser caches
        return response

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DIAODU_UPLOAD_MAX_BYTES
        if length <= limit:
            return None
        message = _("上传内容过大（上限 %(mb)d MB）。") % {"mb": limit // (1024 * 1024)}
        return JsonResponse({"detail": message}, status=413)
