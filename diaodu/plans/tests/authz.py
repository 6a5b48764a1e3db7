"""Authorization rows of the plans API (pages are in ``authz_pages.py``).

Scope recap: leader reads everything; fgw/tjj read and review everything; county enters data for every unit;
yishan/yangji/lingang/kaifaqu enter data for their own subtree; the three administrators hold no data
permission (403 on every data endpoint); outside the scope → 404; visible but not allowed → 403.
"""

from diaodu.core.testing.authz import ADMINS, REVIEWERS, YANGJI, YISHAN, Case, each

DATA_READERS_OK = {"anonymous": 401, **each(ADMINS, 403)}  # everyone else: 200

# Yangji's objects: invisible to the other towns and the zones.
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)
YISHAN_INVISIBLE = each(("yangji", "lingang", "kaifaqu"), 404)

CASES = [
    Case("api:indicators", expect={"anonymous": 401, "secadmin": 403, "auditadmin": 403}, default=200),
    Case("api:targets", expect=DATA_READERS_OK, default=200),
    Case(
        "api:targets",
        data=lambda w: {"year": w.year, "as_of": f"{w.year}-06", "unit": YANGJI},
        expect=DATA_READERS_OK | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("api:actuals", expect=DATA_READERS_OK, default=200),
    Case(
        "api:actuals",
        data={"unit": YANGJI},
        expect=DATA_READERS_OK | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "api:actual_detail",
        kwargs=lambda w: {"actual_id": w.draft_yangji.pk},
        expect=DATA_READERS_OK | YANGJI_INVISIBLE,
        default=200,
    ),
    Case(
        "api:actual_save",
        method="POST",
        json=True,
        data=lambda w: {
            "indicator": w.revenue.code,
            "unit": YISHAN,
            "year": w.year,
            "month": 4,
            "ytd_value": "1.5",
        },
        expect={"anonymous": 401, "yishan": 200, "county": 200, **YISHAN_INVISIBLE},
        default=403,
        note="new month",
    ),
    Case(
        "api:actual_save",
        method="POST",
        json=True,
        data=lambda w: {
            "indicator": w.revenue.code,
            "unit": YISHAN,
            "year": w.year,
            "month": 1,
            "ytd_value": "9",
        },
        expect={"anonymous": 401, "yishan": 422, "county": 422, **YISHAN_INVISIBLE},
        default=403,
        note="approved month is locked",
    ),
    Case(
        "api:actual_submit",
        method="POST",
        kwargs=lambda w: {"actual_id": w.draft_yishan.pk},
        expect={"anonymous": 401, "yishan": 200, "county": 200, **YISHAN_INVISIBLE},
        default=403,
    ),
    Case(
        "api:actual_return",
        method="POST",
        json=True,
        kwargs=lambda w: {"actual_id": w.submitted_yishan.pk},
        data={"comment": "累计值与财政月报不符"},
        expect={"anonymous": 401, **each(REVIEWERS, 200), **YISHAN_INVISIBLE},
        default=403,
    ),
    Case(
        "api:actual_approve",
        method="POST",
        json=True,
        kwargs=lambda w: {"actual_id": w.submitted_yangji.pk},
        data={},
        expect={"anonymous": 401, **each(REVIEWERS, 200), **YANGJI_INVISIBLE},
        default=403,
    ),
    Case(
        "api:actual_approve",
        method="POST",
        json=True,
        kwargs=lambda w: {"actual_id": w.draft_yangji.pk},
        data={},
        expect={"anonymous": 401, **each(REVIEWERS, 422), **YANGJI_INVISIBLE},
        default=403,
        note="a draft cannot be approved",
    ),
    Case(
        "api:actual_reopen",
        method="POST",
        json=True,
        kwargs=lambda w: {"actual_id": w.approved_yishan.pk},
        data={"reason": "统计局修订了1月数据"},
        expect={"anonymous": 401, **each(REVIEWERS, 200), **YISHAN_INVISIBLE},
        default=403,
    ),
]
