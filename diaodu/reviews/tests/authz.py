"""Authorization rows of the reviews pages. Data readers see rankings, forecasts, 实干指数 and the published sessions
in their scope; administrators hold no data permission (403); peers' figures are entered by reviewers (fgw, tjj:
the "all units" scope covers the external peers); a missing or invisible session is 404."""

from diaodu.core.testing.authz import ADMINS, REVIEWERS, Case, each

READERS = {"anonymous": 302, **each(ADMINS, 403)}  # everyone else: 200
PEER_ENTERERS = {"anonymous": 302, **each(REVIEWERS, 200)}  # everyone else: 403
NO_SESSION = {"anonymous": 302}  # everyone else: 404 (no session 999999)

CASES = [
    Case("reviews:index", expect=READERS, default=200),
    Case("reviews:rankings", expect=READERS, default=200),
    Case(
        "reviews:rankings",
        data={"group": "lyg-counties", "indicator": "authz-gdp", "month": "2025-01"},
        expect=READERS,
        default=200,
        note="peer group",
    ),
    Case("reviews:forecast", expect=READERS, default=200),
    Case("reviews:forecast", data={"unit": "320703"}, expect=READERS, default=404, note="external peer unit"),
    Case("reviews:shigan", expect=READERS, default=200),
    Case("reviews:peers", expect=PEER_ENTERERS, default=403),
    Case(
        "reviews:peers",
        method="POST",
        data={"org_unit": "320722", "indicator": "authz-gdp", "month": "2025-13"},
        expect=PEER_ENTERERS,
        default=403,
        note="invalid month: form shown again",
    ),
    Case("reviews:session", kwargs={"pk": 999999}, expect=READERS, default=404),
    Case("reviews:session_scores", method="POST", kwargs={"pk": 999999}, expect=NO_SESSION, default=404),
    Case("reviews:session_publish", method="POST", kwargs={"pk": 999999}, expect=NO_SESSION, default=404),
    Case("reviews:session_comment", method="POST", kwargs={"pk": 999999}, expect=NO_SESSION, default=404),
]
