"""The audit trail page (审计日志): read-only, for the audit administrator only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from diaodu.accounts.scope import Perm, require_perm
from diaodu.audit.forms import AuditFilterForm
from diaodu.audit.models import AuditEvent

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("org_unit").order_by("-created_at", "-id")
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav_active": "audit"}
    return render(request, "audit/list.html", context)
