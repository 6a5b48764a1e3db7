"""Authorization rows of the login/logout pages and the language switch."""

from diaodu.core.testing.authz import Case

CASES = [
    Case("accounts:login", expect={"anonymous": 200}, default=302, note="signed-in users go to the cockpit"),
    Case("accounts:login", method="POST", data={"username": "nobody", "password": "wrong-password"},
         default=200, note="failed login re-renders"),
    Case("accounts:logout", method="POST", default=302),
    Case("accounts:logout", default=405, note="GET"),
    Case("set_language", method="POST", data={"language": "en", "next": "/"}, default=302),
]
