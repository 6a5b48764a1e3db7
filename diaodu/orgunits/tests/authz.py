"""Authorization rows of the org-unit API."""

from diaodu.core.testing.authz import Case

CASES = [
    Case(
        "api:orgunits",
        expect={"anonymous": 401, "secadmin": 403, "auditadmin": 403},
        default=200,  # data users in their scope; the system administrator maintains units
    ),
]
