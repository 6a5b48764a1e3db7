"""Project pages: library, detail, funnel, overview, the dispatch sheet and the reviewer's queue.

Thin: access helper → form → service → render. Reads are in :mod:`browse`, :mod:`detail`, :mod:`sheet` and
:mod:`overview`; every write goes through :mod:`diaodu.projects.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from diaodu.accounts.scope import Perm, get_for_user
from diaodu.plans.periods import parse_period
from diaodu.projects import browse, detail, overview, services, sheet
from diaodu.projects.forms import SORT_LABELS, DispatchRowForm, OverrideForm, ReviewForm
from diaodu.projects.models import MonthlyReport, PreReview


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _render(request: HttpRequest, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, partial if _is_htmx(request) else full, context | {"nav_active": "projects"})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def library(request: HttpRequest) -> HttpResponse:
    lib = browse.build_library(request.user, request.GET)
    return _render(
        request, "projects/library.html", "projects/_library.html", {"lib": lib, "sorts": SORT_LABELS}
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = detail.get_project(request.user, pk)
    info = detail.build_detail(request.user, project, month=request.GET.get("month"))
    return render(request, "projects/detail.html", {"d": info, "nav_active": "projects"})


@require_POST
@login_required
def prereview_override(request: HttpRequest, pk: int) -> HttpResponse:
    browse.require_data_reader(request.user)
    review = get_for_user(
        PreReview.objects.select_related("project"), request.user, pk, perm=Perm.REVIEW_DATA
    )
    form = OverrideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.override_prereview(review, actor=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已批准放行，可以登记签约。")
    return redirect("projects:detail", pk=review.project_id)


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    browse.require_data_reader(request.user)
    unit = browse.visible_unit(request.user, request.GET.get("unit")) or browse.default_unit(request.user)
    context = {
        "funnel": overview.build_funnel(request.user, unit),
        "units": browse.unit_choices(request.user),
    }
    return _render(request, "projects/pipeline.html", "projects/_pipeline.html", context)


@login_required
def key_overview(request: HttpRequest) -> HttpResponse:
    browse.require_data_reader(request.user)
    unit = browse.visible_unit(request.user, request.GET.get("unit")) or browse.default_unit(request.user)
    period = browse.as_of(request.user, request.GET.get("month"))
    context = {
        "o": overview.build_overview(request.user, unit, period),
        "units": browse.unit_choices(request.user),
    }
    return _render(request, "projects/overview.html", "projects/_overview.html", context)


def _row_form(row: sheet.SheetRow, data: Any) -> DispatchRowForm:
    r = row.report
    initial = {}
    if r is not None:
        initial = {
            "month_wan": format(r.month_wan.normalize(), "f"),
            "ytd_wan": format(r.ytd_wan.normalize(), "f"),
            "progress": r.progress,
            "new_stage": r.new_stage,
            "new_stage_on": r.new_stage_on,
            "problems": row.blockers_text,
            "confirm_note": r.confirm_note,
            "version": r.version,
        }
    return DispatchRowForm(data, prefix=f"p{row.project.pk}", initial=initial)


def _dispatch_row(row: sheet.SheetRow, form: DispatchRowForm) -> services.DispatchRow:
    d = form.cleaned_data
    return services.DispatchRow(
        project=row.project,
        month_wan=d["month_wan"],
        ytd_wan=d["ytd_wan"],
        progress=d["progress"],
        new_stage=d["new_stage"],
        new_stage_on=d["new_stage_on"],
        confirm_note=d["confirm_note"],
        problems=d["problems"],
        problem_category=d["problem_category"] or "other",
        expected_version=d["version"],
    )


def _attach(forms: dict[int, DispatchRowForm], exc: services.SheetErrors) -> None:
    for pk, error in exc.row_errors.items():
        by_field = error.error_dict if hasattr(error, "error_dict") else {"": error.error_list}
        for name, errors in by_field.items():
            forms[pk].add_error(name if name in forms[pk].fields else None, errors)


@login_required
def dispatch(request: HttpRequest) -> HttpResponse:
    unit = sheet.dispatch_unit(request.user, request.GET.get("unit"))
    period = parse_period(request.GET.get("month")) or sheet.default_month(unit)
    rows = sheet.dispatch_sheet(unit, year=period.year, month=period.month)
    posted = request.POST if request.method == "POST" else None
    forms = {row.project.pk: _row_form(row, posted) for row in rows}
    if request.method == "POST":
        chosen = [r for r in rows if r.editable and forms[r.project.pk].has_input()]
        submit = request.POST.get("action") == "submit"
        if not chosen:
            messages.warning(request, "没有需要保存的数据。")
        elif all([forms[r.project.pk].is_valid() for r in chosen]):
            try:
                saved = services.save_dispatch(
                    actor=request.user,
                    year=period.year,
                    month=period.month,
                    rows=[_dispatch_row(r, forms[r.project.pk]) for r in chosen],
                    submit=submit,
                )
            except services.SheetErrors as exc:
                _attach(forms, exc)
                messages.error(request, str(exc.message))
            else:
                done = "已提交 %d 个项目，等待审核。" if submit else "已保存 %d 个项目的草稿。"
                messages.success(request, done % len(saved))
                return redirect(request.get_full_path())
        else:
            messages.error(request, "部分数据格式有误，本次未保存任何数据，请按提示修改。")
    context = {
        "unit": unit,
        "period": period,
        "rows": [(r, forms[r.project.pk]) for r in rows],
        "units": sheet.dispatch_units(request.user),
        "nav_active": "projects",
    }
    return render(request, "projects/dispatch.html", context)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    return render(
        request, "projects/review.html", {"items": sheet.review_queue(request.user), "nav_active": "projects"}
    )


def _review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = get_for_user(MonthlyReport.objects.all(), request.user, pk, perm=Perm.REVIEW_DATA)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    error = ""
    try:
        if action == "approve":
            services.approve_report(report, actor=request.user, comment=comment)
        else:
            services.return_report(report, actor=request.user, comment=comment)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    except PermissionDenied as exc:
        if not str(exc):
            raise
        error = str(exc)
    done = ("已审核通过：%s" if action == "approve" else "已退回：%s") % report
    if _is_htmx(request):
        item = sheet.review_item(report.pk)
        item.error = error
        return render(request, "projects/_review_row.html", {"item": item, "done": "" if error else done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("projects:review")


@require_POST
@login_required
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, "approve")


@require_POST
@login_required
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, "return")


@login_required
def rulesets(request: HttpRequest) -> HttpResponse:
    """签约预审规则: configuration administrators publish a new version of a rule set (audited)."""
    from diaodu.accounts.scope import require_perm
    from diaodu.projects import rulesets as rules_page

    require_perm(request.user, Perm.MANAGE_CONFIG)
    form = rules_page.RuleSetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ruleset = services.save_ruleset(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                name=form.cleaned_data["name"],
                rules=form.cleaned_data["rules"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已发布“{ruleset.name}”第{ruleset.version}版。")
            return redirect("projects:rulesets")
    items = [(rs, rules_page.rules_as_text(rs)) for rs in rules_page.active_rulesets()]
    return render(request, "projects/rulesets.html", {"form": form, "items": items, "nav_active": "projects"})
