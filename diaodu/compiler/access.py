"""Access helpers: 404 for what a user may not see, 403 for what the user may see but not compile."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from diaodu.accounts.scope import has_perm
from diaodu.compiler.models import ExtractedItem, SourceDocument
from diaodu.compiler.querysets import COMPILE_PERMS, COMPILER_READ_PERMS
from diaodu.orgunits.models import OrgUnit


def can_compile(user: Any) -> bool:
    """True if the user may compile documents for at least one unit (shows the entry points)."""
    return any(has_perm(user, p) for p in COMPILE_PERMS)


def can_read(user: Any) -> bool:
    return any(has_perm(user, p) for p in COMPILER_READ_PERMS)


def compilable_units(user: Any) -> Any:
    return OrgUnit.objects.restrict(user, COMPILE_PERMS).internal()


def require_compile(user: Any, unit_id: int | None) -> None:
    """PermissionDenied unless ``user`` may compile for org unit ``unit_id``."""
    if unit_id is None or not compilable_units(user).filter(pk=unit_id).exists():
        raise PermissionDenied


def get_document_for_user(user: Any, pk: int, *, write: bool = False) -> SourceDocument:
    document = (
        SourceDocument.objects.visible_to(user).select_related("plan", "org_unit").filter(pk=pk).first()
    )
    if document is None:
        raise Http404
    if write:
        require_compile(user, document.org_unit_id)
    return document


def get_item_for_user(user: Any, pk: int, *, write: bool = False) -> ExtractedItem:
    item = (
        ExtractedItem.objects.visible_to(user)
        .select_related(
            "document__plan", "document__org_unit", "indicator", "relative_to", "scope_unit", "target"
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    if write:
        require_compile(user, item.document.org_unit_id)
    return item
