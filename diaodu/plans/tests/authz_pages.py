"""Authorization rows of the plans pages (data entry, review, targets). The API rows are in ``authz.py``."""

from diaodu.core.testing.authz import ADMINS, REVIEWERS, YANGJI, Case, each

ANON = {"anonymous": 302}
NOT_ENTERING = each(("leader", *REVIEWERS, *ADMINS), 403)
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)
# Review actions on 杨集镇's months: reviewers act (302 back to the queue); readers without the review
# permission get 403; units that cannot see 杨集镇 (and the administrators, who see no data) get 404.
REVIEW_ACTION = ANON | each(REVIEWERS, 302) | YANGJI_INVISIBLE | each(ADMINS, 404)

CASES = [
    Case("plans:targets", expect=ANON | each(ADMINS, 403), default=200),
    Case("plans:entry", expect=ANON | NOT_ENTERING, default=200),
    Case(
        "plans:entry",
        data={"unit": YANGJI, "month": "2025-03"},
        expect=ANON | NOT_ENTERING | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "plans:entry",
        method="POST",
        data={"action": "save:authz-revenue", "authz-revenue-ytd_value": "1.5"},
        expect=ANON | NOT_ENTERING | each(("yishan", "yangji"), 302),
        default=200,
        note="own unit (towns save; units without targets re-render)",
    ),
    Case("plans:review", expect=ANON | each(REVIEWERS, 200), default=403),
    Case(
        "plans:actual_approve",
        method="POST",
        kwargs=lambda w: {"pk": w.submitted_yangji.pk},
        expect=REVIEW_ACTION,
        default=403,
    ),
    Case(
        "plans:actual_return",
        method="POST",
        kwargs=lambda w: {"pk": w.submitted_yangji.pk},
        data={"comment": "请核实口径"},
        expect=REVIEW_ACTION,
        default=403,
    ),
    Case(
        "plans:actual_reopen",
        method="POST",
        kwargs=lambda w: {"pk": w.approved_yangji.pk},
        data={"reason": "统计局修订数据"},
        expect=REVIEW_ACTION,
        default=403,
    ),
    Case("plans:actual_approve", kwargs=lambda w: {"pk": w.submitted_yangji.pk}, default=405, note="GET"),
]
