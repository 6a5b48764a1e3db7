"""Writes to the project library: projects, annual plans, stage events, signings, recognition, pre-review,
rule sets and approvals. Each function is atomic, checks the actor's scope and writes its audit rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu.accounts.scope import Perm, require_unit
from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.core.versioning import check_version
from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain, rollups
from diaodu.projects.models import (
    ApprovalItem,
    ApprovalStatus,
    ApprovalTemplate,
    MissingDocument,
    PreReview,
    Project,
    ProjectYear,
    Rule,
    RuleSet,
    Signing,
    StageEvent,
)
from diaodu.projects.services._common import WorkflowError, require_any_unit, require_config, today_for

PROJECT_FIELDS = (
    "name",
    "code",
    "investor_name",
    "investor_credit_code",
    "org_unit",
    "department",
    "leader",
    "leader_name",
    "level",
    "category",
    "industry_code",
    "chain",
    "total_investment_wan",
    "foreign_capital_wusd",
    "land_area_mu",
    "expected_sales_wan",
    "expected_tax_wan",
    "content",
    "planned_start",
    "planned_completion",
)
YEAR_FIELDS = (
    "is_new",
    "planned_investment_wan",
    "completed_before_wan",
    "planned_start_quarter",
    "is_key",
    "key_level",
    "milestones",
)
EDIT_PERMS = (Perm.ENTER_DATA, Perm.REVIEW_DATA)
ROLLUP_FIELDS = frozenset({"org_unit", "category", "chain", "total_investment_wan"})  # read by rollups.py


# ----------------------------------------------------------------------------- projects


def _clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_constraints=True)


@transaction.atomic
def create_project(
    *,
    actor: Any,
    org_unit: OrgUnit,
    name: str,
    total_investment_wan: Decimal,
    stage: str = domain.Stage.NEGOTIATING,
    stage_on: dt.date | None = None,
    **fields: Any,
) -> Project:
    """A new project in ``org_unit`` (the actor must be able to enter data there)."""
    require_unit(actor, org_unit.pk, Perm.ENTER_DATA)
    project = Project(
        org_unit=org_unit,
        name=name,
        total_investment_wan=total_investment_wan,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _clean(project, exclude=["created_by", "leader", "department"])
    project.save()
    record(actor=actor, action=AuditAction.CREATE, obj=project, after=snapshot(project, PROJECT_FIELDS))
    rollups.refresh([project.org_unit_id])
    if stage != domain.Stage.NEGOTIATING:
        record_stage(
            project, actor=actor, stage=stage, on=stage_on or timezone.localdate(), note="建档时的阶段"
        )
    return project


@transaction.atomic
def update_project(
    project: Project, *, actor: Any, expected_version: int | None = None, **changes: Any
) -> Project:
    """Change library fields (not the stage: use :func:`record_stage`). Moving a project to another unit
    needs the right to enter data in both."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    require_unit(actor, project.org_unit_id, Perm.ENTER_DATA)
    if "org_unit" in changes:
        require_unit(actor, changes["org_unit"].pk, Perm.ENTER_DATA)
    check_version(project, expected_version, str(project))
    before = snapshot(project, PROJECT_FIELDS)
    for key, value in changes.items():
        setattr(project, key, value)
    _clean(project, exclude=["created_by", "leader", "department"])
    b, a = changed(before, snapshot(project, PROJECT_FIELDS))
    if not a:
        return project
    project.version += 1
    project.save(update_fields=[*changes, "version", "updated_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=project, before=b, after=a)
    if ROLLUP_FIELDS & set(a):
        rollups.refresh(
            {project.org_unit_id, before["org_unit"]} if "org_unit" in a else [project.org_unit_id]
        )
    return project


@transaction.atomic
def set_project_year(project: Project, *, actor: Any, year: int, **values: Any) -> ProjectYear:
    """Create or update a project's plan for ``year``. Putting a project on (or off) the key list or
    changing its key level is the reviewing department's decision (审核权限)."""
    unknown = set(values) - set(YEAR_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    row = ProjectYear.objects.select_for_update().filter(project=project, year=year).first()
    creating = row is None
    if row is None:
        row = ProjectYear(project=project, year=year)
    before = snapshot(row, YEAR_FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    after = snapshot(row, YEAR_FIELDS)
    key_change = (before["is_key"], before["key_level"]) != (after["is_key"], after["key_level"])
    if key_change and (not creating or after["is_key"]):
        require_unit(actor, project.org_unit_id, Perm.REVIEW_DATA)
    if row.is_key and row.key_level == domain.Level.NONE:
        raise ValidationError({"key_level": "重点项目须选择层级（省级/市级/县级）。"})
    _clean(row, exclude=["project"])
    if creating:
        row.save()
        rollups.refresh([project.org_unit_id], [year])
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            org_unit_id=project.org_unit_id,
            after=after | {"year": year},
        )
        return row
    b, a = changed(before, after)
    if a:
        row.save(update_fields=list(a))
        rollups.refresh([project.org_unit_id], [year])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            org_unit_id=project.org_unit_id,
            before=b,
            after=a,
        )
    return row


# ----------------------------------------------------------------------------- lifecycle


def latest_prereview(project: Project) -> PreReview | None:
    return PreReview.objects.filter(project=project).order_by("-reviewed_at", "-pk").first()


def _signing_blocked(project: Project) -> bool:
    latest = latest_prereview(project)
    return latest is not None and domain.signing_blocked(latest.outcome, latest.overridden)


def transition_facts(project: Project, stage: str) -> domain.TransitionFacts:
    """What :func:`domain.transition_problems` needs to know about ``project`` for a move to ``stage``."""
    return domain.TransitionFacts(
        total_investment_wan=project.total_investment_wan,
        signing_blocked=stage == domain.Stage.SIGNED and _signing_blocked(project),
        resume_stage=project.resume_stage or None,
    )


@transaction.atomic
def record_stage(
    project: Project,
    *,
    actor: Any,
    stage: str,
    on: dt.date | None,
    note: str = "",
    today: dt.date | None = None,
) -> StageEvent:
    """Move the project to ``stage`` on ``on`` if the domain rule allows it; a dated, audited event."""
    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    facts = transition_facts(project, stage)
    problems = domain.transition_problems(project.stage, stage, on, facts, today=today_for(today))
    if problems:
        raise WorkflowError(problems)
    assert on is not None
    before = {"stage": project.stage, "stage_on": project.stage_on}
    event = StageEvent.objects.create(
        project=project,
        from_stage=project.stage,
        stage=stage,
        on=on,
        note=note.strip(),
        actor=actor if actor and actor.is_authenticated else None,
    )
    project.resume_stage = project.stage if stage == domain.Stage.SUSPENDED else ""
    project.stage, project.stage_on = stage, on
    project.version += 1
    project.save(update_fields=["stage", "stage_on", "resume_stage", "version", "updated_at"])
    rollups.refresh([project.org_unit_id])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        before=before,
        after={"stage": project.stage, "stage_on": project.stage_on},
        reason=note.strip(),
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        org_unit_id=project.org_unit_id,
        after=snapshot(event, ("from_stage", "stage", "on", "note")),
    )
    return event


@transaction.atomic
def record_signing(
    project: Project,
    *,
    actor: Any,
    on: dt.date,
    amount_wan: Decimal,
    kind: str = domain.SigningKind.INITIAL,
    investor_name: str = "",
    investor_credit_code: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Signing:
    """Record a signed agreement. Refused while the latest pre-review failed without override. A first
    signing moves a 在谈 project to 签约; a change of investor also updates the project's investor."""
    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    if _signing_blocked(project):
        raise WorkflowError("最近一次签约预审未通过且未经批准放行，不能登记签约。")
    if on > today_for(today):
        raise ValidationError({"on": "签约日期不能晚于今天。"})
    if amount_wan <= 0:
        raise ValidationError({"amount_wan": "签约金额应大于0。"})
    if kind != domain.SigningKind.INITIAL and not project.signings.exists():
        raise WorkflowError("项目尚未首次签约，不能登记增资或投资方变更。")
    signing = Signing(
        project=project,
        on=on,
        kind=kind,
        amount_wan=amount_wan,
        note=note.strip(),
        investor_name=investor_name or project.investor_name,
        investor_credit_code=investor_credit_code or project.investor_credit_code,
        actor=actor if actor and actor.is_authenticated else None,
    )
    _clean(signing, exclude=["project", "actor"])
    signing.save()
    rollups.refresh([project.org_unit_id])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=signing,
        org_unit_id=project.org_unit_id,
        after=snapshot(signing, ("on", "kind", "amount_wan", "investor_name", "investor_credit_code")),
    )
    if kind == domain.SigningKind.INVESTOR_CHANGE and investor_name:
        update_project(
            project, actor=actor, investor_name=investor_name, investor_credit_code=investor_credit_code
        )
    if project.stage == domain.Stage.NEGOTIATING:
        record_stage(project, actor=actor, stage=domain.Stage.SIGNED, on=on, note=note or "签约", today=today)
    return signing


@transaction.atomic
def recognise_project(project: Project, *, actor: Any, on: dt.date, note: str = "") -> Project:
    """认定: the higher-level platform or review panel recognised the signed project (reviewer only)."""
    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    require_unit(actor, project.org_unit_id, Perm.REVIEW_DATA)
    before = snapshot(project, ("recognised_on",))
    project.recognised_on = on
    project.save(update_fields=["recognised_on", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        before=before,
        after=snapshot(project, ("recognised_on",)),
        reason=note,
    )
    return project


# ----------------------------------------------------------------------------- pre-review


class RuleInput(NamedTuple):
    kind: str
    label: str = ""
    threshold: Decimal | None = None
    values: str = ""


@transaction.atomic
def save_ruleset(
    *, actor: Any, org_unit: OrgUnit, name: str, rules: Sequence[RuleInput], note: str = ""
) -> RuleSet:
    """A new version of the rule set ``name`` for ``org_unit``; the previous version is deactivated (kept for
    the pre-reviews that used it). Configuration administrators only."""
    require_config(actor)
    require_unit(actor, org_unit.pk, Perm.MANAGE_CONFIG)
    previous = (
        RuleSet.objects.select_for_update().filter(org_unit=org_unit, name=name).order_by("-version").first()
    )
    ruleset = RuleSet.objects.create(
        org_unit=org_unit, name=name, note=note, version=previous.version + 1 if previous else 1
    )
    built = []
    for i, r in enumerate(rules):
        rule = Rule(
            ruleset=ruleset, kind=r.kind, label=r.label, threshold=r.threshold, values=r.values, sort_order=i
        )
        rule.full_clean()
        built.append(rule)
    Rule.objects.bulk_create(built)
    if previous is not None:
        RuleSet.objects.filter(org_unit=org_unit, name=name, is_active=True).exclude(pk=ruleset.pk).update(
            is_active=False
        )
    record(
        actor=actor,
        action=AuditAction.CREATE if previous is None else AuditAction.UPDATE,
        obj=ruleset,
        before={"version": previous.version} if previous else None,
        after={"name": name, "version": ruleset.version, "note": note, "rules": [r._asdict() for r in rules]},
    )
    return ruleset


def applicable_ruleset(project: Project) -> RuleSet | None:
    """The active rule set of the nearest unit at or above the project's unit (park before zone before county)."""
    unit = project.org_unit
    ids = [int(p) for p in unit.path.strip("/").split("/") if p] or [unit.pk]
    sets = list(RuleSet.objects.filter(org_unit_id__in=ids, is_active=True).order_by("-version"))
    for unit_id in reversed(ids):
        for rs in sets:
            if rs.org_unit_id == unit_id:
                return rs
    return None


def profile_of(project: Project) -> domain.ProjectProfile:
    return domain.ProjectProfile(
        total_investment_wan=project.total_investment_wan,
        land_area_mu=project.land_area_mu,
        expected_tax_wan=project.expected_tax_wan,
        chain=project.chain,
        industry_code=project.industry_code,
    )


def results_json(results: Iterable[domain.RuleResult]) -> list[dict[str, Any]]:
    return [
        {
            "rule": r.rule_id,
            "kind": str(r.kind),
            "outcome": str(r.outcome),
            "value": None if r.value is None else str(r.value),
            "threshold": None if r.threshold is None else str(r.threshold),
            "explanation": r.explanation,
        }
        for r in results
    ]


@transaction.atomic
def run_prereview(
    project: Project, *, actor: Any, ruleset: RuleSet | None = None, ticks: dict[int, bool] | None = None
) -> PreReview:
    """Evaluate the project against its unit's rule set (or ``ruleset``) and store the result."""
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    ruleset = ruleset or applicable_ruleset(project)
    if ruleset is None:
        raise WorkflowError("该项目所在单位没有启用的签约预审规则。")
    rules = [r.spec() for r in ruleset.rules.all()]
    outcome, results = domain.evaluate_rules(rules, profile_of(project), ticks)
    review = PreReview.objects.create(
        project=project,
        ruleset=ruleset,
        outcome=outcome,
        results=results_json(results),
        reviewed_at=timezone.now(),
        reviewed_by=actor if actor and actor.is_authenticated else None,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        org_unit_id=project.org_unit_id,
        after={"ruleset": str(ruleset), "outcome": outcome, "results": review.results},
    )
    return review


@transaction.atomic
def override_prereview(review: PreReview, *, actor: Any, reason: str) -> PreReview:
    """批准放行 a failed pre-review: a reviewer above the project's unit, with a reason (audited)."""
    review = PreReview.objects.select_for_update(of=("self",)).select_related("project").get(pk=review.pk)
    project = review.project
    require_unit(actor, project.org_unit_id, Perm.REVIEW_DATA)
    if getattr(actor, "org_unit_id", None) == project.org_unit_id:
        raise PermissionDenied("项目所在单位不能自行放行预审。")
    if not reason.strip():
        raise ValidationError({"reason": "放行须填写理由。"})
    if review.outcome == domain.Outcome.PASS or review.overridden:
        raise WorkflowError("该预审无需放行。")
    fields = ("overridden", "override_reason", "overridden_by", "overridden_at")
    before = snapshot(review, fields)
    review.overridden, review.override_reason = True, reason.strip()
    review.overridden_by, review.overridden_at = actor, timezone.now()
    review.save(update_fields=list(fields))
    record(
        actor=actor,
        action=AuditAction.APPROVE,
        obj=review,
        org_unit_id=project.org_unit_id,
        before=before,
        after=snapshot(review, fields),
        reason=reason.strip(),
    )
    return review


# ----------------------------------------------------------------------------- approvals (云易办)

APPROVAL_FIELDS = ("status", "planned_on", "done_on", "lead_department")


@transaction.atomic
def apply_approval_template(project: Project, *, actor: Any) -> list[ApprovalItem]:
    """Copy the checklist of the project's category onto the project (items it already has are kept)."""
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    template = ApprovalTemplate.objects.filter(category=project.category).prefetch_related("items").first()
    if template is None:
        raise WorkflowError("该类项目尚未配置审批清单。")
    have = set(project.approvals.values_list("name", flat=True))
    items = [
        ApprovalItem(
            project=project,
            stage=t.stage,
            name=t.name,
            key=t.key,
            lead_department=t.lead_department,
            sort_order=t.sort_order,
        )
        for t in template.items.all()
        if t.name not in have
    ]
    ApprovalItem.objects.bulk_create(items)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=project,
        object_type="projects.approvalitem",
        object_id=str(project.pk),
        after={"template": template.name, "items": [i.name for i in items]},
    )
    return items


@transaction.atomic
def update_approval(item: ApprovalItem, *, actor: Any, **changes: Any) -> ApprovalItem:
    item = ApprovalItem.objects.select_for_update(of=("self",)).select_related("project").get(pk=item.pk)
    require_any_unit(actor, item.project.org_unit_id, EDIT_PERMS)
    if set(changes) - set(APPROVAL_FIELDS):
        raise ValueError("unknown approval fields")
    before = snapshot(item, APPROVAL_FIELDS)
    for key, value in changes.items():
        setattr(item, key, value)
    if item.status == ApprovalStatus.DONE and item.done_on is None:
        raise ValidationError({"done_on": "已办结的事项须填写办结日期。"})
    b, a = changed(before, snapshot(item, APPROVAL_FIELDS))
    if a:
        item.save(update_fields=list(changes))
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=item,
            org_unit_id=item.project.org_unit_id,
            before=b,
            after=a,
        )
    return item


