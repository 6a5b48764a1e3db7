"""Data entry (填报), review (审核) and the target list: parse, check access, call a service, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.accounts.scope import Perm, get_for_user
from diaodu.core import pagecache
from diaodu.plans import services, worklists
from diaodu.plans.forms import ActualRowForm, ReopenForm, ReviewForm
from diaodu.plans.models import Actual
from diaodu.plans.periods import default_entry_period, parse_period


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _plain(value: Decimal | None) -> str | None:
    """12.5000 -> "12.5" for the input boxes."""
    return None if value is None else format(value.normalize(), "f")


def _row_form(row: worklists.SheetRow, data: dict | None) -> ActualRowForm:
    a = row.actual
    initial = (
        {}
        if a is None
        else {
            "ytd_value": _plain(a.ytd_value),
            "growth_pct": _plain(a.growth_pct),
            "base_value": _plain(a.base_value),
            "note": a.note,
            "version": a.version,
        }
    )
    return ActualRowForm(data, prefix=row.code, initial=initial)


def _row_input(row: worklists.SheetRow, form: ActualRowForm) -> services.RowInput:
    d = form.cleaned_data
    return services.RowInput(
        row.indicator, d["ytd_value"], d["growth_pct"], d["base_value"], d["note"].strip(), d["version"]
    )


def _attach_errors(forms: dict[str, ActualRowForm], exc: services.RowErrors) -> None:
    for code, error in exc.row_errors.items():
        form = forms[code]
        by_field: dict[str, list[ValidationError]] = (
            error.error_dict if hasattr(error, "error_dict") else {"": error.error_list}
        )
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    unit = worklists.entry_unit(request.user, request.GET.get("unit"))
    period = parse_period(request.GET.get("month")) or default_entry_period()
    rows = worklists.entry_sheet(unit, year=period.year, month=period.month)
    forms = {row.code: _row_form(row, request.POST if request.method == "POST" else None) for row in rows}
    if request.method == "POST":
        action, _sep, only = request.POST.get("action", "save").partition(":")
        chosen = [r for r in rows if r.editable and (r.code == only if only else forms[r.code].has_input())]
        if not chosen:
            messages.warning(request, _("没有需要保存的数据。"))
        elif all([forms[r.code].is_valid() for r in chosen]):
            try:
                saved = services.save_and_submit_rows(
                    actor=request.user,
                    org_unit=unit,
                    year=period.year,
                    month=period.month,
                    rows=[_row_input(r, forms[r.code]) for r in chosen],
                    submit=action == "submit",
                )
            except services.RowErrors as exc:
                _attach_errors(forms, exc)
                messages.error(request, str(exc.message))
            else:
                done = _("已提交 %(n)d 项，等待审核。") if action == "submit" else _("已保存 %(n)d 项草稿。")
                messages.success(request, done % {"n": len(saved)})
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("部分数据格式有误，未保存任何数据，请按提示修改。"))
    context = {
        "unit": unit,
        "period": period,
        "rows": [(r, forms[r.code]) for r in rows],
        "computed": worklists.computed_indicators(unit, year=period.year),
        "units": worklists.entry_units(request.user),
        "nav_active": "entry",
    }
    return render(request, "plans/entry.html", context)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    items = worklists.review_queue(request.user)
    context = {"items": items, "approved": worklists.recently_approved(request.user), "nav_active": "review"}
    return render(request, "plans/review.html", context)


def _reviewed(request: HttpRequest, actual: Actual, error: str, done: str) -> HttpResponse:
    if _is_htmx(request):
        item = worklists.review_items(
            [Actual.objects.select_related(*worklists.REVIEW_RELATED).get(pk=actual.pk)]
        )[0]
        item.error = error
        return render(request, "plans/_review_row.html", {"item": item, "done": "" if error else done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("plans:review")


def _review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actual = get_for_user(Actual.objects.all(), request.user, pk, perm=Perm.REVIEW_DATA)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    error = ""
    try:
        if action == "approve":
            services.approve_actual(actual, actor=request.user, comment=comment)
        else:
            services.return_actual(actual, actor=request.user, comment=comment)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    done = _("已审核通过：%(label)s") if action == "approve" else _("已退回：%(label)s")
    return _reviewed(request, actual, error, done % {"label": actual})


@require_POST
@login_required
def actual_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, "approve")


@require_POST
@login_required
def actual_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, "return")


@require_POST
@login_required
def actual_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actual = get_for_user(Actual.objects.all(), request.user, pk, perm=Perm.REVIEW_DATA)
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.reopen_actual(actual, actor=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已重新打开：%(label)s，填报单位可修改后重新提交。") % {"label": actual})
    return redirect("plans:review")


TARGETS_PER_PAGE = 100  # a city's list runs to thousands of targets: one page is one screenful of plans


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    worklists.require_reader(request.user)  # before the cache: users without a read permission get 403

    def context() -> dict[
        str, object
    ]:  # the queryset built here, with the scope as of the cached data version
        rows = worklists.visible_targets(request.user).values_list(*worklists.LISTED_FIELDS, named=True)
        page = Paginator(rows, TARGETS_PER_PAGE).get_page(request.GET.get("page"))
        listing = {"plans": worklists.listed_targets(page.object_list), "page": page}
        html = render_to_string("plans/_targets_list.html", listing, request=request)
        return {"list_html": mark_safe(html), "nav_active": "targets"}  # noqa: S308 - our own rendered template

    # cached per data version (any change to a plan or target gives a new one): see diaodu.core.pagecache
    return pagecache.page(request, "targets", (), "plans/targets.html", context)
