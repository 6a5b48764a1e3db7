"""The quarterly review results document (季度观摩点评结果通报) of a review session of the reviews app.

Every figure comes from :func:`diaodu.reviews.scoring.session_rows` (frozen results of a published session; live
scores of a draft, which only the people running the review can see and which is marked as such). The document is
a :class:`~diaodu.reports.briefing.Briefing`, written by the same official-layout writer as the monthly briefing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from diaodu.plans.periods import Period
from diaodu.reports import phrases
from diaodu.reports.briefing import Briefing, ChartSpec, Paragraph, Part, Table

QUARTERS = "一二三四"


def session_for(user: Any | None, pk: int) -> Any | None:
    """The review session ``pk`` if ``user`` may see it (None: the system); None otherwise (callers answer 404)."""
    from diaodu.reviews.models import ReviewSession

    qs = ReviewSession.objects.all() if user is None else ReviewSession.objects.visible_to(user)
    return qs.filter(pk=pk).select_related("scheme", "org_unit").first()


def _points(value: Decimal | str | None) -> str:
    return "—" if value is None else phrases.format_number(Decimal(value))


def build_review_document(session: Any, *, user: Any | None = None) -> Briefing:
    from diaodu.reviews.scoring import session_rows

    with translation.override("zh-hans"):
        rows = session_rows(session)
        scheme = session.scheme
        weights = scheme.weights()
        labels = {b["key"]: b["label"] for r in rows for b in r.breakdown}
        keys = [k for k in weights if k in labels] or list(weights)
        quarter = f"第{QUARTERS[session.quarter - 1]}季度"

        overview = Part("基本情况")
        weight_text = "、".join(f"{labels.get(k, k)}{phrases.format_number(weights[k])}%" for k in keys)
        overview.add(
            Paragraph(
                f"{session.year}年{quarter}，{session.org_unit.name}对{len(rows)}个单位进行观摩点评。"
                f"评分方案为“{scheme.name}”（第{scheme.version}版），权重为{weight_text}；"
                f"现场观摩评委达到{scheme.min_raters_for_trimming}人时去掉一个最高分和一个最低分。"
            )
        )
        if not session.is_published:
            overview.add(Paragraph("本次点评尚在评分中，以下为当前得分，结果以正式发布为准。"))

        results = Part("得分与排名")
        ranked = [r for r in rows if r.rank is not None]
        if ranked:
            first = "、".join(r.org_unit.name for r in ranked if r.rank == 1)
            results.add(Paragraph(f"{first}综合得分{_points(ranked[0].total)}分，列第1位。"))
        results.add(
            Table(
                "季度观摩点评得分表",
                ("名次", "单位", "总分", *(labels.get(k, k) for k in keys)),
                [
                    (
                        ("并列" if r.tied else "") + (str(r.rank) if r.rank is not None else "—"),
                        r.org_unit.name,
                        _points(r.total),
                        *(_points({b["key"]: b["points"] for b in r.breakdown}.get(k)) for k in keys),
                    )
                    for r in rows
                ],
                note="各项为加权后的得分（分项得分 × 有效权重），合计等于总分；不适用的分项不计权重，其余分项按比例折算。",
            ),
            ChartSpec(
                kind="bar",
                title="季度观摩点评总分",
                categories=tuple(r.org_unit.name for r in rows),
                series=(("总分", tuple(r.total for r in rows)),),
                unit="分",
            ),
        )

        detail = Part("得分构成")
        for r in rows:
            summary = "；".join(
                f"{b['label']}{_points(b['score'])}分（{b['detail']}）"
                if b.get("detail")
                else f"{b['label']}{_points(b['score'])}分"
                for b in r.breakdown
            )
            detail.add(Paragraph(f"{r.org_unit.name}：{summary}。"))

        comments = Part("点评意见")
        for c in session.comments.select_related("org_unit").order_by("org_unit__path", "created_at"):
            comments.add(Paragraph(f"{c.org_unit.name}：{c.text}"))

        parts = [p for p in (overview, results, detail, comments) if p.blocks]
        return Briefing(
            unit=session.org_unit,
            period=Period(session.year, session.as_of_month),
            title=f"{session.title}结果通报",
            issue_line=f"（{session.year}年{quarter}）",
            parts=parts,
            annex=[],
            main_sentences=[],
            scope_note="全部数据（系统生成）" if user is None else f"{user.get_username()} 的数据权限范围",
            generated_at=timezone.localtime(),
            filename_stem=f"review-{session.pk}-{session.year}Q{session.quarter}",
        )
