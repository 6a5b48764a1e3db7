"""Scoped querysets of the projects app: every list, detail, export and write check goes through these."""

from __future__ import annotations

from diaodu.accounts.scope import ScopedQuerySet


class ProjectQuerySet(ScopedQuerySet):
    unit_field = "org_unit"


class ProjectChildQuerySet(ScopedQuerySet):
    """Rows that belong to a project (years, events, signings, pre-reviews, approvals, blockers)."""

    unit_field = "project__org_unit"


class MonthlyReportQuerySet(ScopedQuerySet):
    unit_field = "project__org_unit"
    owner_field = "created_by"


class MissingDocumentQuerySet(ScopedQuerySet):
    unit_field = "approval__project__org_unit"


class RuleSetQuerySet(ScopedQuerySet):
    unit_field = "org_unit"
