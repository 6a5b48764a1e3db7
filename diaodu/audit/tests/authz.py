"""Authorization rows of the audit page: only the audit administrator (三员分立)."""

from diaodu.core.testing.authz import Case

CASES = [
    Case("audit:list", expect={"anonymous": 302, "auditadmin": 200}, default=403),
    Case(
        "audit:list",
        data={"action": "login", "success": "1", "date_from": "2025-01-01"},
        expect={"anonymous": 302, "auditadmin": 200},
        default=403,
        note="filtered",
    ),
]
