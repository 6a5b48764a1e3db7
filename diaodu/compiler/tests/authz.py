"""Authorization rows of the policy compiler pages.

Compile (upload, edit, accept, discard, restore, export) = REVIEW_DATA or MANAGE_CONFIG on the document's unit:
fgw, tjj (reviewers, whole county) and sysadmin. Reading a county document = reading county data: leader, dcs and
the county officer get 200 on pages and 403 on every write; towns and zones cannot see it (404); the security and
audit administrators hold no data permission (403 on lists, 404 on objects).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.core.testing.authz import (
    ADMINS,
    COUNTY,
    REVIEWERS,
    TOWN_OFFICERS,
    ZONE_OFFICERS,
    Case,
    World,
    each,
)

COMPILERS = (*REVIEWERS, "sysadmin")
ANON = {"anonymous": 302}
NO_DATA_ADMINS = ("secadmin", "auditadmin")
INVISIBLE = each((*TOWN_OFFICERS, *ZONE_OFFICERS, *NO_DATA_ADMINS), 404)
READ_ONLY = each(("leader", "county"), 403)


def _item(w: World, status: str = "pending") -> Any:
    from diaodu.compiler.models import ExtractedItem, SourceDocument

    doc = SourceDocument.objects.create(
        title="县委书记讲话",
        filename="讲话.txt",
        text="全县地区生产总值增长7%以上。",
        sha256="",
        year=w.year,
        plan=w.plan,
        org_unit=w.units[COUNTY],
    )
    return ExtractedItem.objects.create(
        document=doc,
        position=0,
        start=2,
        quote="地区生产总值增长7%以上",
        extracted={},
        kind="target",
        indicator_name="地区生产总值",
        measure="growth",
        value=7,
        unit="%",
        comparator=">=",
        level="plain",
        indicator=w.gdp,
        status=status,
    )


def _doc(w: World) -> dict[str, int]:
    return {"pk": _item(w).document_id}


def _pending(w: World) -> dict[str, int]:
    return {"pk": _item(w).pk}


def _discarded(w: World) -> dict[str, int]:
    return {"pk": _item(w, "discarded").pk}


def _upload(w: World) -> dict[str, Any]:
    text = "一、主要目标\n全县地区生产总值增长7%以上，一般公共预算收入增长2%以上。\n"
    return {"file": SimpleUploadedFile("讲话.txt", text.encode()), "plan": str(w.plan.pk)}


WRITE = ANON | each(COMPILERS, 302) | READ_ONLY | INVISIBLE

PAGE_CASES = [
    Case("compiler:documents", expect=ANON | each(NO_DATA_ADMINS, 403), default=200),
    Case("compiler:upload", expect=ANON | each(COMPILERS, 200), default=403),
    Case(
        "compiler:upload",
        method="POST",
        data=_upload,
        expect=ANON | each(COMPILERS, 302),
        default=403,
        note="a .txt into the world's plan",
    ),
    Case("compiler:document", kwargs=_doc, expect=ANON | INVISIBLE, default=200),
    Case(
        "compiler:export",
        kwargs=_doc,
        expect=ANON | each(COMPILERS, 200) | READ_ONLY | INVISIBLE,
        default=403,
    ),
    Case(
        "compiler:item_edit",
        kwargs=_pending,
        expect=ANON | each(COMPILERS, 200) | READ_ONLY | INVISIBLE,
        default=403,
    ),
    Case(
        "compiler:item_edit",
        method="POST",
        kwargs=_pending,
        data={},
        expect=ANON | each(COMPILERS, 200) | READ_ONLY | INVISIBLE,
        default=403,
        note="invalid form is shown again",
    ),
    Case("compiler:item_accept", method="POST", kwargs=_pending, expect=WRITE, default=403),
    Case("compiler:item_discard", method="POST", kwargs=_pending, expect=WRITE, default=403),
    Case("compiler:item_restore", method="POST", kwargs=_discarded, expect=WRITE, default=403),
    Case("compiler:item_accept", kwargs=_pending, default=405, note="GET"),
]

assert not set(ADMINS) - {"sysadmin", *NO_DATA_ADMINS}
