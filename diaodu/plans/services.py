"""Every write to plans, targets and actuals. Each function is atomic and writes its audit rows."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.core.versioning import check_version
from diaodu.orgunits.models import OrgUnit
from diaodu.plans import lights
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure, Plan, Target
from diaodu.plans.planfile import (
    PlanFileError,
    PlanFileProblem,
    PlanSpec,
    TargetEntry,
    find_quote,
    parse_plan_file,
)

# ----------------------------------------------------------------------------- monthly actuals

ACTUAL_FIELDS = ("ytd_value", "growth_pct", "base_value", "note", "status", "review_comment")


class WorkflowError(ValidationError):
    """A state transition that is not allowed (shown to the user in Chinese)."""


def _check_period(year: int, month: int, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if not 1 <= month <= 12:
        raise ValidationError(_("月份必须在1到12之间。"))
    if (year, month) > (today.year, today.month):
        raise ValidationError(
            _("不能填报未来月份（%(year)d年%(month)d月）的数据。") % {"year": year, "month": month}
        )


def _check_values(
    indicator: Indicator, ytd_value: Decimal | None, growth_pct: Decimal | None, base_value: Decimal | None
) -> None:
    errors: dict[str, str] = {}
    if ytd_value is None and growth_pct is None:
        errors["ytd_value"] = _("请至少填写累计值或公布增速。")
    if indicator.measure == Measure.GROWTH and growth_pct is None and (ytd_value is None or not base_value):
        errors["growth_pct"] = _("增速类指标请填写公布增速，或同时填写累计值和上年同期值。")
    if base_value is not None and base_value < 0:
        errors["base_value"] = _("上年同期值不能为负数。")
    for name, value in (("ytd_value", ytd_value), ("growth_pct", growth_pct), ("base_value", base_value)):
        if value is not None and name not in errors and not _fits(name, value):
            errors[name] = _("%(field)s超出范围：整数部分最多 %(digits)d 位。") % {
                "field": _decimal_field(name).verbose_name,
                "digits": _whole_digits(name),
            }
    if errors:
        raise ValidationError(errors)


def _fits(name: str, value: Decimal) -> bool:
    """Whether ``value`` is a number the column can store once rounded to its decimal places (the database
    would refuse it otherwise, and the request would fail without saying why)."""
    stored = _as_stored(name, value)
    return stored is not None and stored.is_finite() and abs(stored) < Decimal(10) ** _whole_digits(name)


def _decimal_field(name: str) -> DecimalField[Any, Any]:
    field = Actual._meta.get_field(name)
    assert isinstance(field, DecimalField)
    return field


def _whole_digits(name: str) -> int:
    """The digits before the decimal point that the column ``name`` of Actual can hold."""
    field = _decimal_field(name)
    return int(field.max_digits or 0) - int(field.decimal_places or 0)


def _as_stored(name: str, value: Decimal | None) -> Decimal | None:
    """``value`` rounded to the column's decimal places as the database rounds it (ties away from zero), so the
    audit row and the returned instance hold the figure that is stored, not more digits than the column keeps.
    A value too large for the column is left as it is (:func:`_check_values` refuses it)."""
    if value is None or not value.is_finite():
        return value
    places = int(_decimal_field(name).decimal_places or 0)
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=60))
    except InvalidOperation:
        return value


@transaction.atomic
def save_actual(
    *,
    actor: Any,
    indicator: Indicator,
    org_unit: OrgUnit,
    year: int,
    month: int,
    ytd_value: Decimal | None,
    growth_pct: Decimal | None = None,
    base_value: Decimal | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Actual:
    """Create or update a draft (or returned) month. Approved and submitted months cannot be edited.

    The returned instance holds what is stored, with ``indicator`` and ``org_unit`` set (the API answers with it,
    without reading it again)."""
    require_unit(actor, org_unit.pk, Perm.ENTER_DATA)
    if indicator.computed_from:
        raise ValidationError(
            _(
                "“%(name)s”由项目库数据按月计算（来自重点项目的阶段、签约和已审核的月度调度），不需要也不能人工填报。"
            )
            % {"name": indicator.name}
        )
    _check_period(year, month)
    _check_values(indicator, ytd_value, growth_pct, base_value)
    ytd_value, growth_pct = _as_stored("ytd_value", ytd_value), _as_stored("growth_pct", growth_pct)
    base_value = _as_stored("base_value", base_value)
    # The month's row only (``of=self``, ordered by its key: no join): the model's default ordering would join the
    # indicator and the unit and lock their rows too, blocking every other unit's save of the indicator (_lock).
    actual = (
        Actual.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, org_unit=org_unit, year=year, month=month)
        .order_by("pk")
        .first()
    )
    values = {"ytd_value": ytd_value, "growth_pct": growth_pct, "base_value": base_value, "note": note}
    if actual is None:
        actual = Actual.objects.create(
            indicator=indicator, org_unit=org_unit, year=year, month=month, created_by=actor, **values
        )
        record(actor=actor, action=AuditAction.CREATE, obj=actual, after=snapshot(actual, ACTUAL_FIELDS))
        return actual
    actual.indicator, actual.org_unit = indicator, org_unit  # the rows it was found by: no lazy reads later
    if not actual.is_editable_state:
        raise WorkflowError(
            _("%(label)s 当前状态为“%(status)s”，不能修改。")
            % {"label": actual, "status": actual.get_status_display()}
        )
    check_version(actual, expected_version, str(actual))
    before = snapshot(actual, ACTUAL_FIELDS)
    for key, value in values.items():
        setattr(actual, key, value)
    after = snapshot(actual, ACTUAL_FIELDS)
    if before == after:
        return actual
    actual.version += 1
    actual.save(update_fields=[*values, "version", "updated_at"])
    b, a = changed(before, after)
    record(actor=actor, action=AuditAction.UPDATE, obj=actual, before=b, after=a)
    return actual


def _lock(actual: Actual) -> Actual:
    """Re-read the row under a lock: every check and change sees the current state, not a stale copy.

    Only the actual's row is locked (``of=self``): locking the joined indicator and unit rows too would block
    every other writer's foreign-key check on them (and deadlock with the audit chain's lock in a rush)."""
    return (
        Actual.objects.select_for_update(of=("self",))
        .select_related("org_unit", "indicator")
        .get(pk=actual.pk)
    )


def _transition(
    actual: Actual,
    *,
    actor: Any,
    action: AuditAction,
    to: ActualStatus,
    allowed_from: tuple[str, ...],
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> Actual:
    locked = actual  # callers pass the row returned by _lock()
    if locked.status not in allowed_from:
        raise WorkflowError(
            _("%(label)s 当前状态为“%(status)s”，不能执行此操作。")
            % {"label": locked, "status": locked.get_status_display()}
        )
    before = snapshot(locked, ACTUAL_FIELDS)
    was_approved = locked.status == ActualStatus.APPROVED
    locked.status = to
    for key, value in (extra or {}).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at", *(extra or {})])
    if was_approved != (to == ActualStatus.APPROVED):
        lights.refresh_series({(locked.indicator_id, locked.org_unit_id)}, locked.year)
    b, a = changed(before, snapshot(locked, ACTUAL_FIELDS))
    record(actor=actor, action=action, obj=locked, before=b, after=a, reason=reason)
    return locked


@transaction.atomic
def submit_actual(actual: Actual, *, actor: Any) -> Actual:
    actual = _lock(actual)
    require_unit(actor, actual.org_unit_id, Perm.ENTER_DATA)
    return _transition(
        actual,
        actor=actor,
        action=AuditAction.SUBMIT,
        to=ActualStatus.SUBMITTED,
        allowed_from=(ActualStatus.DRAFT, ActualStatus.RETURNED),
        extra={"submitted_by": actor, "submitted_at": timezone.now()},
    )


def _require_reviewer(actor: Any, actual: Actual) -> None:
    require_unit(actor, actual.org_unit_id, Perm.REVIEW_DATA)
    if actual.submitted_by_id is not None and actual.submitted_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("不能审核本人提交的数据。"))


@transaction.atomic
def return_actual(actual: Actual, *, actor: Any, comment: str) -> Actual:
    actual = _lock(actual)
    _require_reviewer(actor, actual)
    if not comment.strip():
        raise ValidationError({"comment": _("退回时请填写退回意见。")})
    return _transition(
        actual,
        actor=actor,
        action=AuditAction.RETURN,
        to=ActualStatus.RETURNED,
        allowed_from=(ActualStatus.SUBMITTED,),
        reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def approve_actual(actual: Actual, *, actor: Any, comment: str = "") -> Actual:
    actual = _lock(actual)
    _require_reviewer(actor, actual)
    return _transition(
        actual,
        actor=actor,
        action=AuditAction.APPROVE,
        to=ActualStatus.APPROVED,
        allowed_from=(ActualStatus.SUBMITTED,),
        reason=comment.strip(),
        extra={"review_comment": comment.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


@transaction.atomic
def reopen_actual(actual: Actual, *, actor: Any, reason: str) -> Actual:
    """Unlock an approved month. Only a reviewer above the unit (not the unit itself) may, with a reason."""
    actual = _lock(actual)
    require_unit(actor, actual.org_unit_id, Perm.REVIEW_DATA)
    if getattr(actor, "org_unit_id", None) == actual.org_unit_id:
        raise PermissionDenied(_("只有上级审核单位可以重新打开已审核的数据。"))
    if not reason.strip():
        raise ValidationError({"reason": _("重新打开已审核数据须填写原因。")})
    return _transition(
        actual,
        actor=actor,
        action=AuditAction.REOPEN,
        to=ActualStatus.RETURNED,
        allowed_from=(ActualStatus.APPROVED,),
        reason=reason.strip(),
        extra={"review_comment": reason.strip()},
    )


# ----------------------------------------------------------------------------- plan files

PLAN_SYNC_FIELDS = ("title", "year", "org_unit", "source_title", "source_text", "file_sha256")
INDICATOR_SYNC_FIELDS = (
    "name",
    "unit",
    "value_unit",
    "measure",
    "direction",
    "accumulation",
    "rollup",
    "description",
    "computed_from",
)
TARGET_SYNC_FIELDS = (
    "section",
    "indicator",
    "org_unit",
    "year",
    "value",
    "comparator",
    "level",
    "quote",
    "quote_position",
    "deadline",
    "relative_to",
    "parent",
    "sort_order",
)


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class LoadResult:
    plan: Plan
    plan_counts: LoadCounts = field(default_factory=LoadCounts)
    indicators: LoadCounts = field(default_factory=LoadCounts)
    targets: LoadCounts = field(default_factory=LoadCounts)
    tasks: LoadCounts | None = None  # None: the file has no ``tasks`` list

    @property
    def changed(self) -> bool:
        tasks_changed = self.tasks is not None and self.tasks.changed
        return self.plan_counts.changed or self.indicators.changed or self.targets.changed or tasks_changed

    def summary(self, verb: str = "已导入") -> str:
        i, t = self.indicators, self.targets
        text = (
            f"{verb}计划 {self.plan.code}：指标 新增{i.created}/更新{i.updated}/未变{i.unchanged}，"
            f"目标 新增{t.created}/更新{t.updated}/未变{t.unchanged}/删除{t.deleted}"
        )
        if self.tasks is not None:
            k = self.tasks
            text += f"，重点任务 新增{k.created}/更新{k.updated}/未变{k.unchanged}/删除{k.deleted}"
        return text


def org_unit_lookup() -> Callable[[str], list[str]]:
    """Resolve an org unit written as its code, full name or short name (in that order of precedence)."""
    by_code: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    by_short: dict[str, list[str]] = defaultdict(list)
    for code, name, short in OrgUnit.objects.values_list("code", "name", "short_name"):
        by_code[code] = [code]
        by_name[name].append(code)
        if short:
            by_short[short].append(code)

    def lookup(text: str) -> list[str]:
        return by_code.get(text) or by_name.get(text) or by_short.get(text) or []

    return lookup


def indicator_lookup() -> Callable[[str], bool]:
    codes = set(Indicator.objects.values_list("code", flat=True))
    return codes.__contains__


def read_plan_file(path: str | Path, *, source_text: str | None = None) -> PlanSpec:
    """Validate a plan file against the org units and indicators in the database (reads only)."""
    return parse_plan_file(
        path, indicator_exists=indicator_lookup(), org_unit_lookup=org_unit_lookup(), source_text=source_text
    )


def _text_digest(text: str) -> str:
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()[:16]}（{len(text)}字）" if text else ""


def _plan_snapshot(plan: Plan) -> dict[str, Any]:
    snap = snapshot(plan, PLAN_SYNC_FIELDS)
    snap["source_text"] = _text_digest(plan.source_text)  # the audit keeps a digest, not the whole speech
    return snap


def _target_snapshot(target: Target) -> dict[str, Any]:
    snap = snapshot(target, TARGET_SYNC_FIELDS)
    if snap["value"] is not None:
        snap["value"] = format(Decimal(snap["value"]).normalize(), "f")  # 7.0000 from the DB equals 7
    return snap


def _assign(
    obj: Any, values: dict[str, Any], snap: Callable[[Any], dict[str, Any]]
) -> tuple[dict, dict] | None:
    """Set ``values`` on ``obj``; (before, after) of the changed fields, or None if nothing changed."""
    before = snap(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snap(obj)
    if before == after:
        return None
    return changed(before, after)


def _audit_kwargs(actor: Any) -> dict[str, Any]:
    return {"actor": actor, "actor_name": "" if getattr(actor, "is_authenticated", False) else "cli"}


def _check_indicator_names(spec: PlanSpec) -> None:
    """An indicator name used in the database by another code would break the unique constraint."""
    names = {ind.name: (i, ind) for i, ind in enumerate(spec.indicators)}
    clashes = Indicator.objects.filter(name__in=names).exclude(code__in=[ind.code for ind in spec.indicators])
    problems = []
    for other in clashes:
        index, ind = names[other.name]
        message = f"指标名称“{other.name}”已被系统中的指标“{other.code}”使用"
        problems.append(PlanFileProblem(ind.line, f"indicators[{index}].name", message))
    if problems:
        raise PlanFileError(problems)


SORT_STEP = 10


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of ``values`` (patience sorting)."""
    tails: list[int] = []  # tails[k]: index of the smallest tail of an increasing run of length k + 1
    tail_values: list[int] = []
    previous: list[int | None] = [None] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tail_values, v)
        previous[i] = tails[k - 1] if k else None
        if k == len(tails):
            tails.append(i)
            tail_values.append(v)
        else:
            tails[k] = i
            tail_values[k] = v
    chosen: set[int] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        chosen.add(cursor)
        cursor = previous[cursor]
    return chosen


