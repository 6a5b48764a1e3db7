"""Year-end forecast and early warning (预测预警) for cumulative targets, fed from the database.

For every target of a cumulative (累计) indicator, :func:`forecast_targets` projects the year-end figure with
:func:`diaodu.reviews.domain.forecast_year_end` — this year's YTD ÷ last year's share of the full year reached by the
same month, falling back to 时序进度 where last year's monthly profile is missing — and compares it with the target
using the plan's own comparison rule (:func:`diaodu.plans.domain.compare`, so "≥", "≈" and "=" mean the same
everywhere). A growth target compares the projected full-year growth (projected ÷ last year's full year − 1); when
last year's full-year value is unknown the current YTD growth is carried forward (and the row says so). A target
projected to miss is flagged 预警 with the month the warning first appeared (the start of the current run).

Last year's figures: the same indicator and unit's approved actuals of the previous year (its December YTD is the
full year); a month without them uses this year's ``base_value`` (上年同期) for the same month.
Point-in-time indicators and relative targets are not forecast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet

from diaodu.plans import domain as plan_domain
from diaodu.plans.domain import Observation
from diaodu.plans.evaluation import computed_of, load_series, spec_for
from diaodu.plans.models import PLAN_TEXT, Accumulation, Measure, Target
from diaodu.reviews import domain


@dataclass(frozen=True)
class TargetForecast:
    target: Target
    month: int  # the month forecast from (latest month with data ≤ the month asked)
    forecast: domain.Forecast
    basis: Literal["growth", "value"]
    projected: Decimal | None  # projected year-end growth % (growth targets) or value
    last_year_full: Decimal | None
    warning: bool | None  # True: projected to miss (预警); None: cannot be judged
    warning_since: int | None
    note: str  # why a fallback was used (Chinese), "" otherwise

    @property
    def method(self) -> str:
        return str(self.forecast.method)


def forecastable(target: Target) -> bool:
    ind = target.indicator
    return target.value is not None and ind.accumulation == Accumulation.YTD


def _one(
    target: Target,
    this_year: dict[int, plan_domain.Observation],
    last_year: dict[int, plan_domain.Observation],
    month: int,
) -> tuple[domain.Forecast, Decimal | None, Decimal | None, str] | None:
    obs = this_year.get(month)
    if obs is None:
        return None
    is_growth = target.indicator.measure == Measure.GROWTH
    last_same = last_year[month].ytd_value if month in last_year else None
    if last_same is None:
        last_same = obs.base_value
    last_full = last_year[12].ytd_value if 12 in last_year else None
    f = domain.forecast_year_end(obs.ytd_value, last_same, last_full, month=month)
    note = f.reason
    if not is_growth:
        return f, f.value, last_full, note
    projected = domain.projected_growth(f, last_full)
    if projected is None:
        projected = plan_domain.observed_growth(obs)
        note = "缺少上年全年数据，按当前累计增速预计全年" if projected is not None else note
    return f, projected, last_full, note


def _warning(spec: plan_domain.TargetSpec, projected: Decimal | None) -> bool | None:
    """Whether ``projected`` misses the target of ``spec`` (:func:`spec_for`), None when either is unknown."""
    if projected is None or spec.value is None:
        return None
    met = plan_domain.compare(
        projected,
        spec.comparator,
        spec.value,
        spec.direction,
        spec.approx_tolerance,
        relative_tolerance=spec.tolerance_is_relative,
    )
    return not met


def forecast_targets(
    targets: QuerySet[Target] | Iterable[Target],
    *,
    year: int,
    month: int,
    series: Mapping[tuple[int, int], Sequence[Observation]] | None = None,
    last_series: Mapping[tuple[int, int], Sequence[Observation]] | None = None,
) -> list[TargetForecast]:
    """Forecasts of the cumulative targets among ``targets`` as of ``month`` (approved data only); two series
    loads whatever the number of targets (one when the caller passes this year's ``series`` through ``month``,
    e.g. from :func:`evaluate_targets`; none when it passes last year's ``last_series`` through December too, e.g.
    from :func:`evaluate_targets` with ``last_year``). Targets without data up to ``month`` are left out."""
    if isinstance(targets, QuerySet):
        targets = targets.select_related("indicator", "org_unit", "plan").defer(PLAN_TEXT)
    chosen = [t for t in targets if forecastable(t)]
    keys = {(t.indicator_id, t.org_unit_id) for t in chosen}
    computed = computed_of(chosen)
    now = series if series is not None else load_series(keys, year=year, as_of_month=month, computed=computed)
    before = (
        last_series
        if last_series is not None
        else load_series(keys, year=year - 1, as_of_month=12, computed=computed)
    )
    out = []
    for t in chosen:
        key = (t.indicator_id, t.org_unit_id)
        this_year = {o.month: o for o in now.get(key, ())}
        last_year = {o.month: o for o in before.get(key, ())}
        flags: dict[int, bool | None] = {}
        latest: tuple[int, tuple[domain.Forecast, Decimal | None, Decimal | None, str]] | None = None
        spec = spec_for(t)  # the same every month
        for m in sorted(this_year):
            one = _one(t, this_year, last_year, m)
            if one is None:
                continue
            flags[m] = _warning(spec, one[1])
            latest = (m, one)
        if latest is None:
            continue
        m, (f, projected, last_full, note) = latest
        out.append(
            TargetForecast(
                target=t,
                month=m,
                forecast=f,
                basis="growth" if t.indicator.measure == Measure.GROWTH else "value",
                projected=projected,
                last_year_full=last_full,
                warning=flags[m],
                warning_since=domain.warning_since(flags),
                note=note,
            )
        )
    return out


def warnings(forecasts: Sequence[TargetForecast]) -> list[TargetForecast]:
    """The 预警 list: targets projected to miss, longest-running warning first."""
    return sorted(
        (f for f in forecasts if f.warning), key=lambda f: (f.warning_since or 13, f.target.sort_order)
    )
