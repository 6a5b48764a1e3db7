"""Who may see and who may compile (编译) plan prose into targets.

Decision (documented in the issue and the authorization rows):

- **Compile** (upload, edit, accept, discard, export) needs :attr:`Perm.REVIEW_DATA` (发改委/统计局 reviewers, who
  own the annual plan) or :attr:`Perm.MANAGE_CONFIG` (the system administrator, who loads plan files) on the
  document's org unit — the unit of the plan its items go into — and, when accepting, on the unit the target is
  for.
- **Read** a document and its items: whoever may read the unit's data (``READ_PERMS``) or compile there. The
  county leader sees the drafts read-only (403 on every write); a town officer cannot see a county document (404).
"""

from __future__ import annotations

from typing import Any, Self

from diaodu.accounts.scope import READ_PERMS, Perm, ScopedQuerySet

COMPILE_PERMS: tuple[Perm, ...] = (Perm.REVIEW_DATA, Perm.MANAGE_CONFIG)
COMPILER_READ_PERMS: tuple[Perm, ...] = (*READ_PERMS, Perm.MANAGE_CONFIG)


class SourceDocumentQuerySet(ScopedQuerySet):
    unit_field = "org_unit"

    def visible_to(self, user: Any) -> Self:
        return self.restrict(user, COMPILER_READ_PERMS)

    def compilable_by(self, user: Any) -> Self:
        return self.restrict(user, COMPILE_PERMS)


class ExtractedItemQuerySet(ScopedQuerySet):
    unit_field = "document__org_unit"

    def visible_to(self, user: Any) -> Self:
        return self.restrict(user, COMPILER_READ_PERMS)

    def compilable_by(self, user: Any) -> Self:
        return self.restrict(user, COMPILE_PERMS)
