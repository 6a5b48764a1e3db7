"""Pages of 横比排名, 预测预警, 实干指数, peers' figures and quarterly reviews. Thin: access → form → service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from diaodu.accounts.scope import READ_PERMS, Perm, unit_scope
from diaodu.cockpit.board import default_period, require_data_reader, resolve_unit
from diaodu.orgunits.models import OrgUnit, OrgUnitKind, PeerGroup
from diaodu.plans.models import Actual, Indicator, Target
from diaodu.plans.periods import parse_period
from diaodu.reviews import forms, ranking, scoring, services
from diaodu.reviews.forecast import forecast_targets
from diaodu.reviews.models import ReviewSession

SHIGAN_KINDS = (OrgUnitKind.ZONE, OrgUnitKind.TOWN, OrgUnitKind.SUBDISTRICT)


def _period(request: HttpRequest):  # type: ignore[no-untyped-def]
    return parse_period(request.GET.get("month")) or default_period(request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_data_reader(request.user)
    sessions = ReviewSession.objects.visible_to(request.user).select_related("org_unit", "scheme")
    can_enter_peers = (
        OrgUnit.objects.filter(is_external=True).editable_by(request.user, Perm.REVIEW_DATA).exists()
    )
    return render(
        request,
        "reviews/index.html",
        {"sessions": sessions, "can_enter_peers": can_enter_peers, "nav_active": "reviews"},
    )


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    require_data_reader(request.user)
    groups = list(PeerGroup.objects.order_by("code"))
    indicators = list(Indicator.objects.order_by("code"))
    period = _period(request)
    group = next((g for g in groups if g.code == request.GET.get("group")), groups[0] if groups else None)
    ind = next((i for i in indicators if i.code == request.GET.get("indicator")), None)
    if ind is None and indicators:
        ind = (
            Indicator.objects.filter(
                actuals__org_unit__in=group.members.all() if group else [], actuals__year=period.year
            )
            .order_by("code")
            .first()
            or indicators[0]
        )
    result = None
    if group is not None and ind is not None:
        result = ranking.rank_group(group, ind, year=period.year, month=period.month, user=request.user)
    context = {
        "groups": groups,
        "indicators": indicators,
        "group": group,
        "indicator": ind,
        "period": period,
        "ranking": result,
        "bottom": result.bottom(3) if result else [],
        "nav_active": "reviews",
    }
    return render(request, "reviews/rankings.html", context)


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    require_data_reader(request.user)
    unit = resolve_unit(request.user, request.GET.get("unit"))
    period = _period(request)
    targets = Target.objects.visible_to(request.user).filter(
        year=period.year, org_unit__path__startswith=unit.path
    )
    rows = forecast_targets(
        targets.order_by("plan__code", "sort_order", "pk"), year=period.year, month=period.month
    )
    return render(
        request,
        "reviews/forecast.html",
        {"unit": unit, "period": period, "rows": rows, "nav_active": "reviews"},
    )


@login_required
def shigan(request: HttpRequest) -> HttpResponse:
    """实干指数 of the zones and towns the user can see; the leaders' index only for county-wide readers."""
    require_data_reader(request.user)
    period = _period(request)
    units = list(
        OrgUnit.objects.visible_to(request.user)
        .internal()
        .filter(kind__in=SHIGAN_KINDS)
        .order_by("sort_order")
    )
    leaders_visible = unit_scope(request.user, READ_PERMS).all
    context = {
        "period": period,
        "units": scoring.unit_index(units, year=period.year, month=period.month),
        "leaders": scoring.leader_index(year=period.year, month=period.month) if leaders_visible else None,
        "nav_active": "reviews",
    }
    return render(request, "reviews/shigan.html", context)


@login_required
def peers(request: HttpRequest) -> HttpResponse:
    """统计局 enters peers' published figures (reviewers whose scope covers the external peer units)."""
    services.require_peer_enterer(request.user)
    peer_units = OrgUnit.objects.filter(is_external=True).editable_by(request.user, Perm.REVIEW_DATA)
    form = forms.PeerValueForm(request.POST or None, peers=peer_units.order_by("code"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enter_peer_value(
                actor=request.user,
                indicator=d["indicator"],
                org_unit=d["org_unit"],
                year=d["month"].year,
                month=d["month"].month,
                ytd_value=d["ytd_value"],
                growth_pct=d["growth_pct"],
                base_value=d["base_value"],
                note=d["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"已录入：{d['org_unit'].name} {d['indicator'].name} {d['month'].label}"
            )
            return redirect("reviews:peers")
    recent = (
        Actual.objects.filter(org_unit__in=peer_units)
        .select_related("org_unit", "indicator")
        .order_by("-updated_at")[:30]
    )
    return render(request, "reviews/peers.html", {"form": form, "recent": recent, "nav_active": "reviews"})


def _session(request: HttpRequest, pk: int) -> ReviewSession:
    session = (
        ReviewSession.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("scheme", "org_unit")
        .first()
    )
    if session is None:
        raise Http404
    return session


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_data_reader(request.user)
    session = _session(request, pk)
    can_manage = ReviewSession.objects.managed_by(request.user).filter(pk=pk).exists()
    units = sorted(session.units.all(), key=lambda u: u.path)
    context = {
        "session": session,
        "rows": scoring.session_rows(session),
        "comments": session.comments.select_related("org_unit", "author"),
        "scores": session.scores.select_related("org_unit").order_by("rater", "org_unit__path"),
        "can_manage": can_manage and not session.is_published,
        "can_comment": can_manage,
        "sheet": forms.RaterSheetForm(units=units),
        "comment_form": forms.CommentForm(units=session.units.all()),
        "nav_active": "reviews",
    }
    return render(request, "reviews/session.html", context)


def _managed(request: HttpRequest, pk: int) -> ReviewSession:
    session = _session(request, pk)
    services.require_manager(request.user, session)
    return session


@login_required
@require_POST
def session_scores(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed(request, pk)
    form = forms.RaterSheetForm(request.POST, units=list(session.units.all()))
    if not form.is_valid():
        messages.error(
            request, "评分无效：" + "；".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return redirect("reviews:session", pk=pk)
    try:
        n = services.set_rater_scores(
            session, actor=request.user, rater=form.cleaned_data["rater"], scores=form.scores()
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已保存{form.cleaned_data['rater']}的评分（{n}项变更）。")
    return redirect("reviews:session", pk=pk)


@login_required
@require_POST
def session_publish(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed(request, pk)
    try:
        services.publish_session(session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "点评结果已发布并锁定。")
    return redirect("reviews:session", pk=pk)


@login_required
@require_POST
def session_comment(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed(request, pk)
    form = forms.CommentForm(request.POST, units=session.units.all())
    if not form.is_valid():
        messages.error(request, "请选择本次点评的单位并填写点评意见。")
        return redirect("reviews:session", pk=pk)
    services.add_comment(
        session, actor=request.user, org_unit=form.cleaned_data["org_unit"], text=form.cleaned_data["text"]
    )
    messages.success(request, "点评意见已保存。")
    return redirect("reviews:session", pk=pk)
