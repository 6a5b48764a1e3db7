"""Authorization rows of the cockpit pages. Administrators hold no data permission (403); a unit outside
the user's scope is 404; anonymous users are sent to the login page (302)."""

from diaodu.core.testing.authz import ADMINS, YANGJI, Case, each

READERS = {"anonymous": 302, **each(ADMINS, 403)}  # everyone else: 200
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)

CASES = [
    Case("cockpit:home", expect=READERS, default=200),
    Case(
        "cockpit:home",
        data={"unit": YANGJI, "month": "2025-06", "below": "1"},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("cockpit:home", data={"unit": "320703"}, expect=READERS, default=404, note="external peer unit"),
    Case("cockpit:indicator", kwargs={"code": "authz-revenue"}, expect=READERS, default=200),
    Case(
        "cockpit:indicator",
        kwargs={"code": "authz-revenue"},
        data={"unit": YANGJI},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "cockpit:indicator",
        kwargs={"code": "no-such-indicator"},
        expect=READERS,
        default=404,
        note="unknown indicator",
    ),
]

# The overview additions: a project outside the scope (or missing) is 404; the big screen follows the home page.
CASES += [
    Case("cockpit:project", kwargs={"pk": 999999}, expect=READERS, default=404, note="no such project"),
    Case("cockpit:screen", expect=READERS, default=200),
    Case(
        "cockpit:screen",
        data={"unit": YANGJI},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("cockpit:screen", data={"unit": "320703"}, expect=READERS, default=404, note="external peer unit"),
]
