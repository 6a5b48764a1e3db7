"""Download a unit's monthly briefing (通报) as .docx (or .pdf when LibreOffice is installed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from diaodu.cockpit.board import default_period, require_data_reader, resolve_unit
from diaodu.plans.periods import parse_period
from diaodu.reports import services
from diaodu.reports.review import session_for


@login_required
def briefing(request: HttpRequest) -> HttpResponse:
    """``?unit=CODE&month=2025-09[&format=pdf]``: 403 without a data permission, 404 for a unit out of scope.

    Without ``unit`` (or ``month``) the cockpit's defaults apply: the user's top visible unit, the latest month.
    """
    require_data_reader(request.user)
    unit = resolve_unit(request.user, request.GET.get("unit"))
    period = parse_period(request.GET.get("month")) or default_period(request.user)
    fmt = _format(request)
    if fmt is None:
        raise Http404
    result = services.generate_briefing(unit, period, actor=request.user, user=request.user, fmt=fmt)
    return _download(result)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The results document of a quarterly review session the user may see (404 otherwise); ``?format=pdf``."""
    require_data_reader(request.user)
    session = session_for(request.user, pk)
    fmt = _format(request)
    if session is None or fmt is None:
        raise Http404
    return _download(
        services.generate_review_document(session, actor=request.user, user=request.user, fmt=fmt)
    )


def _format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "docx")
    if fmt not in services.FORMATS or (fmt == "pdf" and not services.pdf_available()):
        return None
    return fmt


def _download(result: services.BriefingFile) -> HttpResponse:
    response = HttpResponse(result.data, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
