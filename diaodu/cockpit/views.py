"""The cockpit (驾驶舱): a unit's targets with traffic lights, and one indicator month by month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from diaodu.cockpit import board
from diaodu.plans.models import Indicator
from diaodu.plans.periods import parse_period


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    board.require_data_reader(request.user)
    unit = board.resolve_unit(request.user, request.GET.get("unit"))
    period = parse_period(request.GET.get("month")) or board.default_period(request.user)
    include_below = request.GET.get("below") == "1"
    context = {
        "board": board.build_board(request.user, unit, period, include_below=include_below),
        "units": board.switcher_units(request.user),
        "nav_active": "cockpit",
    }
    template = "cockpit/_board.html" if is_htmx(request) else "cockpit/home.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    board.require_data_reader(request.user)
    ind = get_object_or_404(Indicator, code=code)
    unit = board.resolve_unit(request.user, request.GET.get("unit"))
    period = parse_period(request.GET.get("month")) or board.default_period(request.user)
    detail = board.build_indicator_detail(request.user, ind, unit, period.year)
    return render(request, "cockpit/indicator.html", {"detail": detail, "period": period, "nav_active": "cockpit"})
