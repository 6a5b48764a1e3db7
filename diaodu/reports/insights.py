"""Ranks ("列全市第3位") and forecasts ("预计全年增长17.6%") for the briefing sentences, from the reviews app.

The briefing asks an :class:`~diaodu.reports.briefing.Insights` for each main target's rank and forecast clause.
:func:`from_reviews` adapts the peer ranking (:func:`diaodu.reviews.ranking.rank_group`, 横比) and the year-end
forecast (:func:`diaodu.reviews.forecast.forecast_targets`, 预测预警) when that app is installed; without it, or
without peer data, the clauses are omitted, never guessed. A rank is public within its peer group; the briefing
shows only the briefing unit's own figure next to it, so no peer's value leaves its scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from diaodu.plans.evaluation import TargetResult
from diaodu.plans.models import Measure
from diaodu.plans.periods import Period
from diaodu.reports import phrases
from diaodu.reports.sentences import RankFact

# How a sentence names a peer group: the county among Lianyungang's county-level units is "全市".
AREA_NAMES = {"lyg-counties": "全市"}


class ReviewsInsights:
    def __init__(self, ranking: ModuleType, forecast: ModuleType | None) -> None:
        self.ranking = ranking
        self.forecast = forecast

    def ranks(self, results: Sequence[TargetResult], period: Period) -> dict[int, RankFact]:
        out: dict[int, RankFact] = {}
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
            out[r.target.pk] = RankFact(entry.rank, ranking.ranked_count, area=area, change=entry.change)
        return out

    def forecasts(self, results: Sequence[TargetResult], period: Period) -> dict[int, str]:
        if self.forecast is None:
            return {}
        out: dict[int, str] = {}
        targets = [r.target for r in results]
        for f in self.forecast.forecast_targets(targets, year=period.year, month=period.month):
            t = f.target
            if t.indicator.measure == Measure.GROWTH and f.last_year_full is None:
                continue  # the "forecast" would only repeat this year's growth to date
            out[t.pk] = phrases.forecast_phrase(
                f.projected,
                growth=t.indicator.measure == Measure.GROWTH,
                unit=t.indicator.unit,
                warning=f.warning,
                since=f.warning_since,
                fallback=f.forecast.is_fallback and t.indicator.measure != Measure.GROWTH,
            )
        return out

    def for_targets(
        self, results: Sequence[TargetResult], period: Period
    ) -> dict[int, tuple[RankFact | None, str]]:
        ranks = self.ranks(results, period)
        forecasts = self.forecasts(results, period)
        return {pk: (ranks.get(pk), forecasts.get(pk, "")) for pk in ranks.keys() | forecasts.keys()}


def from_reviews() -> ReviewsInsights | None:
    """The reviews app's ranking and forecast, or None when it is not there."""
    try:
        from diaodu.reviews import ranking
    except ImportError:
        return None
    try:
        from diaodu.reviews import forecast
    except ImportError:
        forecast = None  # type: ignore[assignment]
    return ReviewsInsights(ranking, forecast)
