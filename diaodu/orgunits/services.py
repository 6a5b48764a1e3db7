"""Org-unit writes. Seeding is idempotent and audited like any other change."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from diaodu.audit.models import AuditAction
from diaodu.audit.services import changed, record, snapshot
from diaodu.orgunits import guanyun
from diaodu.orgunits.models import OrgUnit, PeerGroup

SEED_FIELDS = ("name", "short_name", "kind", "parent", "admin_code", "stat_code", "is_external", "sort_order")


def _path_for(unit: OrgUnit) -> str:
    prefix = unit.parent.path if unit.parent_id and unit.parent else "/"
    return f"{prefix}{unit.pk}/"


@transaction.atomic
def upsert_unit(*, actor: Any, code: str, **values: Any) -> tuple[OrgUnit, bool]:
    """Create or update one unit by code; returns (unit, changed)."""
    unit = OrgUnit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        unit = OrgUnit.objects.create(code=code, **values)
        unit.path = _path_for(unit)
        unit.save(update_fields=["path"])
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=unit,
            org_unit_id=unit.pk,
            after=snapshot(unit, SEED_FIELDS) | {"code": code},
        )
        return unit, True
    before = snapshot(unit, SEED_FIELDS)
    for key, value in values.items():
        setattr(unit, key, value)
    after = snapshot(unit, SEED_FIELDS)
    if before == after:
        return unit, False
    unit.path = _path_for(unit)
    unit.save()
    b, a = changed(before, after)
    record(actor=actor, action=AuditAction.UPDATE, obj=unit, org_unit_id=unit.pk, before=b, after=a)
    return unit, True


@transaction.atomic
def seed_guanyun(*, actor: Any = None) -> int:
    """Load Guanyun's org-unit tree and the Lianyungang peer group; returns the number of changes."""
    changes = 0
    by_code: dict[str, OrgUnit] = {}
    for order, seed in enumerate(guanyun.guanyun_units() + guanyun.peer_units()):
        unit, did = upsert_unit(
            actor=actor,
            code=seed.code,
            name=seed.name,
            short_name=seed.short_name,
            kind=seed.kind,
            parent=by_code[seed.parent] if seed.parent else None,
            admin_code=seed.admin_code,
            stat_code=seed.stat_code,
            is_external=seed.is_external,
            sort_order=order,
        )
        by_code[seed.code] = unit
        changes += did
    group, created = PeerGroup.objects.get_or_create(
        code=guanyun.PEER_GROUP_CODE, defaults={"name": guanyun.PEER_GROUP_NAME}
    )
    members = [by_code[code] for code, _n, _s in guanyun.PEERS] + [by_code[guanyun.COUNTY]]
    current = set(group.members.values_list("pk", flat=True))
    if created or current != {m.pk for m in members}:
        group.members.set(members)
        record(
            actor=actor,
            action=AuditAction.UPDATE if not created else AuditAction.CREATE,
            obj=group,
            after={"members": sorted(m.code for m in members)},
        )
        changes += 1
    return changes
