"""Upload a speech or report, review what was extracted beside its quote, accept or discard, export a plan file."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.compiler import domain, services
from diaodu.compiler.access import (
    can_compile,
    can_read,
    compilable_units,
    get_document_for_user,
    get_item_for_user,
)
from diaodu.compiler.forms import ItemForm, UploadForm
from diaodu.compiler.models import ExtractedItem, ItemStatus, SourceDocument
from diaodu.compiler.planexport import export_plan_file
from diaodu.plans.models import Target


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _add_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _item_url(item: ExtractedItem) -> str:
    return f"{item.document.get_absolute_url()}#item-{item.pk}"


def _card(item: ExtractedItem, *, can_write: bool, error: str = "", done: str = "") -> dict[str, Any]:
    before, quote, after = domain.in_context(item.document.text, item.start, item.end)
    return {
        "item": item,
        "before": before,
        "quote": quote,
        "after": after,
        "can_write": can_write,
        "error": error,
        "done": done,
    }


@login_required
def documents(request: HttpRequest) -> HttpResponse:
    if not can_read(request.user):
        raise PermissionDenied
    docs = list(SourceDocument.objects.visible_to(request.user).select_related("plan", "uploaded_by"))
    counts = Counter(ExtractedItem.objects.filter(document__in=docs).values_list("document_id", "status"))
    rows = [(d, {s: counts[(d.pk, s)] for s in ItemStatus.values}) for d in docs]
    return render(
        request,
        "compiler/documents.html",
        {"rows": rows, "can_upload": can_compile(request.user), "nav_active": "targets"},
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if not compilable_units(request.user).exists():
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = d.get("plan_obj") or services.NewPlan(
            d["new_plan_code"], d["new_plan_title"], d["new_plan_year"], d["new_plan_unit"]
        )
        try:
            document = services.upload_document(
                actor=request.user,
                plan=plan,
                raw_text=d["raw_text"],
                filename=d["file"].name,
                title=d["title"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已从《%(title)s》提取 %(n)d 条，请逐条审核。")
                % {"title": document.title, "n": document.items.count()},
            )
            return redirect(document)
    return render(request, "compiler/upload.html", {"form": form, "nav_active": "targets"})


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_document_for_user(request.user, pk)
    can_write = compilable_units(request.user).filter(pk=doc.org_unit_id).exists()
    items = list(doc.items.select_related("indicator", "relative_to", "scope_unit", "target", "parent_item"))
    for item in items:
        item.document = doc  # one document for all cards (no query per item)
    status = request.GET.get("status", "")
    shown = [i for i in items if i.status == status] if status in ItemStatus.values else items
    counts = Counter(i.status for i in items)
    spans = [domain.Span(i.pk, i.start, i.end, i.status) for i in items if i.status != ItemStatus.DISCARDED]
    context = {
        "doc": doc,
        "cards": [_card(i, can_write=can_write) for i in shown],
        "status": status,
        "tabs": [(value, label, counts[value]) for value, label in ItemStatus.choices],
        "total": len(items),
        "paragraphs": domain.highlight(doc.text, spans),
        "can_write": can_write,
        "has_targets": Target.objects.filter(plan=doc.plan).exists(),
        "nav_active": "targets",
    }
    return render(request, "compiler/document.html", context)


def _respond(request: HttpRequest, item: ExtractedItem, *, error: str = "", done: str = "") -> HttpResponse:
    if _is_htmx(request):
        item = get_item_for_user(request.user, item.pk)
        return render(request, "compiler/_item.html", _card(item, can_write=True, error=error, done=done))
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(_item_url(item))


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, pk, write=True)
    form = ItemForm(request.POST or None, item=item, catalogue=services.catalogue())
    if request.method == "POST" and form.is_valid():
        accept = request.POST.get("action") == "accept"
        try:
            item = services.update_item(item, actor=request.user, values=form.cleaned_data)
            if accept:
                item = services.accept_item(item, actor=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            done = _("已采纳：%(name)s") if accept else _("已保存修改：%(name)s")
            return _respond(request, item, done=done % {"name": item.indicator_name})
    context = _card(item, can_write=True) | {"form": form}
    template = "compiler/_item_form.html" if _is_htmx(request) else "compiler/item_edit.html"
    return render(request, template, context)


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_item_for_user(request.user, pk, write=True)
    service = {
        "accept": services.accept_item,
        "discard": services.discard_item,
        "restore": services.restore_item,
    }[action]
    try:
        item = service(item, actor=request.user)
    except ValidationError as exc:
        return _respond(request, item, error="；".join(exc.messages))
    done = {
        "accept": _("已采纳：%(name)s"),
        "discard": _("已舍弃：%(name)s"),
        "restore": _("已恢复：%(name)s"),
    }
    return _respond(request, item, done=done[action] % {"name": item.indicator_name})


@require_POST
@login_required
def item_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "accept")


@require_POST
@login_required
def item_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "discard")


@require_POST
@login_required
def item_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "restore")


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_document_for_user(request.user, pk, write=True)
    if not Target.objects.filter(plan=doc.plan).exists():
        messages.error(request, _("计划中还没有目标，请先采纳至少一条。"))
        return redirect(doc)
    response = HttpResponse(export_plan_file(doc), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{doc.plan.code}.yaml"'
    return response