def sort_orders(keys: list[str], current: dict[str, int]) -> dict[str, int]:
    """Sort order for each key (in file order), keeping as many current values as possible.

    Removing or inserting a target must not renumber (and re-audit) every target after it: the targets
    whose current order is already consistent with the file keep their value, the others are placed in
    the gaps (steps of 10); only when a gap is too small is everything renumbered.
    """
    existing = [k for k in keys if k in current]
    anchors = {existing[i] for i in _longest_increasing([current[k] for k in existing])}
    result: dict[str, int] = {}
    prev = -1
    i = 0
    while i < len(keys):
        if keys[i] in anchors:
            prev = result[keys[i]] = current[keys[i]]
            i += 1
            continue
        j = i
        while j < len(keys) and keys[j] not in anchors:
            j += 1
        run = keys[i:j]
        if j == len(keys):  # nothing after: append in steps
            start = prev + SORT_STEP if prev >= 0 else 0
            values = [start + n * SORT_STEP for n in range(len(run))]
        else:
            upper = current[keys[j]]
            if upper - prev - 1 < len(run):
                return {k: n * SORT_STEP for n, k in enumerate(keys)}
            values = [prev + (upper - prev) * (n + 1) // (len(run) + 1) for n in range(len(run))]
        result.update(zip(run, values, strict=True))
        prev = values[-1]
        i = j
    return result


def _quote_position(
    entry: TargetEntry, current: Target | None, text: str | None, spec: PlanSpec
) -> int | None:
    if text is None:  # no source text: keep the known position unless the quote itself changed
        return current.quote_position if current is not None and current.quote == entry.quote else None
    if text == spec.source_text:
        return entry.quote_position
    return find_quote(text, entry.quote)


@transaction.atomic
def load_plan(spec: PlanSpec, *, actor: Any = None, source_text: str | None = None) -> LoadResult:
    """Upsert the plan, its indicators and targets from a validated spec, in one transaction.

    Plan by code, indicators by code, targets by (plan, key); targets no longer in the file are deleted.
    Every create, update and delete writes one audit row (updates: only the changed fields), so loading
    the same file twice writes nothing. ``source_text`` (default: the text the spec was validated
    against) is stored on the plan; when there is none, the stored text and quote positions are kept.
    """
    audit = _audit_kwargs(actor)
    text = source_text if source_text is not None else spec.source_text
    _check_indicator_names(spec)

    codes = {spec.org_unit} | {t.org_unit for t in spec.targets}
    codes |= {code for task in spec.tasks or () for code in (task.owner, *task.co_owners)}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    missing = codes - set(units)
    if missing:
        raise PlanFileError([PlanFileProblem(None, "org_unit", f"找不到单位：{'、'.join(sorted(missing))}")])

    # ---- plan
    plan_values: dict[str, Any] = {
        "title": spec.title,
        "year": spec.year,
        "org_unit": units[spec.org_unit],
        "source_title": spec.source_title,
        "file_sha256": spec.file_sha256,
    }
    if text is not None:
        plan_values["source_text"] = text
    plan = Plan.objects.select_for_update().filter(code=spec.code).first()
    if plan is None:
        plan = Plan.objects.create(code=spec.code, loaded_at=timezone.now(), **plan_values)
        record(action=AuditAction.CREATE, obj=plan, after=_plan_snapshot(plan) | {"code": plan.code}, **audit)
        result = LoadResult(plan, plan_counts=LoadCounts(created=1))
    else:
        result = LoadResult(plan)
        diff = _assign(plan, plan_values, _plan_snapshot)
        if diff is None:
            result.plan_counts.unchanged = 1
        else:
            plan.loaded_at = timezone.now()
            plan.save(update_fields=[*diff[1], "loaded_at"])
            record(action=AuditAction.UPDATE, obj=plan, before=diff[0], after=diff[1], **audit)
            result.plan_counts.updated = 1

    # ---- indicators
    wanted = {t.indicator for t in spec.targets} | {t.relative_to for t in spec.targets if t.relative_to}
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=wanted | {i.code for i in spec.indicators})
    }
    changed_indicators: list[int] = []  # shared with other plans: their targets' lights move too
    for ispec in spec.indicators:
        ind_values: dict[str, Any] = {
            "name": ispec.name,
            "unit": ispec.unit,
            "value_unit": ispec.value_unit,
            "measure": ispec.measure,
            "direction": ispec.direction,
            "accumulation": ispec.accumulation,
            "rollup": ispec.rollup,
            "description": ispec.description,
            "computed_from": ispec.computed_from,
        }
        indicator = indicators.get(ispec.code)
        if indicator is None:
            indicator = Indicator.objects.create(code=ispec.code, **ind_values)
            indicators[ispec.code] = indicator
            after = snapshot(indicator, INDICATOR_SYNC_FIELDS) | {"code": indicator.code}
            record(action=AuditAction.CREATE, obj=indicator, after=after, **audit)
            result.indicators.created += 1
            continue
        diff = _assign(indicator, ind_values, lambda obj: snapshot(obj, INDICATOR_SYNC_FIELDS))
        if diff is None:
            result.indicators.unchanged += 1
            continue
        indicator.save(update_fields=list(diff[1]))
        record(action=AuditAction.UPDATE, obj=indicator, before=diff[0], after=diff[1], **audit)
        result.indicators.updated += 1
        changed_indicators.append(indicator.pk)

    # ---- targets: create the new ones first so that every parent link can be resolved
    existing = {
        t.key: t
        for t in Target.objects.filter(plan=plan).select_related(
            "indicator", "org_unit", "relative_to", "parent"
        )
    }
    by_key: dict[str, Target] = dict(existing)
    orders = sort_orders([e.key for e in spec.targets], {k: t.sort_order for k, t in existing.items()})
    wanted_values: dict[str, dict[str, Any]] = {}
    new_targets: list[Target] = []
    for entry in spec.targets:
        current = existing.get(entry.key)
        values: dict[str, Any] = {
            "section": entry.section,
            "indicator": indicators[entry.indicator],
            "org_unit": units[entry.org_unit],
            "year": spec.year,
            "value": entry.value,
            "comparator": entry.comparator,
            "level": entry.level,
            "quote": entry.quote,
            "quote_position": _quote_position(entry, current, text, spec),
            "deadline": entry.deadline,
            "relative_to": indicators[entry.relative_to] if entry.relative_to else None,
            "sort_order": orders[entry.key],
        }
        wanted_values[entry.key] = values
        if current is None:
            new_targets.append(Target(plan=plan, key=entry.key, **values))
    created = Target.objects.bulk_create(new_targets)
    if any(t.pk is None for t in created):  # a backend that cannot return ids from a bulk insert
        ids = dict(
            Target.objects.filter(plan=plan, key__in=[t.key for t in created]).values_list("key", "pk")
        )
        for t in created:
            t.pk = ids[t.key]
    by_key.update((t.key, t) for t in created)
    parent_links: list[Target] = []

    for entry in spec.targets:
        target = by_key[entry.key]
        values = wanted_values[entry.key] | {"parent": by_key[entry.parent] if entry.parent else None}
        if entry.key not in existing:
            _assign(target, values, _target_snapshot)
            if target.parent_id is not None:
                parent_links.append(target)
            after = _target_snapshot(target) | {"key": target.key}
            record(action=AuditAction.CREATE, obj=target, after=after, **audit)
            result.targets.created += 1
            continue
        diff = _assign(target, values, _target_snapshot)
        if diff is None:
            result.targets.unchanged += 1
            continue
        target.save(update_fields=list(diff[1]))
        record(action=AuditAction.UPDATE, obj=target, before=diff[0], after=diff[1], **audit)
        result.targets.updated += 1
    # bulk_create stored every other field already; only the parent links are left to write.
    Target.objects.bulk_update(parent_links, ["parent"])

    keep = {entry.key for entry in spec.targets}
    gone = [t for key, t in existing.items() if key not in keep]
    for target in gone:
        record(
            action=AuditAction.DELETE,
            obj=target,
            before=_target_snapshot(target) | {"key": target.key},
            **audit,
        )
    if gone:
        Target.objects.filter(pk__in=[t.pk for t in gone]).delete()
        result.targets.deleted = len(gone)

    if spec.tasks is not None and apps.is_installed("diaodu.supervision"):
        # Key tasks belong to the supervision app, which owns their writes (and their audit rows).
        from diaodu.supervision.services import sync_plan_tasks

        result.tasks = sync_plan_tasks(
            plan, spec.tasks, actor=actor, source_text=text, spec_source_text=spec.source_text
        )

    if apps.is_installed("diaodu.projects"):
        # A new plan year: the project rollups behind its computed indicators start now (rollups.py).
        from diaodu.projects import rollups

        rollups.ensure_year(plan.year)
    lights.refresh_targets(
        Target.objects.filter(
            Q(plan=plan) | Q(indicator__in=changed_indicators) | Q(relative_to__in=changed_indicators)
        )
    )

    if result.changed and not result.plan_counts.changed:
        plan.loaded_at = timezone.now()
        plan.save(update_fields=["loaded_at"])
    return result


