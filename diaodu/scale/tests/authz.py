"""Authorization rows of the health and readiness endpoints: anyone (load balancers are anonymous) gets 200."""

from diaodu.core.testing.authz import Case

CASES = [
    Case("health:healthz", default=200),
    Case("health:readyz", default=200),
]
