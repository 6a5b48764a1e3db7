"""Authorization rows of the project pages (``PAGE_CASES``) and API (``CASES``).

Each row's objects are created inside its rolled-back savepoint (the kwargs/data callables run there): a project of
杨集镇 (signed, with a 2025 plan), its reports in the state the step needs, a failed pre-review. Scope recap: the
county leader and dcs read everything; fgw/tjj read and review everything; county enters data everywhere;
yishan/yangji/lingang/kaifaqu enter data in their own subtree; the three administrators hold no data permission
(403); outside the scope → 404; visible but not allowed → 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from diaodu.core.testing.authz import ADMINS, REVIEWERS, YANGJI, Case, World, each

ANON_PAGE = {"anonymous": 302}
PAGE_READERS = ANON_PAGE | each(ADMINS, 403)  # everyone else: 200
API_READERS = {"anonymous": 401, **each(ADMINS, 403)}
YANGJI_INVISIBLE = each(("yishan", "lingang", "kaifaqu"), 404)
NOT_ENTERING = each(("leader", *REVIEWERS, *ADMINS), 403)
# Review actions on 杨集镇's reports through the pages: reviewers act (302 back to the queue); readers without the
# review permission get 403; units that cannot see 杨集镇 (and the administrators, who see no data) get 404.
PAGE_REVIEW = ANON_PAGE | each(REVIEWERS, 302) | YANGJI_INVISIBLE | each(ADMINS, 404)
API_ENTER = {
    "anonymous": 401,
    "yangji": 200,
    "county": 200,
    **YANGJI_INVISIBLE,
    **each(ADMINS, 403),
}  # else 403
API_REVIEW = {"anonymous": 401, **each(REVIEWERS, 200), **YANGJI_INVISIBLE, **each(ADMINS, 403)}  # else 403


def project(w: World, unit: Any = None, **fields: Any) -> Any:
    from diaodu.projects.models import Project, ProjectYear

    p = Project.objects.create(
        name="杨集镇智能装备项目（授权测试）",
        org_unit=unit or w.yangji,
        total_investment_wan=Decimal(50_000),
        stage=fields.pop("stage", "signed"),
        stage_on=dt.date(2025, 1, 10),
        **fields,
    )
    ProjectYear.objects.create(project=p, year=2025, planned_investment_wan=Decimal(12_000))
    return p


def report(w: World, status: str, month: int = 2) -> Any:
    from diaodu.projects.models import MonthlyReport

    officer = w.users["yangji"]
    submitted = status != "draft"
    return MonthlyReport.objects.create(
        project=project(w),
        year=2025,
        month=month,
        month_wan=Decimal(800),
        ytd_wan=Decimal(800),
        progress="主体结构施工（授权测试）",
        status=status,
        created_by=officer,
        submitted_by=officer if submitted else None,
        submitted_at=timezone.now() if submitted else None,
        reviewed_by=w.users["tjj"] if status == "approved" else None,
    )


def failed_prereview(w: World) -> dict[str, int]:
    from diaodu.projects.models import PreReview, RuleSet

    ruleset = RuleSet.objects.create(org_unit=w.yangji, name="授权测试准入")
    review = PreReview.objects.create(
        project=project(w, stage="negotiating"),
        ruleset=ruleset,
        outcome="fail",
        results=[],
        reviewed_at=timezone.now(),
    )
    return {"pk": review.pk}


def approval(w: World) -> dict[str, int]:
    from diaodu.projects.models import ApprovalItem

    item = ApprovalItem.objects.create(
        project=project(w), stage="construction", name="施工许可证", key="permit"
    )
    return {"approval_id": item.pk}


def project_id(w: World) -> dict[str, int]:
    return {"project_id": project(w).pk}


def report_id(status: str) -> Any:
    return lambda w: {"report_id": report(w, status).pk}


def page_report(status: str) -> Any:
    return lambda w: {"pk": report(w, status).pk}


def dispatch_post(w: World) -> dict[str, str]:
    p = project(w, unit=w.yishan)
    return {"action": "save", f"p{p.pk}-month_wan": "300", f"p{p.pk}-progress": "完成桩基（授权测试）"}


PAGE_CASES = [
    Case("projects:library", expect=PAGE_READERS, default=200),
    # 签约预审规则: only the configuration administrator (an invalid POST re-renders the form).
    Case("projects:rulesets", expect={**ANON_PAGE, "sysadmin": 200}, default=403),
    Case(
        "projects:rulesets",
        method="POST",
        data={"name": ""},
        expect={**ANON_PAGE, "sysadmin": 200},
        default=403,
    ),
    Case(
        "projects:library",
        data={"town": YANGJI, "behind": "1", "overdue": "1", "sort": "-total"},
        expect=PAGE_READERS | YANGJI_INVISIBLE,
        default=200,
        note="town=杨集镇",
    ),
    Case(
        "projects:detail",
        kwargs=lambda w: {"pk": project(w).pk},
        expect=PAGE_READERS | YANGJI_INVISIBLE,
        default=200,
    ),
    Case(
        "projects:prereview_override",
        method="POST",
        kwargs=failed_prereview,
        data={"reason": "县招商联席会议研究同意（授权测试）"},
        expect=ANON_PAGE | each(REVIEWERS, 302) | YANGJI_INVISIBLE | each(ADMINS, 403),
        default=403,
    ),
    Case("projects:pipeline", expect=PAGE_READERS, default=200),
    Case(
        "projects:pipeline",
        data={"unit": YANGJI},
        expect=PAGE_READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("projects:overview", expect=PAGE_READERS, default=200),
    Case(
        "projects:overview",
        data={"unit": YANGJI, "month": "2025-06"},
        expect=PAGE_READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("projects:dispatch", expect=ANON_PAGE | NOT_ENTERING, default=200),
    Case(
        "projects:dispatch",
        data={"unit": YANGJI, "month": "2025-03"},
        expect=ANON_PAGE | NOT_ENTERING | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "projects:dispatch",
        method="POST",
        data=dispatch_post,
        expect=ANON_PAGE | NOT_ENTERING | {"yishan": 302, "county": 302},
        default=200,
        note="a 伊山镇 project (other units have no such row and re-render)",
    ),
    Case("projects:review", expect=ANON_PAGE | each(REVIEWERS, 200), default=403),
    Case(
        "projects:report_approve",
        method="POST",
        kwargs=page_report("submitted"),
        expect=PAGE_REVIEW,
        default=403,
    ),
    Case(
        "projects:report_return",
        method="POST",
        kwargs=page_report("submitted"),
        data={"comment": "请核实本月投资"},
        expect=PAGE_REVIEW,
        default=403,
    ),
    Case("projects:report_approve", kwargs=page_report("submitted"), default=405, note="GET"),
]

CASES = [
    Case("api:projects", expect=API_READERS, default=200),
    Case(
        "api:projects",
        data={"unit": YANGJI, "tier": "ge_1yi", "level": "none", "year": "2025"},
        expect=API_READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case("api:project_detail", kwargs=project_id, expect=API_READERS | YANGJI_INVISIBLE, default=200),
    Case(
        "api:project_event_create",
        method="POST",
        json=True,
        kwargs=project_id,
        data={"stage": "started", "on": "2025-03-01", "note": "开工仪式（授权测试）"},
        expect=API_ENTER | each(REVIEWERS, 200),
        default=403,
    ),
    Case("api:project_approvals", kwargs=project_id, expect=API_READERS | YANGJI_INVISIBLE, default=200),
    Case(
        "api:approval_update",
        method="PATCH",
        json=True,
        kwargs=approval,
        data={"status": "in_progress", "planned_on": "2025-05-01"},
        expect=API_ENTER | each(REVIEWERS, 200),
        default=403,
    ),
    Case("api:project_reports", expect=API_READERS, default=200),
    Case(
        "api:project_reports",
        data={"unit": YANGJI, "year": "2025"},
        expect=API_READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
    Case(
        "api:project_report_detail",
        kwargs=report_id("draft"),
        expect=API_READERS | YANGJI_INVISIBLE,
        default=200,
    ),
    Case(
        "api:project_report_save",
        method="POST",
        json=True,
        data=lambda w: {"project": project(w).pk, "year": 2025, "month": 3, "month_wan": "500"},
        expect=API_ENTER,
        default=403,
    ),
    Case(
        "api:project_report_submit",
        method="POST",
        kwargs=report_id("draft"),
        expect=API_ENTER,
        default=403,
    ),
    Case(
        "api:project_report_return",
        method="POST",
        json=True,
        kwargs=report_id("submitted"),
        data={"comment": "与现场进度不符"},
        expect=API_REVIEW,
        default=403,
    ),
    Case(
        "api:project_report_approve",
        method="POST",
        json=True,
        kwargs=report_id("submitted"),
        data={"comment": ""},
        expect=API_REVIEW,
        default=403,
    ),
    Case(
        "api:project_report_reopen",
        method="POST",
        json=True,
        kwargs=report_id("approved"),
        data={"reason": "统计部门核减"},
        expect=API_REVIEW,
        default=403,
    ),
    Case("api:project_metrics", data={"as_of": "2025-09"}, expect=API_READERS, default=200),
    Case(
        "api:project_metrics",
        data={"as_of": "2025-09", "unit": YANGJI},
        expect=API_READERS | YANGJI_INVISIBLE,
        default=200,
        note="unit=杨集镇",
    ),
]
