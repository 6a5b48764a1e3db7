"""Every write of the policy compiler (政策编译): upload, edit, accept, discard. Atomic, scoped, audited.

Accepting a target item creates a :class:`~diaodu.plans.models.Target` in the document's plan (the quote kept as
its basis, ``quote_position`` = the offset in the document) and, if the item maps to no catalogue indicator, a new
:class:`~diaodu.plans.models.Indicator`. The plans app has no service that adds a single target (``load_plan``
replaces a plan's targets with a file's), so the rows are written here, each with its own audit row.

Accepting a task item records it as accepted: the supervision app creates key tasks only by synchronising a plan
file's ``tasks`` list (``sync_plan_tasks``), so an accepted task becomes a :class:`KeyTask` when the exported plan
file (:mod:`diaodu.compiler.planexport`) is loaded with ``diaodu plan load``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.compiler import domain
from diaodu.compiler.access import require_compile
from diaodu.compiler.extract import extract_normalised, normalise
from diaodu.compiler.models import ExtractedItem, ItemKind, ItemStatus, SourceDocument
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import lights
from diaodu.plans.models import UNIT_CHOICES, Comparator, Indicator, Level, Measure, Plan, Target
from diaodu.plans.services import TARGET_SYNC_FIELDS

EDITABLE_FIELDS = (
    "kind",
    "indicator_name",
    "measure",
    "value",
    "unit",
    "comparator",
    "level",
    "scope_unit",
    "deadline",
    "indicator",
    "relative_to",
    "leader",
)
ITEM_AUDIT_FIELDS = (*EDITABLE_FIELDS, "status", "target")
TARGET_AUDIT_FIELDS = ("plan", "key", *TARGET_SYNC_FIELDS)  # the fields a plan load keeps in step
INDICATOR_AUDIT_FIELDS = ("code", "name", "unit", "measure", "direction", "accumulation", "rollup")
UNITS = {u for u, _label in UNIT_CHOICES}


class CompileError(ValidationError):
    """An item that cannot be accepted as it stands (messages in Chinese, by field where possible)."""


# ----------------------------------------------------------------------------- plans and documents


@transaction.atomic
def create_plan(*, actor: Any, code: str, title: str, year: int, org_unit: OrgUnit) -> Plan:
    """A new, empty plan to compile a document into (e.g. next year's, before any plan file exists)."""
    require_compile(actor, org_unit.pk)
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"new_plan_code": _("计划编码“%(code)s”已存在。") % {"code": code}})
    plan = Plan.objects.create(code=code, title=title, year=year, org_unit=org_unit, loaded_at=timezone.now())
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        after=snapshot(plan, ("code", "title", "year", "org_unit")),
    )
    if apps.is_installed("diaodu.projects"):
        # A new plan year: the project rollups behind its computed indicators start now, as on a plan load.
        from diaodu.projects import rollups

        rollups.ensure_year(plan.year)
    return plan


def catalogue() -> list[domain.IndicatorOption]:
    return [
        domain.IndicatorOption(pk, name, unit, measure)
        for pk, name, unit, measure in Indicator.objects.values_list("pk", "name", "unit", "measure")
    ]


def _unit_names(plan: Plan) -> dict[str, OrgUnit]:
    """Units of the plan's subtree by full name, then short name (the extractor writes full names)."""
    units = list(OrgUnit.objects.internal().subtree(plan.org_unit))
    names: dict[str, OrgUnit] = {u.short_name: u for u in units if u.short_name}
    names.update({u.name: u for u in units})
    return names


@dataclass(frozen=True)
class NewPlan:
    code: str
    title: str
    year: int
    org_unit: OrgUnit


