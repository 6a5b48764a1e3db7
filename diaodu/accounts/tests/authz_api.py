"""Authorization rows of the API-wide routes: docs, root, who-am-I and personal tokens."""

from diaodu.core.testing.authz import Case

CASES = [
    Case("api:api-root", default=404),  # ninja's root placeholder: a 404 that names the docs URL
    Case("api:openapi-view", expect={"anonymous": 302}, default=200),  # docs need a login
    Case("api:openapi-json", expect={"anonymous": 302}, default=200),
    Case("api:me", expect={"anonymous": 401}, default=200),
    Case(
        "api:token_issue",
        method="POST",
        json=True,
        data={"name": "月报导入脚本"},
        expect={"anonymous": 401},
        default=201,
    ),
]
