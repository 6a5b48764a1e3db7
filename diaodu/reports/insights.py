"""Ranks ("列全市第3位") for the briefing sentences, from the peer ranking of the reviews app (横比).

The briefing asks an :class:`~diaodu.reports.briefing.Insights` for each main target's rank and forecast clause.
:func:`from_reviews` adapts :func:`diaodu.reviews.ranking.position_of` when that module is installed; without it
(or without peer data) the clauses are omitted, never guessed. The rank is public within the peer group; the
briefing shows only the briefing unit's own figure next to it, so no peer's value leaves its scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from diaodu.plans.evaluation import TargetResult
from diaodu.plans.periods import Period
from diaodu.reports.sentences import RankFact

# How a sentence names a peer group: the county among Lianyungang's county-level units is "全市".
AREA_NAMES = {"lyg-counties": "全市"}


class ReviewsInsights:
    def __init__(self, ranking: Any) -> None:
        self.ranking = ranking

    def for_targets(
        self, results: Sequence[TargetResult], period: Period
    ) -> dict[int, tuple[RankFact | None, str]]:
        out: dict[int, tuple[RankFact | None, str]] = {}
        for r in results:
            unit = r.target.org_unit
            group = unit.peer_groups.order_by("code").first()
            if group is None:
                continue
            ranking = self.ranking.rank_group(group, r.target.indicator, year=period.year, month=period.month)
            entry = ranking.entry_for(unit)
            if entry is None or entry.rank is None or ranking.ranked_count < 2:
                continue
            area = AREA_NAMES.get(group.code, group.name)
            out[r.target.pk] = (
                RankFact(entry.rank, ranking.ranked_count, area=area, change=entry.change),
                "",
            )
        return out


def from_reviews() -> ReviewsInsights | None:
    """The reviews app's peer ranking, or None when it is not there (yet)."""
    try:
        from diaodu.reviews import ranking
    except ImportError:
        return None
    if not hasattr(ranking, "rank_group"):
        return None
    return ReviewsInsights(ranking)