@transaction.atomic
def upload_document(
    *, actor: Any, plan: Plan | NewPlan, raw_text: str, filename: str, title: str = ""
) -> SourceDocument:
    """Normalise and extract ``raw_text``; store the document and one pending item per extracted item.
    ``plan`` is an existing plan or a :class:`NewPlan` to create first (in the same transaction)."""
    if isinstance(plan, NewPlan):
        plan = create_plan(
            actor=actor, code=plan.code, title=plan.title, year=plan.year, org_unit=plan.org_unit
        )
    require_compile(actor, plan.org_unit_id)
    text = normalise(raw_text)
    if not text.strip():
        raise ValidationError({"file": _("文件中没有可读的文字。")})
    found = extract_normalised(text, year=plan.year)
    document = SourceDocument.objects.create(
        title=(title or filename.rsplit(".", 1)[0])[:300],
        filename=filename[:255],
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        year=plan.year,
        plan=plan,
        org_unit=plan.org_unit,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    options = catalogue()
    units = _unit_names(plan)
    rows = []
    for n, item in enumerate(found):
        suggestions = domain.suggest_indicators(item.indicator, item.unit, item.measure, options, limit=1)
        relative = (
            domain.suggest_indicators(item.relative_to, None, None, options, limit=1)
            if item.relative_to
            else []
        )
        scope = units.get(item.scope) if item.scope else None
        rows.append(
            ExtractedItem(
                document=document,
                position=n,
                start=item.start,
                quote=item.quote,
                extracted=item.as_dict() | {"start": item.start, "relative_to": item.relative_to},
                kind=item.kind,
                indicator_name=item.indicator[:200],
                measure=item.measure or "",
                value=item.value,
                unit=item.unit or "",
                comparator=item.comparator or "",
                level=item.level,
                scope_unit=scope,
                deadline=item.deadline,
                indicator_id=suggestions[0][0].pk if suggestions else None,
                relative_to_id=relative[0][0].pk if relative else None,
            )
        )
    ExtractedItem.objects.bulk_create(rows)
    with_parent = []
    for n, item in enumerate(found):
        if item.parent_indicator:
            parent = next(
                (rows[m] for m in range(n - 1, -1, -1) if found[m].indicator == item.parent_indicator), None
            )
            if parent is not None:
                rows[n].parent_item = parent
                with_parent.append(rows[n])
    ExtractedItem.objects.bulk_update(with_parent, ["parent_item"])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=document,
        after=snapshot(document, ("title", "filename", "sha256", "year", "plan")) | {"items": len(rows)},
    )
    return document


# ----------------------------------------------------------------------------- reviewing items


def _lock(item: ExtractedItem) -> ExtractedItem:
    return (
        ExtractedItem.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable joins
        .select_related("document__plan__org_unit", "indicator", "relative_to", "scope_unit", "parent_item")
        .get(pk=item.pk)
    )


def _require_pending(item: ExtractedItem) -> None:
    if item.status != ItemStatus.PENDING:
        raise CompileError(_("该条目已%(status)s，不能再修改。") % {"status": item.get_status_display()})


@transaction.atomic
def update_item(item: ExtractedItem, *, actor: Any, values: Mapping[str, Any]) -> ExtractedItem:
    """Set reviewed values (any of :data:`EDITABLE_FIELDS`) on a pending item; one audit row with the changes."""
    item = _lock(item)
    require_compile(actor, item.document.org_unit_id)
    _require_pending(item)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(item, EDITABLE_FIELDS)
    for name, value in values.items():
        setattr(
            item, name, "" if value is None and name in ("measure", "unit", "comparator", "leader") else value
        )
    after = snapshot(item, EDITABLE_FIELDS)
    if before == after:
        return item
    b, a = changed(before, after)
    item.save(update_fields=list(a))
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        org_unit_id=item.document.org_unit_id,
        before=b,
        after=a,
    )
    return item


def _target_unit(item: ExtractedItem, plan: Plan) -> OrgUnit:
    unit = item.scope_unit or plan.org_unit
    if not unit.path.startswith(plan.org_unit.path):
        raise CompileError(
            {
                "scope_unit": _("“%(unit)s”不在计划单位“%(plan)s”范围内。")
                % {"unit": unit, "plan": plan.org_unit}
            }
        )
    return unit


def _check_target(item: ExtractedItem, plan: Plan) -> None:
    errors: dict[str, str] = {}
    if not item.indicator_name.strip() and item.indicator is None:
        errors["indicator_name"] = _("请填写指标名称或选择指标。")
    if item.value is None and item.relative_to is None:
        errors["value"] = _("请填写目标值（相对目标请选择参照指标）。")
    if item.value is not None and item.relative_to is not None:
        errors["relative_to"] = _("目标值与参照指标只能填写一个。")
    if item.comparator not in Comparator.values:
        errors["comparator"] = _("请选择比较方式。")
    if item.level not in Level.values:
        errors["level"] = _("请选择层级。")
    unit = item.indicator.unit if item.indicator else item.unit
    if unit not in UNITS:
        errors["unit"] = _("请选择单位。")
    elif item.indicator is not None and item.unit and item.unit != item.indicator.unit:
        errors["unit"] = _("单位不一致：指标“%(name)s”以“%(unit)s”计，本条为“%(mine)s”。") % {
            "name": item.indicator.name,
            "unit": item.indicator.unit,
            "mine": item.unit,
        }
    if item.indicator is None and item.measure not in Measure.values:
        errors["measure"] = _("新建指标请选择口径。")
    if item.deadline is not None and item.deadline.year != plan.year:
        errors["deadline"] = _("期限不在计划年度 %(year)d 年内。") % {"year": plan.year}
    if errors:
        raise CompileError(errors)