# ----------------------------------------------------------------------------- data-entry sheet (many rows at once)


class RowInput(NamedTuple):
    """One row of the data-entry sheet, already parsed by the form."""

    indicator: Indicator
    ytd_value: Decimal | None
    growth_pct: Decimal | None
    base_value: Decimal | None
    note: str = ""
    expected_version: int | None = None


class RowErrors(ValidationError):
    """Some rows of a sheet failed; ``row_errors`` maps the indicator code to its ValidationError."""

    def __init__(self, row_errors: dict[str, ValidationError]) -> None:
        self.row_errors = row_errors
        super().__init__(_("%(count)d 行数据有误，未保存任何数据。") % {"count": len(row_errors)})


@transaction.atomic
def save_and_submit_rows(
    *, actor: Any, org_unit: OrgUnit, year: int, month: int, rows: list[RowInput], submit: bool
) -> list[Actual]:
    """Save (and optionally submit) several months at once: all rows or none.

    Every row is tried so that the user sees every error at once; if any row fails, :class:`RowErrors`
    is raised and the whole sheet is rolled back.
    """
    require_unit(actor, org_unit.pk, Perm.ENTER_DATA)
    saved: list[Actual] = []
    errors: dict[str, ValidationError] = {}
    for row in rows:
        try:
            actual = save_actual(
                actor=actor,
                indicator=row.indicator,
                org_unit=org_unit,
                year=year,
                month=month,
                ytd_value=row.ytd_value,
                growth_pct=row.growth_pct,
                base_value=row.base_value,
                note=row.note,
                expected_version=row.expected_version,
            )
            if submit:
                actual = submit_actual(actual, actor=actor)
            saved.append(actual)
        except ValidationError as exc:
            errors[row.indicator.code] = exc
    if errors:
        raise RowErrors(errors)
    return saved
