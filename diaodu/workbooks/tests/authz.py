"""Authorization rows of the Excel pages. Exports follow their page (same access helpers); imports need the
data-entry permission; an import job is seen only by its uploader (404 for everyone else)."""

from __future__ import annotations

from typing import Any

from diaodu.core.testing.authz import ADMINS, ALL_PERSONAS, REVIEWERS, YANGJI, Case, World, each
from diaodu.workbooks.tests.books import xlsx

ANON = {"anonymous": 302}
NOT_ENTERING = each(("leader", *REVIEWERS, *ADMINS, "dcs"), 403)
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)
READERS = ANON | each(ADMINS, 403)
ONLY_YISHAN = {**dict.fromkeys(ALL_PERSONAS, 404), **ANON, "yishan": 200}


def _job(world: World) -> dict[str, Any]:
    from diaodu.workbooks.models import ImportJob

    data = xlsx(
        {
            "实绩": [
                ["填报单位", "月份", "指标名称", "累计值"],
                ["伊山镇", "2025-04", "测试一般公共预算收入", "x"],
            ]
        }
    )
    job = ImportJob.objects.create(
        kind="actuals",
        user=world.users["yishan"],
        filename="实绩.xlsx",
        data=data,
        status="checked",
        result={"summary": {"errors": []}},
    )
    return {"pk": job.pk}


CASES = [
    Case("workbooks:upload", kwargs={"kind": "actuals"}, expect=ANON | NOT_ENTERING, default=200),
    Case(
        "workbooks:upload",
        kwargs={"kind": "actuals"},
        method="POST",
        data={"mode": "atomic"},
        expect=ANON | NOT_ENTERING,
        default=200,
        note="no file: the form again",
    ),
    Case("workbooks:upload", kwargs={"kind": "no-such-kind"}, expect=ANON, default=404, note="unknown kind"),
    Case("workbooks:job", kwargs=_job, expect=ONLY_YISHAN),
    Case("workbooks:errors", kwargs=_job, expect=ONLY_YISHAN),
    Case(
        "workbooks:commit",
        method="POST",
        kwargs=_job,
        data={"mode": "atomic"},
        expect={**ONLY_YISHAN, "yishan": 302},
    ),
    Case("workbooks:commit", kwargs=_job, expect={"anonymous": 405}, default=405, note="GET"),
    Case("workbooks:export", kwargs={"kind": "targets"}, expect=READERS, default=200, note="targets"),
    Case("workbooks:export", kwargs={"kind": "actuals"}, expect=READERS, default=200, note="actuals"),
    Case(
        "workbooks:export",
        kwargs={"kind": "actuals"},
        data={"unit": YANGJI},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="actuals unit=杨集镇",
    ),
    Case(
        "workbooks:export",
        kwargs={"kind": "cockpit"},
        data={"unit": YANGJI, "month": "2025-06", "below": "1"},
        expect=READERS | YANGJI_INVISIBLE,
        default=200,
        note="cockpit unit=杨集镇",
    ),
    Case("workbooks:export", kwargs={"kind": "entry"}, expect=ANON | NOT_ENTERING, default=200, note="entry"),
    Case(
        "workbooks:export",
        kwargs={"kind": "entry"},
        data={"unit": YANGJI, "month": "2025-03"},
        expect=ANON | NOT_ENTERING | YANGJI_INVISIBLE,
        default=200,
        note="entry unit=杨集镇",
    ),
    Case(
        "workbooks:export",
        kwargs={"kind": "review"},
        expect=ANON | each(REVIEWERS, 200),
        default=403,
        note="review",
    ),
    Case("workbooks:export", kwargs={"kind": "no-such-kind"}, expect=ANON, default=404, note="unknown kind"),
    Case(
        "workbooks:template",
        kwargs={"kind": "actuals"},
        data={"unit": YANGJI, "month": "2025-03"},
        expect=ANON | NOT_ENTERING | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "workbooks:template", kwargs={"kind": "no-such-kind"}, expect=ANON, default=404, note="unknown kind"
    ),
]
