"""Synthetic monthly actuals for the demo (演示数据（合成）).

Two halves:

* :func:`generate` is pure: from the plan's targets it builds every demo row (indicator, unit, month, values and
  the review state the row should end in). Values are reproducible: each series draws from its own
  ``random.Random`` seeded with the indicator and unit codes, never from the global random state, and all twelve
  months are always generated so that a row's values do not depend on ``--through``.
* :func:`write` enters the rows through the services (save → submit → approve/return), as the unit's demo officer
  and the statistics-bureau reviewer, so the audit trail looks like real use. It only ever moves a row forward and
  skips rows that are already where they should be, so running it twice changes nothing.

Each series follows a *profile* chosen per (indicator, unit) in :data:`PROFILES` so that the cockpit shows a
realistic mix at 2025-09 (about 60% green, 11% yellow, 24% red, a few grey). Series missing from the table (a
changed plan file) get a profile picked deterministically from a hash of their codes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

DEMO_NOTE = "演示数据（合成）"
MONTHS = range(1, 13)

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"

# Cumulative share of the year's total reached at the end of each month (Jan–Feb slow, December heavy).
_WEIGHTS = (0.065, 0.060, 0.085, 0.080, 0.082, 0.095, 0.078, 0.080, 0.088, 0.085, 0.087, 0.115)
CUM_SHARE = tuple(sum(_WEIGHTS[:m]) for m in MONTHS)

COUNT_UNITS = {"个", "家", "项"}
DECIMALS = {
    "亿元": 2,
    "亿美元": 2,
    "万元": 0,
    "万美元": 0,
    "亩": 0,
    "万亩": 2,
    "平方公里": 2,
    "个月": 1,
    "%": 2,
    "万吨": 2,
    "": 0,
}


@dataclass(frozen=True)
class TargetInfo:
    """What the generator needs to know about one target (no Django objects)."""

    key: str
    indicator: str
    unit: str
    value: Decimal | None
    comparator: str  # ">=", "<=", "~", "="
    measure: str
    direction: str
    accumulation: str
    deadline_month: int | None = None
    relative_to: str | None = None
    entry_unit: str = ""
    computed: bool = False  # the indicator is computed from the project library: no entered actuals

    @property
    def series(self) -> tuple[str, str]:
        return (self.indicator, self.unit)


@dataclass(frozen=True)
class DemoRow:
    indicator: str
    unit: str
    month: int
    ytd_value: Decimal | None
    growth_pct: Decimal | None
    base_value: Decimal | None
    state: str = APPROVED  # the review state the row should end in
    comment: str = ""  # the reviewer's comment when returned
    returned_values: tuple[Decimal | None, Decimal | None, Decimal | None] | None = None  # what was sent back

    @property
    def values(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return (self.ytd_value, self.growth_pct, self.base_value)


@dataclass(frozen=True)
class Profile:
    """How one series behaves.

    ``pattern``: "G" met every month; "R" missed every month; "S4" met through April then slipping;
    "U3" missed through March then made up; "none" no data at all (grey); "const" the target value itself;
    "seq" the explicit ``sequence``; "sum" the month-by-month sum of the ``parts`` series.
    """

    pattern: str = "G"
    base: Decimal | None = None  # last year's full-year value, for growth indicators (entry unit)
    gap: float = 1.0  # how far from the target the figures wander
    sequence: tuple[Decimal, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()
    # Cumulative series: actual / schedule when on schedule, and when behind.
    ahead: tuple[str, str] = ("1.02", "1.15")
    behind: tuple[str, str] = ("0.86", "0.97")

    def met(self, month: int) -> bool:
        p = self.pattern
        if p == "R":
            return False
        if p.startswith("S"):
            return month <= int(p[1:])
        if p.startswith("U"):
            return month > int(p[1:])
        return True


def _rates(started: Iterable[int], planned: int) -> tuple[Decimal, ...]:
    """开工率 in percent from the number of started projects (the cohort of ``planned`` new projects)."""
    return tuple((Decimal(n) * 100 / planned).quantize(Decimal("0.01"), ROUND_HALF_UP) for n in started)


def _seq(*values: str | int) -> tuple[Decimal, ...]:
    return tuple(Decimal(str(v)) for v in values)


C, Z1, Z2 = "320723", "320723-Z01", "320723-Z02"


def _iz(town: str) -> tuple[str, str]:
    return ("iz_new_industrial_projects_started", f"{C}-{town}-IZ")


PROFILES: dict[tuple[str, str], Profile] = {
    # ---- 主要预期目标 (growth bases: last year's full-year values in 亿元; income in 元 per person)
    ("gdp", C): Profile("G", base=Decimal(432)),
    ("fai", C): Profile("S4", base=Decimal(262)),
    ("industrial_investment", C): Profile("U3", base=Decimal(151)),
    ("industrial_output", C): Profile("R", base=Decimal(618)),
    ("industrial_value_added", C): Profile("U2", base=Decimal(148)),
    ("industrial_taxable_sales", C): Profile("S2", base=Decimal(524)),
    ("public_budget_revenue", C): Profile("G", base=Decimal("27.6")),
    ("wholesale_retail_catering_sales", C): Profile("G", base=Decimal(356)),
    ("foreign_trade", C): Profile("G", base=Decimal("61.5")),
    ("fdi_utilised", C): Profile("U4"),
    ("new_four_above_enterprises", C): Profile("U2"),
    ("disposable_income", C): Profile("G", base=Decimal(31200)),
    # ---- 招商引资: the 百亿元 stretch targets get no data (grey)
    ("signed_projects_100m", C): Profile("G"),
    ("signed_projects_1b", C): Profile("R"),
    ("signed_projects_5b", C): Profile("R"),
    ("signed_projects_10b", C): Profile("none"),
    # ---- 重点项目: the project library is fixed at the start of the year
    ("key_projects_count", C): Profile("const"),
    ("key_projects_total_investment", C): Profile("const"),
    ("city_key_projects_count", C): Profile("const"),
    ("city_key_projects_total_investment", C): Profile("const"),
    ("county_key_projects_count", C): Profile("const"),
    ("county_key_projects_total_investment", C): Profile("const"),
    # City projects fall slightly behind from April; county projects run well ahead, so the total stays on schedule.
    ("city_key_projects_annual_investment", C): Profile("S3", behind=("0.94", "0.98")),
    ("county_key_projects_annual_investment", C): Profile("G", ahead=("1.20", "1.30")),
    ("key_projects_annual_investment", C): Profile(
        "sum",
        parts=(("city_key_projects_annual_investment", C), ("county_key_projects_annual_investment", C)),
    ),
    # 一季度 80% missed in March, made up in April; 二季度全部 missed in June, reached in August (both yellow).
    ("new_key_projects_start_rate", C): Profile(
        "seq", sequence=_rates((11, 26, 44, 50, 54, 56, 57, 58, 58), 58)
    ),
    # ---- 临港产业区
    ("signed_projects_100m", Z1): Profile("G"),
    ("signed_projects_10b", Z1): Profile("none"),
    ("new_key_industrial_projects_started", Z1): Profile("R"),
    ("city_new_key_projects_start_rate", Z1): Profile("seq", sequence=_rates((1, 3, 6, 7, 8, 8, 8, 9, 9), 9)),
    ("industrial_investment_amount", Z1): Profile("U3"),
    ("key_industrial_projects_completed", Z1): Profile("R"),
    ("new_above_scale_industrial_enterprises", Z1): Profile("G"),
    ("enterprises_sales_over_1b", Z1): Profile("seq", sequence=_seq(2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4)),
    ("industrial_output", Z1): Profile("R", base=Decimal(176), gap=2.5),
    ("industrial_taxable_sales", Z1): Profile("none"),  # the tax bureau does not split the zone out yet
    # 3 km² by the end of June: 2.7 at the deadline, reached in August (yellow).
    ("pilot_zone_framework_area", Z1): Profile(
        "seq", sequence=_seq("0.5", "1.0", "1.5", "2.0", "2.4", "2.7", "2.9", "3.0", "3.0")
    ),
    ("substandard_chemical_enterprises_exited", Z1): Profile("seq", sequence=_seq(1, 2, 2, 3, 4, 5, 6, 7, 8)),
    # ---- 经济开发区
    ("signed_projects_100m", Z2): Profile("G"),
    ("new_key_industrial_projects_started", Z2): Profile("G"),
    ("key_industrial_projects_completed", Z2): Profile("U4"),
    ("new_above_scale_industrial_enterprises", Z2): Profile("S4"),
    ("city_new_key_projects_start_rate", Z2): Profile(
        "seq", sequence=_rates((2, 5, 8, 9, 10, 10, 10, 11, 11), 11)
    ),
    ("idle_land_revitalised", Z2): Profile("G"),
    # ---- 镇级工业集中区 (key clusters ≥5, others ≥3)
    _iz("T02"): Profile("G"),
    _iz("T09"): Profile("R"),
    _iz("T03"): Profile("U3"),
    _iz("T06"): Profile("G"),
    _iz("T10"): Profile("R"),
    _iz("T01"): Profile("U4"),
    _iz("T05"): Profile("G"),
    _iz("T07"): Profile("R"),
    _iz("T08"): Profile("G"),
    _iz("T11"): Profile("R"),
    _iz("T12"): Profile("U5"),
    _iz("T13"): Profile("G"),
    # ---- 五个上台阶
    ("housing_destock_cycle", C): Profile("U2"),
    ("construction_output", C): Profile("G"),
    ("high_standard_farmland_built", C): Profile("G"),
    ("grain_sown_area", C): Profile("U1"),
}


@dataclass(frozen=True)
class Pending:
    """A series whose last (``--through``) month is left in the review workflow instead of approved."""

    state: str
    comment: str = ""
    # How the returned submission was wrong: multiply the YTD value, and/or add points to the growth.
    ytd_factor: Decimal = Decimal(1)
    growth_shift: Decimal = Decimal(0)


# Only series that are met in both the last two months, so the cockpit (approved data only) does not change.
PENDING: dict[tuple[str, str], Pending] = {
    ("public_budget_revenue", C): Pending(SUBMITTED),
    ("wholesale_retail_catering_sales", C): Pending(SUBMITTED),
    ("new_above_scale_industrial_enterprises", Z1): Pending(SUBMITTED),
    ("high_standard_farmland_built", C): Pending(SUBMITTED),
    ("foreign_trade", C): Pending(
        RETURNED, "增速与海关统计快报不一致，请按海关口径核实后重新报送。", growth_shift=Decimal("1.8")
    ),
    ("construction_output", C): Pending(
        RETURNED, "累计值较上月增幅异常，疑似小数点错位，请核实后重新报送。", ytd_factor=Decimal(10)
    ),
    ("housing_destock_cycle", C): Pending(DRAFT),
    ("idle_land_revitalised", Z2): Pending(DRAFT),
}


def series_rng(indicator: str, unit: str) -> random.Random:
    """The series' own random generator: same codes, same numbers, whatever else ran before."""
    return random.Random(f"diaodu-demo:{indicator}:{unit}")