def _indicator_for(item: ExtractedItem, actor: Any) -> Indicator:
    """The mapped indicator, or a new one named as written (reused if that name already exists)."""
    if item.indicator is not None:
        return item.indicator
    name = item.indicator_name.strip()[:100]
    existing = Indicator.objects.filter(name=name).first()
    if existing is not None:
        if existing.unit != item.unit:
            raise CompileError(
                {
                    "indicator": _("已有同名指标“%(name)s”（以“%(unit)s”计），请选择它或改名。")
                    % {"name": name, "unit": existing.unit}
                }
            )
        return existing
    indicator = Indicator.objects.create(
        code=domain.new_indicator_code(name),
        name=name,
        unit=item.unit,
        measure=item.measure,
        description=_("由《%(title)s》生成") % {"title": item.document.title[:200]},
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=indicator,
        after=snapshot(indicator, INDICATOR_AUDIT_FIELDS),
    )
    return indicator


def _create_target(item: ExtractedItem, plan: Plan, actor: Any) -> Target:
    _check_target(item, plan)
    org_unit = _target_unit(item, plan)
    require_compile(actor, org_unit.pk)
    indicator = _indicator_for(item, actor)
    clash = Target.objects.filter(
        plan=plan, indicator=indicator, org_unit=org_unit, level=item.level, deadline=item.deadline
    ).first()
    if clash is not None:
        raise CompileError(
            _("计划中已有同一指标、单位、层级和期限的目标（%(key)s：%(quote)s）。")
            % {"key": clash.key, "quote": clash.quote[:40]}
        )
    parent = item.parent_item.target if item.parent_item and item.parent_item.target_id else None
    last = Target.objects.filter(plan=plan).aggregate(m=Max("sort_order"))["m"]
    target = Target.objects.create(
        plan=plan,
        key=domain.target_key(item.document_id, item.pk, indicator.code),
        section=domain.section_at(item.document.text, item.start),
        indicator=indicator,
        org_unit=org_unit,
        year=plan.year,
        value=item.value if item.relative_to is None else None,
        comparator=item.comparator,
        level=item.level,
        quote=item.quote,
        quote_position=item.start,
        deadline=item.deadline,
        relative_to=item.relative_to,
        parent=parent,
        sort_order=0 if last is None else last + 10,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=target,
        after=snapshot(target, TARGET_AUDIT_FIELDS) | {"source_document": item.document_id, "item": item.pk},
        reason=_("采纳《%(title)s》提取的目标") % {"title": item.document.title[:200]},
    )
    return target


def _check_task(item: ExtractedItem, plan: Plan, actor: Any) -> None:
    errors: dict[str, str] = {}
    if not item.indicator_name.strip():
        errors["indicator_name"] = _("请填写任务名称。")
    if item.deadline is None:
        errors["deadline"] = _("重点任务须有期限。")
    elif item.deadline.year != plan.year:
        errors["deadline"] = _("期限不在计划年度 %(year)d 年内。") % {"year": plan.year}
    if errors:
        raise CompileError(errors)
    require_compile(actor, _target_unit(item, plan).pk)


def _decide(
    item: ExtractedItem, *, actor: Any, status: ItemStatus, target: Target | None = None
) -> ExtractedItem:
    before = snapshot(item, ("status", "target"))
    item.status = status
    item.target = target
    item.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "target", "decided_by", "decided_at"])
    b, a = changed(before, snapshot(item, ("status", "target")))
    action = AuditAction.APPROVE if status == ItemStatus.ACCEPTED else AuditAction.UPDATE
    record(actor=actor, action=action, obj=item, org_unit_id=item.document.org_unit_id, before=b, after=a)
    return item


@transaction.atomic
def accept_item(item: ExtractedItem, *, actor: Any) -> ExtractedItem:
    """Accept a pending item: a target item becomes a Target of the document's plan; a task item is recorded as an
    accepted key task (it reaches the supervision app through the exported plan file)."""
    item = _lock(item)
    plan = item.document.plan
    require_compile(actor, item.document.org_unit_id)
    _require_pending(item)
    if item.kind == ItemKind.TASK:
        _check_task(item, plan, actor)
        return _decide(item, actor=actor, status=ItemStatus.ACCEPTED)
    target = _create_target(item, plan, actor)
    lights.refresh_targets(Target.objects.filter(pk=target.pk))  # its stored lights (plans/lights.py)
    return _decide(item, actor=actor, status=ItemStatus.ACCEPTED, target=target)


@transaction.atomic
def discard_item(item: ExtractedItem, *, actor: Any) -> ExtractedItem:
    item = _lock(item)
    require_compile(actor, item.document.org_unit_id)
    _require_pending(item)
    return _decide(item, actor=actor, status=ItemStatus.DISCARDED)


@transaction.atomic
def restore_item(item: ExtractedItem, *, actor: Any) -> ExtractedItem:
    """Undo a discard (an accepted item stays accepted: its target is in the plan and may have data)."""
    item = _lock(item)
    require_compile(actor, item.document.org_unit_id)
    if item.status != ItemStatus.DISCARDED:
        raise CompileError(_("只有已舍弃的条目可以恢复。"))
    return _decide(item, actor=actor, status=ItemStatus.PENDING)
