"""Supervision pages (督查督办): inbox, board, overdue list, item page with its steps, key tasks, new items,
blockers and the attachment download. Each view: access helper → form → service → render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from diaodu.accounts.scope import get_for_user
from diaodu.core.versioning import StaleVersion
from diaodu.supervision import notifications, services, worklists
from diaodu.supervision.forms import (
    AssignForm,
    BlockerForm,
    ItemForm,
    KeyTaskForm,
    NoteForm,
    ReplyForm,
    ReturnForm,
)
from diaodu.supervision.models import KeyTask, Notification, SupervisionItem


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _context(request: HttpRequest, **context: Any) -> dict[str, Any]:
    return {"nav_active": "supervision", "can_supervise": worklists.can_supervise(request.user), **context}


def _render(request: HttpRequest, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, partial if _is_htmx(request) else full, _context(request, **context))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _errors(form: Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        name = {"files": "attachments"}.get(name, name)  # the services call the uploads "files"
        form.add_error(name if name in form.fields else None, [m for e in errors for m in e.messages])


# ----------------------------------------------------------------------------- lists


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    box = worklists.inbox(request.user, request.GET.get("tab"))
    return _render(request, "supervision/inbox.html", "supervision/_inbox_items.html", {"box": box})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.inbox(request.user).filter(pk=pk).select_related("item").first()
    if note is None:
        raise Http404
    notifications.mark_read(note, user=request.user)
    if _is_htmx(request):
        return render(request, "supervision/_notification.html", {"n": note})
    return redirect("supervision:inbox")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    worklists.require_reader(request.user)
    n = notifications.mark_all_read(request.user)
    messages.success(request, _("已将 %(n)d 条消息标记为已读。") % {"n": n})
    return redirect("supervision:inbox")


@login_required
def board(request: HttpRequest) -> HttpResponse:
    data = worklists.board(request.user, unit_code=request.GET.get("unit"), light=request.GET.get("light"))
    return _render(request, "supervision/board.html", "supervision/_board.html", {"board": data})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    rows = worklists.overdue(request.user, unit_code=request.GET.get("unit"))
    return render(request, "supervision/overdue.html", _context(request, rows=rows))


@login_required
def key_tasks(request: HttpRequest) -> HttpResponse:
    as_of = parse_date(request.GET.get("as_of") or "") if request.GET.get("as_of") else None
    tasks = worklists.key_tasks(request.user, plan_code=request.GET.get("plan"), as_of=as_of)
    return _render(request, "supervision/key_tasks.html", "supervision/_key_tasks.html", {"tasks": tasks})


@require_POST
@login_required
def key_task_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    worklists.require_office(request.user)
    task = get_for_user(KeyTask.objects.all(), request.user, pk)
    form = KeyTaskForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        item = services.supervise_key_task(
            task, actor=request.user, leader_user=data.get("leader_user"), note=data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("supervision:key_tasks") + f"?plan={task.plan.code}")
    messages.success(request, _("已登记并交办：%(number)s") % {"number": item.number})
    return redirect("supervision:item", pk=item.pk)


# ----------------------------------------------------------------------------- new items


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    worklists.require_office(request.user)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已登记：%(number)s，请交办。") % {"number": item.number})
            return redirect("supervision:item", pk=item.pk)
    return render(request, "supervision/item_form.html", _context(request, form=form))


@login_required
def blockers(request: HttpRequest) -> HttpResponse:
    rows = worklists.open_blockers(request.user)
    return render(request, "supervision/blockers.html", _context(request, blockers=rows))


@login_required
def blocker_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    blocker = worklists.blocker_for(request.user, pk)
    project = blocker.project
    initial = {"lead_unit": blocker.department, "co_units": [project.org_unit] if blocker.department else []}
    form = BlockerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.supervise_blocker(
                blocker,
                actor=request.user,
                deadline=d["deadline"],
                lead_unit=d["lead_unit"],
                co_units=list(d["co_units"]),
                leader=d["leader"],
                leader_user=d["leader_user"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已交办：%(number)s") % {"number": item.number})
            return redirect("supervision:item", pk=item.pk)
    return render(request, "supervision/blocker_form.html", _context(request, blocker=blocker, form=form))


# ----------------------------------------------------------------------------- the item page and its steps

Step = Callable[[SupervisionItem, Any, dict[str, Any]], Any]
STEPS: dict[str, tuple[type[Form], Step, Any]] = {
    "assign": (
        AssignForm,
        lambda item, user, d: services.assign_item(
            item,
            actor=user,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            deadline=d["deadline"],
            sign_workdays=d["sign_workdays"],
            note=d["note"],
            expected_version=d["version"],
        ),
        gettext_lazy("已交办。"),
    ),
    "sign": (
        NoteForm,
        lambda item, user, d: services.sign_item(
            item, actor=user, note=d["note"], expected_version=d["version"]
        ),
        gettext_lazy("已签收。"),
    ),
    "reply": (
        ReplyForm,
        lambda item, user, d: services.reply_item(
            item, actor=user, text=d["text"], files=d["attachments"], expected_version=d["version"]
        ),
        gettext_lazy("已回复办理进展。"),
    ),
    "request_closure": (
        ReplyForm,
        lambda item, user, d: services.request_closure(
            item, actor=user, text=d["text"], files=d["attachments"], expected_version=d["version"]
        ),
        gettext_lazy("已申请办结，等待督查室核验。"),
    ),
    "verify": (
        NoteForm,
        lambda item, user, d: services.verify_item(
            item, actor=user, note=d["note"], expected_version=d["version"]
        ),
        gettext_lazy("已核验。"),
    ),
    "return": (
        ReturnForm,
        lambda item, user, d: services.return_item(
            item, actor=user, reason=d["reason"], expected_version=d["version"]
        ),
        gettext_lazy("已退回重办。"),
    ),
    "close": (
        NoteForm,
        lambda item, user, d: services.close_item(
            item, actor=user, note=d["note"], expected_version=d["version"]
        ),
        gettext_lazy("已办结销号。"),
    ),
}


def _step_forms(page: worklists.ItemPage, bound: dict[str, Form] | None = None) -> dict[str, Form]:
    item = page.item
    initial: dict[str, dict[str, Any]] = {
        "assign": {
            "lead_unit": item.lead_unit or (page.blocker.department if page.blocker else None),
            "co_units": list(item.co_units.all()),
            "deadline": item.deadline,
            "sign_workdays": item.sign_workdays,
        }
    }
    forms = {
        a: STEPS[a][0](initial={"version": item.version, **initial.get(a, {})}, prefix=a)
        for a in page.actions
    }
    return forms | (bound or {})


def _item_response(request: HttpRequest, pk: int, bound: dict[str, Form] | None = None) -> HttpResponse:
    page = worklists.item_page(request.user, pk)
    context = _context(request, page=page, forms=_step_forms(page, bound))
    return render(request, "supervision/item.html", context, status=400 if bound else 200)


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_response(request, pk)


@require_POST
@login_required
def item_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEPS:
        raise Http404
    obj = worklists.item_for(request.user, pk)
    if not worklists.may_take(request.user, obj, action):
        raise PermissionDenied
    form_class, run, done = STEPS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            run(obj, request.user, form.cleaned_data)
        except services.WorkflowError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("supervision:item", pk=pk)
        except StaleVersion as exc:
            # Someone else changed the item since this page was shown: keep what the user typed, say whose
            # change it was (the page below shows it), and carry the current version for a deliberate retry.
            form.add_error(None, exc.messages)
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(exc.current)
            form.data = data
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, str(done))
            return redirect(reverse("supervision:item", kwargs={"pk": pk}) + "#timeline")
    return _item_response(request, pk, {action: form})


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Served only through here (never from MEDIA_URL): the item's scope decides, always as a download."""
    att = worklists.attachment_for(request.user, pk)
    response = FileResponse(att.file.open("rb"), content_type=att.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(att.name)}"
    response["Content-Length"] = str(att.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