def fallback_profile(indicator: str, unit: str) -> Profile:
    """A deterministic profile for a series the table does not know (about 60% G, 15% U3, 25% R)."""
    h = int(hashlib.sha256(f"{indicator}:{unit}".encode()).hexdigest(), 16) % 20
    pattern = "G" if h < 12 else "U3" if h < 15 else "R"
    return Profile(pattern, base=Decimal(100))


# ----------------------------------------------------------------------------- number helpers


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _q(value: float | Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return Decimal(str(value)).quantize(_quantum(places), rounding=rounding)


def _places(target: TargetInfo) -> int:
    if target.entry_unit in COUNT_UNITS:
        return 0
    return DECIMALS.get(target.entry_unit, 2)


def _between(low: str, high: str, r: Decimal) -> Decimal:
    return Decimal(low) + (Decimal(high) - Decimal(low)) * r


class _Smooth:
    """A smoothed uniform draw in [0, 1): consecutive months move together, as YTD figures do."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.r = rng.random()

    def __call__(self) -> float:
        self.r = 0.5 * self.r + 0.5 * self.rng.random()
        return self.r


Values = tuple[Decimal | None, Decimal | None, Decimal | None]  # ytd_value, growth_pct, base_value


# ----------------------------------------------------------------------------- generators per kind


def _growth(t: TargetInfo, p: Profile, rng: random.Random) -> dict[int, Values]:
    """YTD growth near the target (published growth to 0.1, base = last year's same period, revised)."""
    assert t.value is not None
    target = float(t.value)
    scale = max(0.8, 0.12 * abs(target)) * p.gap
    annual = float(p.base or 100)
    places = _places(t)
    smooth = _Smooth(rng)
    good = 1 if t.direction == "higher" else -1
    out: dict[int, Values] = {}
    for m in MONTHS:
        mag = 0.1 + scale * (0.15 + 0.85 * smooth())
        g = _q(target + good * mag if p.met(m) else target - good * mag, 1)
        base = _q(annual * CUM_SHARE[m - 1] * (1 + rng.uniform(-0.01, 0.01)), places)
        ytd = _q(float(base) * (1 + float(g) / 100), places)
        out[m] = (ytd, g, base)
    return out


def _relative(
    t: TargetInfo, p: Profile, rng: random.Random, reference: Mapping[int, Values]
) -> dict[int, Values]:
    """Growth compared with another indicator's growth (e.g. income vs GDP, "基本同步")."""
    annual = float(p.base or 100)
    places = _places(t)
    out: dict[int, Values] = {}
    for m in MONTHS:
        ref = reference.get(m, (None, None, None))[1]
        if ref is None:
            continue
        lag = rng.uniform(0.0, 0.35) if p.met(m) else rng.uniform(0.8, 1.5)
        g = _q(float(ref) - lag, 1)
        base = _q(annual * m / 12 * (1 + rng.uniform(-0.005, 0.005)), places)
        out[m] = (_q(float(base) * (1 + float(g) / 100), places), g, base)
    return out


def _cumulative(t: TargetInfo, p: Profile, rng: random.Random) -> dict[int, Values]:
    """A YTD amount or count ramping up against the pro-rata schedule (时序进度), never decreasing."""
    assert t.value is not None
    target = t.value
    total = t.deadline_month or 12
    places = _places(t)
    q = _quantum(places)
    smooth = _Smooth(rng)
    prev = Decimal(0)
    out: dict[int, Values] = {}
    for m in MONTHS:
        needed = target * min(m, total) / total
        r = Decimal(str(smooth()))
        if p.met(m):
            # Just ahead of schedule when next month slips, so the slip is possible without a decrease.
            low, high = ("1.005", "1.04") if not p.met(m + 1) else p.ahead
            value = (needed * _between(low, high, r)).quantize(q, ROUND_CEILING)
        else:
            value = (needed * _between(*p.behind, r)).quantize(q, ROUND_FLOOR)
            if value >= needed:
                value = needed.quantize(q, ROUND_CEILING) - q
        value = max(value, prev)
        if t.comparator == "=":
            value = min(value, target)
        prev = value
        out[m] = (value, None, None)
    return out


def _point(t: TargetInfo, p: Profile, rng: random.Random) -> dict[int, Values]:
    """A point-in-time value (stock, area, months of sales) fluctuating around the target."""
    assert t.value is not None
    target = float(t.value)
    places = _places(t)
    smooth = _Smooth(rng)
    lower_is_better = t.direction == "lower" or t.comparator == "<="
    out: dict[int, Values] = {}
    for m in MONTHS:
        r = smooth()
        if lower_is_better:
            factor = 1 - 0.05 - 0.15 * r if p.met(m) else 1 + 0.02 + 0.08 * r
            value = _q(target * factor, places, ROUND_FLOOR if p.met(m) else ROUND_CEILING)
        else:
            factor = 1 + 0.002 + 0.01 * r if p.met(m) else 1 - 0.002 - 0.008 * r
            value = _q(target * factor, places, ROUND_CEILING if p.met(m) else ROUND_FLOOR)
        out[m] = (value, None, None)
    return out


def _sequence(p: Profile) -> dict[int, Values]:
    seq = p.sequence
    return {m: (seq[min(m, len(seq)) - 1], None, None) for m in MONTHS} if seq else {}


def _series_values(
    t: TargetInfo, p: Profile, rng: random.Random, done: Mapping[tuple[str, str], dict[int, Values]]
) -> dict[int, Values]:
    if p.pattern == "none":
        return {}
    if p.pattern == "seq":
        return _sequence(p)
    if p.pattern == "sum":
        parts = [done.get(part, {}) for part in p.parts]
        out: dict[int, Values] = {}
        for m in MONTHS:
            figures = [part.get(m, (None, None, None))[0] for part in parts]
            if figures and all(f is not None for f in figures):
                out[m] = (sum((f for f in figures if f is not None), Decimal(0)), None, None)
        return out
    if t.value is None:
        if t.relative_to is None:
            return {}
        return _relative(t, p, rng, done.get((t.relative_to, t.unit), {}))
    if p.pattern == "const":
        return {m: (t.value, None, None) for m in MONTHS}
    if t.measure == "growth":
        return _growth(t, p, rng)
    if t.accumulation == "ytd" or t.deadline_month is not None:
        return _cumulative(t, p, rng)
    return _point(t, p, rng)


def _order(series: Mapping[tuple[str, str], tuple[TargetInfo, Profile]]) -> list[tuple[str, str]]:
    """Series with dependencies (sums, relative targets) after the series they depend on."""

    def rank(key: tuple[str, str]) -> int:
        t, p = series[key]
        return 1 if p.pattern == "sum" or (t.value is None and t.relative_to) else 0

    return sorted(series, key=lambda k: (rank(k), k))


# ----------------------------------------------------------------------------- the pure generator


def generate(
    targets: Iterable[TargetInfo],
    *,
    through_month: int,
    profiles: Mapping[tuple[str, str], Profile] = PROFILES,
    pending: Mapping[tuple[str, str], Pending] = PENDING,
) -> list[DemoRow]:
    """Every demo row from January to ``through_month`` for each target's (indicator, unit).

    A series shared by several targets (一季度 80% and 二季度 100% of the same 开工率) is generated once, from
    its first target. Rows of ``through_month`` in ``pending`` series keep that review state. Targets whose
    indicator is computed from the project library get no rows (their actuals come from the demo projects).
    """
    targets = [t for t in targets if not t.computed]
    series: dict[tuple[str, str], tuple[TargetInfo, Profile]] = {}
    for t in targets:
        if t.series not in series:
            series[t.series] = (t, profiles.get(t.series) or fallback_profile(*t.series))
    done: dict[tuple[str, str], dict[int, Values]] = {}
    for key in _order(series):
        t, p = series[key]
        done[key] = _series_values(t, p, series_rng(*key), done)

    rows: list[DemoRow] = []
    for key in sorted(done, key=lambda k: (k[1], k[0])):
        for month, values in sorted(done[key].items()):
            if month > through_month:
                break
            ytd, growth, base = values
            pend = pending.get(key) if month == through_month else None
            if pend is None:
                rows.append(DemoRow(key[0], key[1], month, ytd, growth, base))
                continue
            returned: Values | None = None
            if pend.state == RETURNED:
                bad_ytd = None if ytd is None else (ytd * pend.ytd_factor).quantize(ytd)
                bad_growth = None if growth is None else growth + pend.growth_shift
                returned = (bad_ytd, bad_growth, base)
            rows.append(DemoRow(key[0], key[1], month, ytd, growth, base, pend.state, pend.comment, returned))
    return rows


def target_infos(targets: Iterable[Any]) -> list[TargetInfo]:
    """:class:`TargetInfo` for Target model instances (indicator, org_unit and relative_to selected)."""
    out = []
    for t in targets:
        ind = t.indicator
        out.append(
            TargetInfo(
                key=t.key,
                indicator=ind.code,
                unit=t.org_unit.code,
                value=t.value,
                comparator=t.comparator,
                measure=ind.measure,
                direction=ind.direction,
                accumulation=ind.accumulation,
                deadline_month=t.deadline.month if t.deadline and t.deadline.year == t.year else None,
                relative_to=t.relative_to.code if t.relative_to_id else None,
                entry_unit=ind.entry_unit,
                computed=bool(ind.computed_from),
            )
        )
    return out


# ----------------------------------------------------------------------------- the writer


@dataclass
class WriteStats:
    total: int = 0
    created: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    untouched: int = 0
    skipped_foreign: int = 0  # rows that exist but were not made by the demo: never touched
    final: dict[str, int] = field(default_factory=dict)


def _officer_for(unit: Any, officers: Mapping[int, Any]) -> Any:
    """The demo officer of ``unit`` or of its nearest ancestor (the county officer covers everything)."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i]
    for unit_id in reversed(ids):
        if unit_id in officers:
            return officers[unit_id]
    raise LookupError(f"no demo officer for {unit.code}")


def write(
    rows: list[DemoRow],
    *,
    year: int,
    officers: Mapping[int, Any],
    reviewer: Any,
    progress: Callable[[int, int], None] | None = None,
) -> WriteStats:
    """Enter ``rows`` through the services; idempotent (a row already in its final state is not touched).

    ``officers`` maps an org-unit id to the demo officer who enters that unit's data (and its children's).
    """
    from diaodu.orgunits.models import OrgUnit
    from diaodu.plans import services
    from diaodu.plans.models import Actual, Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(code__in={r.indicator for r in rows})}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.unit for r in rows})}
    existing = {
        (a.indicator_id, a.org_unit_id, a.month): a
        for a in Actual.objects.filter(
            year=year, indicator__in=indicators.values(), org_unit__in=units.values()
        )
    }
    stats = WriteStats(total=len(rows))
    for done, row in enumerate(rows, start=1):
        ind, unit = indicators[row.indicator], units[row.unit]
        officer = _officer_for(unit, officers)
        actual = existing.get((ind.pk, unit.pk, row.month))
        if actual is not None and actual.note != DEMO_NOTE:
            stats.skipped_foreign += 1
        else:
            actual = _advance(row, actual, ind, unit, year, officer, reviewer, stats, services)
            stats.final[actual.status] = stats.final.get(actual.status, 0) + 1
        if progress:
            progress(done, len(rows))
    return stats


def _advance(
    row: DemoRow,
    actual: Any,
    ind: Any,
    unit: Any,
    year: int,
    officer: Any,
    reviewer: Any,
    stats: WriteStats,
    services: Any,
) -> Any:
    """Move one row forward to ``row.state``: save → submit → approve (or return). Never backwards."""
    want = row.state
    current = actual.status if actual is not None else None
    if current == APPROVED or current == want or (want == DRAFT and current is not None):
        stats.untouched += 1
        return actual
    if current in (None, DRAFT, RETURNED):
        ytd, growth, base = row.returned_values if want == RETURNED and row.returned_values else row.values
        actual = services.save_actual(
            actor=officer,
            indicator=ind,
            org_unit=unit,
            year=year,
            month=row.month,
            ytd_value=ytd,
            growth_pct=growth,
            base_value=base,
            note=DEMO_NOTE,
        )
        stats.created += current is None
        if want == DRAFT:
            return actual
        actual = services.submit_actual(actual, actor=officer)
        stats.submitted += 1
    if want == RETURNED:
        actual = services.return_actual(actual, actor=reviewer, comment=row.comment or "请核实后重新报送。")
        stats.returned += 1
    elif want == APPROVED:
        actual = services.approve_actual(actual, actor=reviewer)
        stats.approved += 1
    return actual


def cjk_width(text: str) -> int:
    """Display width of ``text`` in a terminal (CJK characters take two columns)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], body: list[list[str]]) -> list[str]:
    """Left-aligned text table padded for CJK display widths."""
    widths = [max(cjk_width(r[i]) for r in [headers, *body]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - cjk_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in body)]
