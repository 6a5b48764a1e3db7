"""Upload → preview (dry run) → commit, the error workbook, exports and templates. Thin: access, form, service."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from diaodu.workbooks import jobs
from diaodu.workbooks.errorbook import error_workbook
from diaodu.workbooks.exports import audited_bytes, export_kinds
from diaodu.workbooks.forms import CommitForm, UploadForm
from diaodu.workbooks.importers import importer_class
from diaodu.workbooks.templates import template_kinds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    jobs.require_importer(request.user, kind)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"unit": request.GET.get("unit"), "month": request.GET.get("month", "")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        job = jobs.create_job(
            actor=request.user,
            kind=kind,
            data=d["file"].read(),
            filename=d["file"].name,
            org_unit=d["unit"],
            month=d["month"],
            sheet=d["sheet"].strip(),
            mode=d["mode"],
        )
        jobs.start(job, commit=False)
        return redirect("workbooks:job", pk=job.pk)
    cls = importer_class(kind)
    context = {
        "form": form,
        "kind": kind,
        "title": cls.title if cls else kind,
        "nav_active": "workbooks",
        "has_template": kind in template_kinds(),
    }
    return render(request, "workbooks/upload.html", context)


@login_required
def job(request: HttpRequest, pk: str) -> HttpResponse:
    the_job = jobs.get_job_for_user(request.user, pk)
    cls = importer_class(the_job.kind)
    context = {
        "job": the_job,
        "result": the_job.result or {},
        "title": cls.title if cls else the_job.kind,
        "nav_active": "workbooks",
    }
    template = "workbooks/_job.html" if _is_htmx(request) else "workbooks/job.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@login_required
def commit(request: HttpRequest, pk: str) -> HttpResponse:
    the_job = jobs.get_job_for_user(request.user, pk)
    jobs.require_importer(request.user, the_job.kind)
    form = CommitForm(request.POST)
    if form.is_valid() and not the_job.running and the_job.status != "done":
        jobs.start(the_job, commit=True, mode=form.cleaned_data["mode"])
    return redirect("workbooks:job", pk=the_job.pk)


@login_required
def errors(request: HttpRequest, pk: str) -> HttpResponse:
    the_job = jobs.get_job_for_user(request.user, pk)
    problems = (the_job.result or {}).get("summary", {}).get("errors", [])
    name = the_job.filename.rsplit(".", 1)[0]
    return _xlsx(error_workbook(bytes(the_job.data), the_job.filename, problems), f"{name}-错误标注.xlsx")


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    exporter = export_kinds().get(kind)
    if exporter is None:
        raise Http404
    the_export = exporter(request.user, request.GET)
    return _xlsx(audited_bytes(the_export, actor=request.user), the_export.filename)


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    maker = template_kinds().get(kind)
    if maker is None:
        raise Http404
    the_export = maker(request.user, request.GET)
    return _xlsx(audited_bytes(the_export, actor=request.user), the_export.filename)