@transaction.atomic
def accept_with_missing_documents(
    item: ApprovalItem, *, actor: Any, documents: Sequence[tuple[str, dt.date]]
) -> list[MissingDocument]:
    """容缺受理: accept the case now against a written undertaking listing each missing document and its due date."""
    item = ApprovalItem.objects.select_for_update(of=("self",)).select_related("project").get(pk=item.pk)
    require_any_unit(actor, item.project.org_unit_id, EDIT_PERMS)
    if not documents:
        raise ValidationError({"documents": "容缺受理须列明缺少的材料及补齐日期。"})
    docs = MissingDocument.objects.bulk_create(
        [MissingDocument(approval=item, name=name, due_on=due) for name, due in documents]
    )
    before = snapshot(item, ("status",))
    item.status = ApprovalStatus.ACCEPTED_PENDING_DOCS
    item.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        org_unit_id=item.project.org_unit_id,
        before=before,
        after={"status": item.status, "missing_documents": [[n, d] for n, d in documents]},
    )
    return docs


@transaction.atomic
def supply_document(doc: MissingDocument, *, actor: Any, on: dt.date) -> MissingDocument:
    doc = (
        MissingDocument.objects.select_for_update(of=("self",))
        .select_related("approval__project")
        .get(pk=doc.pk)
    )
    project = doc.approval.project
    require_any_unit(actor, project.org_unit_id, EDIT_PERMS)
    if doc.approval.status == ApprovalStatus.TERMINATED:
        raise WorkflowError("该事项已因逾期未补齐材料而终止，请重新申报。")
    before = snapshot(doc, ("supplied_on",))
    doc.supplied_on = on
    doc.save(update_fields=["supplied_on"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=doc,
        org_unit_id=project.org_unit_id,
        before=before,
        after=snapshot(doc, ("supplied_on",)),
    )
    if not doc.approval.missing_documents.filter(supplied_on__isnull=True).exists():
        update_approval(doc.approval, actor=actor, status=ApprovalStatus.IN_PROGRESS)
    return doc


@transaction.atomic
def terminate_overdue_cases(
    *, actor: Any, today: dt.date | None = None, grace_workdays: int = 0
) -> list[ApprovalItem]:
    """Terminate every 容缺 case the actor may change whose missing documents are past due (domain rule)."""
    day = today_for(today)
    items = (
        ApprovalItem.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(status=ApprovalStatus.ACCEPTED_PENDING_DOCS)
        .select_related("project")
        .prefetch_related("missing_documents")
    )
    ended = []
    for item in items:
        docs = [(d.due_on, d.supplied_on) for d in item.missing_documents.all()]
        if domain.case_to_terminate(docs, day, grace_workdays):
            item.status = ApprovalStatus.TERMINATED
            item.save(update_fields=["status"])
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=item,
                org_unit_id=item.project.org_unit_id,
                before={"status": ApprovalStatus.ACCEPTED_PENDING_DOCS},
                after={"status": item.status},
                reason="容缺材料逾期未补齐，终止办理",
            )
            ended.append(item)
    return ended
