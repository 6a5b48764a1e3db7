"""Every write to projects, plans, stages, signings, pre-reviews, approvals and monthly reports.

Each function is atomic, checks the actor's data scope and writes its audit rows inside the transaction.
"""

from diaodu.projects.services._common import WorkflowError
from diaodu.projects.services.bulk import (
    ProjectImport,
    ReportImport,
    import_approved_reports,
    import_projects,
)
from diaodu.projects.services.dispatch import DispatchRow, SheetErrors, save_dispatch, save_report_row
from diaodu.projects.services.projects import (
    RuleInput,
    accept_with_missing_documents,
    applicable_ruleset,
    apply_approval_template,
    create_project,
    latest_prereview,
    override_prereview,
    recognise_project,
    record_signing,
    record_stage,
    run_prereview,
    save_ruleset,
    set_project_year,
    supply_document,
    terminate_overdue_cases,
    update_approval,
    update_project,
)
from diaodu.projects.services.reports import (
    BlockerInput,
    approve_report,
    lock_period,
    reopen_report,
    return_report,
    save_report,
    submit_report,
)

__all__ = [
    "BlockerInput",
    "DispatchRow",
    "ProjectImport",
    "ReportImport",
    "RuleInput",
    "SheetErrors",
    "WorkflowError",
    "accept_with_missing_documents",
    "applicable_ruleset",
    "apply_approval_template",
    "approve_report",
    "create_project",
    "import_approved_reports",
    "import_projects",
    "latest_prereview",
    "lock_period",
    "override_prereview",
    "recognise_project",
    "record_signing",
    "record_stage",
    "reopen_report",
    "return_report",
    "run_prereview",
    "save_dispatch",
    "save_report",
    "save_report_row",
    "save_ruleset",
    "set_project_year",
    "submit_report",
    "supply_document",
    "terminate_overdue_cases",
    "update_approval",
    "update_project",
]
