from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from diaodu.core.request_context import RequestContext, reset_request_context, set_request_context


class RequestIdMiddleware:
    """Give every request an id (kept from X-Request-ID when sane) for the audit trail and responses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 8 <= len(incoming) <= 36 and incoming.replace("-", "").isalnum() else ""
        request_id = request_id or str(uuid.uuid4())
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_context(RequestContext(request_id, request.META.get("REMOTE_ADDR") or None))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Chinese first: the interface is in LANGUAGE_CODE (zh-hans) unless the user picked another language.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: a county office's
    English-language browser must not turn the platform English. The choice made with the language switch
    (Django's set_language view) is kept in the language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
