"""Authorization rows of the briefing download. Administrators hold no data permission (403); a unit outside
the user's scope is 404 (a town officer cannot get the county's or another town's briefing); anonymous users are
sent to the login page (302). Review documents are tested with real sessions in test_review.py."""

from diaodu.core.testing.authz import ADMINS, COUNTY, YANGJI, Case, each

READERS = {"anonymous": 302, **each(ADMINS, 403)}
COUNTY_INVISIBLE = each(("yishan", "yangji", "lingang", "kaifaqu"), 404)
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)

CASES = [
    Case(
        "reports:briefing",
        data={"unit": YANGJI, "month": "2025-06"},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "reports:briefing",
        data={"unit": COUNTY, "month": "2025-06"},
        expect=READERS | COUNTY_INVISIBLE,
        default=200,
        note="unit=灌云县",
    ),
    Case("reports:briefing", data={"unit": "320703"}, expect=READERS, default=404, note="external peer unit"),
    Case(
        "reports:briefing",
        data={"unit": YANGJI, "format": "xls"},
        expect=READERS,
        default=404,
        note="unknown format",
    ),
    Case("reports:review", kwargs={"pk": 999999}, expect=READERS, default=404, note="no such session"),
]
