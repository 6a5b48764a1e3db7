"""The cockpit (驾驶舱): a unit's overview and targets, one indicator month by month, a key project, and the
big-screen mode for the meeting room."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from diaodu.cockpit import board, display, overview
from diaodu.cockpit.project import build_project_page
from diaodu.core import pagecache
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Indicator
from diaodu.plans.periods import Period, parse_period
from diaodu.projects.models import Project

SCREEN_REFRESH_SECONDS = 60


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _default_period(request: HttpRequest) -> Period:
    """The month the pages open on (:func:`board.default_period`), computed once per user and data version."""
    user = request.user
    return pagecache.user_value(request, user, "default-period", lambda: board.default_period(user))


def _unit_asked(request: HttpRequest) -> OrgUnit:
    """The unit of ``?unit=`` (404 unless visible), else the user's own top unit, computed once per user and data
    version (:func:`board.resolve_unit`)."""
    user, code = request.user, request.GET.get("unit")
    if code:
        return board.resolve_unit(user, code)
    return pagecache.user_value(request, user, "home-unit", lambda: board.resolve_unit(user, None))


def _home_part(request: HttpRequest, variant: str) -> dict[str, Any]:
    """The computed part of the cockpit: the HTML of the table (``variant`` "table") or of the main part
    (overview and table), with the few values the page's filter form needs."""
    units = board.visible_units(request.user)
    unit = board.resolve_unit(request.user, request.GET.get("unit"), units)
    period = parse_period(request.GET.get("month")) or _default_period(request)
    include_below = request.GET.get("below") == "1"
    # the whole page forecasts the cards from last year's series: read with this year's
    table = board.build_board(
        request.user, unit, period, include_below=include_below, with_last_year=variant != "table"
    )
    switcher = board.switcher_units(request.user, units)
    # the loops' values as the templates print them (display: escaped already), computed when the template first
    # reads them: part of rendering, as when the templates read them from the objects
    context: dict[str, Any] = {
        "board": table,
        "sections": SimpleLazyObject(lambda: display.board_sections(table)),
        "units": switcher,
        "nav_active": "cockpit",
    }
    if variant == "table":
        template = "cockpit/_board.html"  # the table only (the month/unit filter swaps the whole main part)
    else:
        context["overview"] = ov = overview.build_overview(
            request.user, unit, period, table.own_results(), table.last_year, table.project_months
        )
        context["parts"] = SimpleLazyObject(lambda: display.overview_parts(ov))
        template = "cockpit/_main.html"
    return {
        "html": render(request, template, context).content.decode(),
        "filter": {
            "units": [(u.code, label) for u, label in switcher],
            "unit_code": unit.code,
            "period": str(period),
            "below": include_below,
        },
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    board.require_data_reader(request.user)
    htmx = is_htmx(request)
    variant = "table" if htmx and request.headers.get("HX-Target") != "cockpit-main" else "main"

    # Cached per data version (live: any change to a figure raises it); access was checked above, and the
    # unit and month are checked again whenever the part is computed.
    def part() -> dict[str, Any]:
        return pagecache.get_or_compute(
            request, request.user, "cockpit", (variant,), lambda: _home_part(request, variant)
        )

    if htmx:
        response = HttpResponse(part()["html"])
    else:

        def context() -> dict[str, Any]:
            main = part()
            return {"main_html": mark_safe(main["html"]), "filter": main["filter"], "nav_active": "cockpit"}  # noqa: S308 - our own rendered template

        response = pagecache.page(request, "cockpit", (), "cockpit/home.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _indicator_part(request: HttpRequest, code: str) -> dict[str, Any]:
    ind = get_object_or_404(Indicator, code=code)
    unit = _unit_asked(request)
    period = parse_period(request.GET.get("month")) or _default_period(request)
    detail = board.build_indicator_detail(request.user, ind, unit, period.year)
    body = render_to_string(
        "cockpit/_indicator_body.html",
        {"detail": detail, "parts": display.indicator_parts(detail), "period": period},
        request=request,
    )
    return {"name": ind.name, "unit": detail.unit.name, "year": detail.year, "body": str(body)}


@login_required
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    board.require_data_reader(request.user)

    def context() -> dict[str, Any]:
        part = _indicator_part(request, code)
        return {"part": part | {"body": mark_safe(part["body"])}, "nav_active": "cockpit"}  # noqa: S308 - our own rendered template

    return pagecache.page(request, "indicator", (code,), "cockpit/indicator.html", context)


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """Drill-down to one project: its stage, leader and investment plan vs actual by month (404 outside scope)."""
    board.require_data_reader(request.user)
    obj = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("org_unit", "leader"), pk=pk
    )
    period = parse_period(request.GET.get("month")) or _default_period(request)
    page = build_project_page(obj, period)
    return render(request, "cockpit/project.html", {"page": page, "period": period, "nav_active": "cockpit"})


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """Big-screen mode (大屏): dark, 1920×1080, no scrolling; the body refreshes itself by htmx polling."""
    board.require_data_reader(request.user)
    unit = _unit_asked(request)
    period = parse_period(request.GET.get("month")) or _default_period(request)
    context = {
        "overview": overview.build_overview(request.user, unit, period),
        "month_param": request.GET.get("month", ""),
        "refresh": SCREEN_REFRESH_SECONDS,
    }
    template = "cockpit/_screen_body.html" if is_htmx(request) else "cockpit/screen.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
