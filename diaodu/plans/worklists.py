"""Read side of the data-entry sheet (填报) and the review queue (审核): what to show, in few queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.safestring import SafeString

from diaodu.accounts.scope import READ_PERMS, Perm, has_perm, require_unit
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import PLAN_TEXT, Actual, ActualStatus, Indicator, Target


def require_reader(user: Any) -> None:
    """403 unless ``user`` holds a data permission (the three administrators do not)."""
    if not any(has_perm(user, p) for p in READ_PERMS):
        raise PermissionDenied


def visible_targets(user: Any) -> Any:
    """The target list (目标清单) as the page and its export show it."""
    require_reader(user)
    return (
        Target.objects.visible_to(user)
        .select_related("plan", "indicator", "org_unit", "relative_to")
        .defer(PLAN_TEXT)
        .order_by("-plan__year", "plan__code", "sort_order", "pk")
    )


# What the target list shows of a target, read as plain rows (no plan, indicator, unit and relative-to instances
# to build for each of a page's rows): the plan's heading, then the cells.
LISTED_FIELDS = (
    *("plan_id", "plan__title", "plan__year", "section", "indicator__name", "indicator__unit"),
    *("org_unit__short_name", "org_unit__name", "comparator", "value", "relative_to__name", "level", "quote"),
)


@dataclass(frozen=True)
class ListedTarget:
    """One row of the target list, as shown (the strings of ``Target``'s own display methods)."""

    section: str
    indicator: str
    unit: str  # OrgUnit.display_short
    target: str  # get_comparator_display() + " " + display_value
    level: str  # get_level_display()
    quote: str


# One row of the list's table, as the template's loop over the rows wrote it (its whitespace included): the cells
# escaped as autoescaping escapes a string (django.utils.html.escape is html.escape), without a template variable
# to resolve and render for each of a page's 600 cells.
LISTED_ROW = (
    '\n        <tr><td class="text-nowrap">{}</td><td>{}</td><td>{}</td>'
    '\n          <td class="text-nowrap">{}</td><td>{}</td>'
    '\n          <td><p class="quote mb-0">{}</p></td></tr>\n      '
)


@dataclass
class ListedPlan:
    title: str
    year: int
    rows: list[ListedTarget] = field(default_factory=list)

    @property
    def rows_html(self) -> SafeString:
        """The table rows of :attr:`rows` (:data:`LISTED_ROW`), escaped."""
        cells = ((r.section, r.indicator, r.unit, r.target, r.level, r.quote) for r in self.rows)
        return SafeString("".join(LISTED_ROW.format(*map(escape, row)) for row in cells))


def listed_targets(rows: Iterable[Any]) -> list[ListedPlan]:
    """The rows of ``visible_targets(user).values_list(*LISTED_FIELDS, named=True)`` grouped by plan (in
    their order, as ``{% regroup %}`` groups consecutive rows), with the strings the list shows."""
    comparators = Target._meta.get_field("comparator").flatchoices
    levels = Target._meta.get_field("level").flatchoices
    comparator_labels = {value: str(label) for value, label in comparators}
    level_labels = {value: str(label) for value, label in levels}
    plans: list[ListedPlan] = []
    plan_id = None
    for r in rows:
        if r.plan_id != plan_id or not plans:
            plan_id = r.plan_id
            plans.append(ListedPlan(r.plan__title, r.plan__year))
        if r.value is None:  # Target.display_value
            shown = r.relative_to__name or ""
        else:
            shown = f"{format(r.value.normalize(), 'f')}{r.indicator__unit}"
        comparator = comparator_labels.get(r.comparator, r.comparator)
        plans[-1].rows.append(
            ListedTarget(
                r.section,
                r.indicator__name,
                r.org_unit__short_name or r.org_unit__name,
                f"{comparator} {shown}",
                level_labels.get(r.level, r.level),
                r.quote,
            )
        )
    return plans


def entry_unit(user: Any, code: str | None) -> OrgUnit:
    """The unit whose sheet is asked for: 404 if invisible, 403 if visible but not enterable."""
    if not has_perm(user, Perm.ENTER_DATA):
        raise PermissionDenied
    if code:
        unit = OrgUnit.objects.visible_to(user).internal().filter(code=code).first()
        if unit is None:
            raise Http404
        require_unit(user, unit.pk, Perm.ENTER_DATA)
        return unit
    enterable = OrgUnit.objects.editable_by(user, Perm.ENTER_DATA).internal()
    unit = (
        enterable.filter(pk=getattr(user, "org_unit_id", None)).first()
        or enterable.order_by("sort_order").first()
    )
    if unit is None:
        raise PermissionDenied
    return unit


def entry_units(user: Any) -> list[OrgUnit]:
    return list(OrgUnit.objects.editable_by(user, Perm.ENTER_DATA).internal().order_by("sort_order"))


@dataclass
class SheetRow:
    indicator: Indicator
    targets: list[Target] = field(default_factory=list)
    actual: Actual | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def editable(self) -> bool:
        return self.actual is None or self.actual.is_editable_state

    @property
    def locked(self) -> bool:
        return self.actual is not None and self.actual.is_locked


def entry_sheet(unit: OrgUnit, *, year: int, month: int) -> list[SheetRow]:
    """One row per indicator with a target on ``unit`` in ``year``, with that month's actual if any. Indicators
    computed from the project library (``computed_from``) are not entered here: they have no row."""
    rows: dict[int, SheetRow] = {}
    targets = (
        Target.objects.filter(org_unit=unit, year=year)
        .exclude(indicator__computed_from__gt="")
        .select_related("indicator", "relative_to")
    )
    for target in targets.order_by("plan__year", "plan__code", "sort_order", "pk"):
        rows.setdefault(target.indicator_id, SheetRow(target.indicator)).targets.append(target)
    actuals = Actual.objects.filter(org_unit=unit, year=year, month=month, indicator_id__in=list(rows))
    for actual in actuals.select_related("reviewed_by"):
        rows[actual.indicator_id].actual = actual
    return list(rows.values())


def computed_indicators(unit: OrgUnit, *, year: int) -> list[Indicator]:
    """Indicators with a target on ``unit`` whose actuals come from the project library (shown as a pointer)."""
    ids = (
        Target.objects.filter(org_unit=unit, year=year)
        .exclude(indicator__computed_from="")
        .values("indicator_id")
    )
    return list(Indicator.objects.filter(pk__in=ids).order_by("code"))


@dataclass
class ReviewItem:
    actual: Actual
    previous: Actual | None = None  # the previous month of the same indicator and unit
    error: str = ""


def review_items(actuals: Iterable[Actual]) -> list[ReviewItem]:
    """Attach the previous month to each actual, in one query."""
    items = [ReviewItem(a) for a in actuals]
    wanted = {(a.actual.indicator_id, a.actual.org_unit_id, a.actual.year, a.actual.month - 1) for a in items}
    wanted = {w for w in wanted if w[3] >= 1}
    if wanted:
        previous = Actual.objects.filter(
            indicator_id__in={w[0] for w in wanted},
            org_unit_id__in={w[1] for w in wanted},
            year__in={w[2] for w in wanted},
            month__in={w[3] for w in wanted},
        )
        found = {(p.indicator_id, p.org_unit_id, p.year, p.month): p for p in previous}
        for item in items:
            a = item.actual
            item.previous = found.get((a.indicator_id, a.org_unit_id, a.year, a.month - 1))
    return items


REVIEW_RELATED = ("indicator", "org_unit", "submitted_by", "reviewed_by")


def review_queue(user: Any) -> list[ReviewItem]:
    """Submitted months the user may review, oldest submission first."""
    if not has_perm(user, Perm.REVIEW_DATA):
        raise PermissionDenied
    qs = (
        Actual.objects.editable_by(user, Perm.REVIEW_DATA)
        .filter(status=ActualStatus.SUBMITTED)
        .select_related(*REVIEW_RELATED)
        .order_by("submitted_at", "pk")
    )
    return review_items(qs)


def recently_approved(user: Any, limit: int = 20) -> list[Actual]:
    """Approved months the user could reopen (units other than the user's own)."""
    qs = (
        Actual.objects.editable_by(user, Perm.REVIEW_DATA)
        .filter(status=ActualStatus.APPROVED)
        .exclude(org_unit_id=getattr(user, "org_unit_id", None))
        .select_related(*REVIEW_RELATED)
        .order_by("-reviewed_at", "-pk")
    )
    return list(qs[:limit])
