"""Hand-written SQL for the overview part of the cockpit floor (:mod:`diaodu.scale.bench.cockpit`).

One statement per part of the overview (:func:`diaodu.cockpit.overview.build_overview`), each taking the unit
and the month the table statement returns (:data:`diaodu.scale.bench.cockpit.FLOOR_SQL`). Which tables each
statement reads:

* :data:`PERIOD_SQL` — ``plans_actual``, ``orgunits_orgunit``: the latest approved month in the user's scope,
  run only when the table statement (which finds that month too and returns it) returns no row.
* :data:`CARDS_SQL` — ``plans_target``, ``plans_indicator``, ``plans_plan`` (the unit's own targets, the main
  ones first, at most 12), their series for this year up to the month and for last year from ``plans_actual``
  (entered indicators) or from the unit's subtree rows of ``projects_projectrollup`` (indicators computed from
  projects, as :func:`diaodu.projects.metrics.indicator_series` reads them); then the year-end forecast of
  :mod:`diaodu.reviews.forecast` written out in SQL (profile share with the 时序进度 fallback, projected growth
  with the current-growth fallback) and the 预警 flag.
* :data:`PROJECT_MONTHS_SQL` — ``projects_projectrollup`` (the unit's subtree rows, months 1..month): the funnel
  (projects and those that reached each stage), investment plan vs cumulative actual by month, and the totals
  of key projects and of those behind their 序时计划.
* :data:`KEY_PROJECTS_SQL` — ``projects_projectyear``, ``projects_project``, ``orgunits_orgunit`` and
  ``projects_monthlyreport`` (the latest approved/locked report of the year per key project): the 30 largest key
  projects by annual plan and the first 30 behind their 序时计划, with plan and year-to-date investment.
* :data:`RED_TARGETS_SQL` — ``plans_target``, ``plans_targetlight`` (the stored light of the month),
  ``orgunits_orgunit``, ``plans_plan``, ``plans_indicator``: the first 30 red targets at or below the unit,
  with the stored figure and 超/欠进度 and the total count.
* :data:`RED_TASKS_SQL` — ``supervision_keytask``, ``plans_plan``, ``orgunits_orgunit``,
  ``supervision_milestone``: key tasks below the unit whose light is red at the month end (not completed by
  then, and past their deadline or a milestone's due date not done by then).
* :data:`OVERDUE_ITEMS_SQL` — ``supervision_supervisionitem``, ``orgunits_orgunit``: active 督办 items led from
  below the unit past their deadline at the month end.
* :data:`COLUMNS_SQL` — ``orgunits_orgunit`` (the zones, towns and subdistricts directly below the unit),
  ``plans_target`` + ``plans_targetlight`` (light counts of each one's subtree) and ``projects_projectrollup``
  (each one's subtree row of the month: key projects with a plan, done vs plan to date).

The stored tables (``projects_projectrollup``, ``plans_targetlight``) are read where the application reads them:
a hand-writer after the fastest correct SQL would read them too (they are exact, kept by the services).

Simplifications, none of which the synthetic data meets: the 预警 flag of an "=" target compares exactly (the
application rounds the projection to the target's written decimals first); scope is the unit's subtree (the
synthetic leaders see all of it; a narrower scope would need the visibility rules in every statement). The
monthly 序时计划 of the chart (annual plan × m / 12) and the display formatting are left to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable

from diaodu.projects import domain as project_domain
from diaodu.projects.metrics import METRICS
from diaodu.supervision import domain as supervision_domain

MAX_LISTED = 30
MAX_CARDS = 12
MAIN_SECTION = "主要预期目标"

PERIOD_SQL = """
SELECT MAX(a.year * 100 + a.month) FROM plans_actual a
WHERE a.status = 'approved' AND a.org_unit_id IN (SELECT id FROM orgunits_orgunit WHERE path LIKE %(scope_path)s)
"""

# metric key -> its value on a subtree rollup row ``r`` (the columns behind metrics.METRICS[...].from_rollup)
ROLLUP_METRIC: dict[str, str] = {
    "signed_ge_1yi_count": "r.signed_ge_1yi",
    "signed_ge_10yi_count": "r.signed_ge_10yi",
    "signed_ge_50yi_count": "r.signed_ge_50yi",
    "signed_ge_100yi_count": "r.signed_ge_100yi",
    "key_projects_count": "r.key_count",
    "city_key_projects_count": "r.city_key_count",
    "county_key_projects_count": "r.county_key_count",
    "key_total_investment_wan": "r.key_total_wan",
    "city_key_total_investment_wan": "r.city_key_total_wan",
    "county_key_total_investment_wan": "r.county_key_total_wan",
    "key_annual_investment_ytd_wan": "r.key_ytd_wan",
    "city_key_annual_investment_ytd_wan": "r.city_key_ytd_wan",
    "county_key_annual_investment_ytd_wan": "r.county_key_ytd_wan",
    "new_key_start_rate": "r.new_key_started * 1.0 / NULLIF(r.new_key_planned, 0)",
    "city_new_key_start_rate": "r.city_new_key_started * 1.0 / NULLIF(r.city_new_key_planned, 0)",
    "new_started_ge_1yi_count": "r.started_ge_1yi",
    "completed_ge_1yi_count": "r.completed_ge_1yi",
}


def _metric_value() -> str:
    """CASE expression: the computed indicator's value (in the indicator's unit) from the rollup row ``r``."""
    whens = []
    for key, expr in ROLLUP_METRIC.items():
        unit = METRICS[key].unit
        if unit == "万元":
            value = f"CASE WHEN m.unit = '亿元' THEN ({expr}) / 10000.0 ELSE ({expr}) END"
        elif unit == "fraction":
            value = f"CASE WHEN m.unit = '%%' THEN ({expr}) * 100 ELSE ({expr}) END"
        else:
            value = f"({expr})"
        whens.append(f"WHEN '{key}' THEN {value}")
    return "CASE m.computed_from " + " ".join(whens) + " END"


CARDS_SQL = """
WITH t AS (
    SELECT t.id, t.indicator_id, t.org_unit_id, t.value, t.comparator, t.section, t.sort_order, p.code,
           i.measure, i.accumulation, i.direction, i.computed_from, i.unit
    FROM plans_target t JOIN plans_indicator i ON i.id = t.indicator_id JOIN plans_plan p ON p.id = t.plan_id
    WHERE t.org_unit_id = %(unit_id)s AND t.year = %(year)s
), m AS (
    SELECT * FROM t
    WHERE t.section = '{main}' OR NOT EXISTS (SELECT 1 FROM t WHERE t.section = '{main}')
    ORDER BY t.code, t.sort_order, t.id LIMIT {max_cards}
), series AS (
    SELECT m.id AS target_id, a.year, a.month, a.ytd_value, a.growth_pct, a.base_value
    FROM m JOIN plans_actual a ON a.indicator_id = m.indicator_id AND a.org_unit_id = m.org_unit_id
    WHERE m.computed_from = '' AND a.status = 'approved'
      AND (a.year = %(year)s - 1 OR (a.year = %(year)s AND a.month <= %(month)s))
    UNION ALL
    SELECT v.target_id, v.year, v.month, v.ytd_value, NULL, NULL FROM (
        SELECT m.id AS target_id, r.year, r.month, {metric_value} AS ytd_value
        FROM m JOIN projects_projectrollup r ON r.org_unit_id = m.org_unit_id
        WHERE m.computed_from <> '' AND r.subtree AND r.projects > 0
          AND (r.year = %(year)s - 1 OR (r.year = %(year)s AND r.month <= %(month)s))
    ) v WHERE v.ytd_value IS NOT NULL
), latest AS (
    SELECT target_id, MAX(month) AS month FROM series WHERE year = %(year)s GROUP BY target_id
), obs AS (
    SELECT m.id, m.code, m.sort_order, m.value, m.comparator, m.measure, m.direction,
           m.value IS NOT NULL AND m.accumulation = 'ytd' AS forecastable,
           l.month, o.ytd_value, o.growth_pct,
           COALESCE(ly.ytd_value, o.base_value) AS last_same, ly12.ytd_value AS last_full,
           CASE WHEN o.growth_pct IS NOT NULL THEN o.growth_pct
                WHEN o.base_value > 0 THEN (o.ytd_value / o.base_value - 1) * 100 END AS observed_growth
    FROM m LEFT JOIN latest l ON l.target_id = m.id
    LEFT JOIN series o ON o.target_id = m.id AND o.year = %(year)s AND o.month = l.month
    LEFT JOIN series ly ON ly.target_id = m.id AND ly.year = %(year)s - 1 AND ly.month = l.month
    LEFT JOIN series ly12 ON ly12.target_id = m.id AND ly12.year = %(year)s - 1 AND ly12.month = 12
), shared AS (
    -- reviews.domain.forecast_year_end: last year's share of the full year by the same month, else 时序进度
    SELECT obs.*,
        CASE WHEN last_same > 0 AND last_full > 0 AND last_same <= last_full THEN last_same * 1.0 / last_full
             ELSE month / 12.0 END AS share
    FROM obs
), projected AS (
    -- reviews.forecast._one: the projected value, or for growth targets the projected full-year growth
    -- (falling back to the current growth when last year's full year is unknown)
    SELECT shared.*,
        CASE WHEN NOT forecastable OR month IS NULL THEN NULL
             WHEN measure = 'growth' THEN
                 COALESCE(CASE WHEN last_full > 0 THEN (ytd_value / share / last_full - 1) * 100 END,
                          observed_growth)
             ELSE ytd_value / share END AS projected
    FROM shared
)
SELECT id, month, measure, projected, observed_growth,
    -- reviews.forecast._warning (plans.domain.compare); "=" compares exactly (see the module docstring)
    CASE WHEN projected IS NULL THEN NULL
         WHEN comparator = '>=' THEN CASE WHEN projected >= value THEN 0 ELSE 1 END
         WHEN comparator = '<=' THEN CASE WHEN projected <= value THEN 0 ELSE 1 END
         WHEN comparator = '=' THEN CASE WHEN projected = value THEN 0 ELSE 1 END
         WHEN direction = 'higher' THEN CASE WHEN projected >= value - {tolerance} THEN 0 ELSE 1 END
         ELSE CASE WHEN projected <= value + {tolerance} THEN 0 ELSE 1 END
    END AS warning
FROM projected ORDER BY code, sort_order, id
"""

PROJECT_MONTHS_SQL = """
SELECT r.month, r.projects, {reached}, r.key_plan_wan, r.key_ytd_wan, r.key_count, r.key_behind
FROM projects_projectrollup r
WHERE r.org_unit_id = %(unit_id)s AND r.subtree AND r.year = %(year)s AND r.month <= %(month)s AND r.projects > 0
ORDER BY r.month
"""

KEY_PROJECTS_SQL = """
WITH k AS MATERIALIZED (  -- the year-to-date subquery once per key project (not inlined in both uses)
    SELECT py.project_id, pr.name, u.short_name, py.planned_investment_wan AS plan,
        COALESCE((SELECT r.ytd_wan FROM projects_monthlyreport r
                  WHERE r.project_id = py.project_id AND r.year = %(year)s AND r.month <= %(month)s
                    AND r.status IN ({counted}) ORDER BY r.month DESC LIMIT 1), 0) AS ytd
    FROM projects_projectyear py JOIN projects_project pr ON pr.id = py.project_id
    JOIN orgunits_orgunit u ON u.id = pr.org_unit_id
    WHERE py.year = %(year)s AND py.is_key AND u.path LIKE %(unit_path)s
), b AS (
    SELECT k.*, CASE WHEN k.plan > 0 AND k.plan * %(month)s - k.ytd * 12 > 0 THEN 1 ELSE 0 END AS behind FROM k
), n AS (
    SELECT b.*, ROW_NUMBER() OVER (ORDER BY b.plan DESC, b.project_id) AS rank,
        ROW_NUMBER() OVER (PARTITION BY b.behind ORDER BY b.plan DESC, b.project_id) AS behind_rank
    FROM b
)
SELECT project_id, name, short_name, plan, ytd, behind, rank, behind_rank FROM n
WHERE rank <= {limit} OR (behind = 1 AND behind_rank <= {limit})
"""

RED_TARGETS_SQL = """
SELECT t.id, i.code, u.code, tl.actual, tl.points, COUNT(*) OVER () AS total
FROM plans_target t
JOIN plans_targetlight tl ON tl.target_id = t.id AND tl.month = %(month)s AND tl.status = 'red'
JOIN orgunits_orgunit u ON u.id = t.org_unit_id
JOIN plans_plan p ON p.id = t.plan_id
JOIN plans_indicator i ON i.id = t.indicator_id
WHERE t.year = %(year)s AND u.path LIKE %(unit_path)s
ORDER BY p.code, t.sort_order, t.id LIMIT {limit}
"""

RED_TASKS_SQL = """
SELECT k.id, k.title, u.code, k.deadline
FROM supervision_keytask k JOIN plans_plan p ON p.id = k.plan_id JOIN orgunits_orgunit u ON u.id = k.owner_id
WHERE p.year = %(year)s AND u.path LIKE %(unit_path)s
  AND NOT (k.status = 'done' AND k.completed_on IS NOT NULL AND k.completed_on <= %(on)s)
  AND (k.deadline < %(on)s OR EXISTS (
        SELECT 1 FROM supervision_milestone ms
        WHERE ms.task_id = k.id AND ms.due < %(on)s AND (ms.done_on IS NULL OR ms.done_on > %(on)s)))
ORDER BY p.year, p.code, k.sort_order, k.id
"""

OVERDUE_ITEMS_SQL = """
SELECT s.id, s.number, s.title, u.code, s.deadline
FROM supervision_supervisionitem s JOIN orgunits_orgunit u ON u.id = s.lead_unit_id
WHERE s.status IN ({active}) AND s.deadline < %(on)s AND u.path LIKE %(unit_path)s
ORDER BY s.deadline, s.id
"""

COLUMNS_SQL = """
WITH c AS (
    SELECT id, path, sort_order FROM orgunits_orgunit
    WHERE parent_id = %(unit_id)s AND kind IN ('zone', 'town', 'subdistrict')
), l AS (
    SELECT c.id AS unit_id,
        SUM(CASE WHEN tl.status = 'green' THEN 1 ELSE 0 END) AS green,
        SUM(CASE WHEN tl.status = 'yellow' THEN 1 ELSE 0 END) AS yellow,
        SUM(CASE WHEN tl.status = 'red' THEN 1 ELSE 0 END) AS red,
        SUM(CASE WHEN tl.status = 'grey' THEN 1 ELSE 0 END) AS grey
    FROM c JOIN orgunits_orgunit u ON u.path LIKE c.path || '%%'
    JOIN plans_target t ON t.org_unit_id = u.id AND t.year = %(year)s
    JOIN plans_targetlight tl ON tl.target_id = t.id AND tl.month = %(month)s
    GROUP BY c.id
)
SELECT c.id, COALESCE(l.green, 0), COALESCE(l.yellow, 0), COALESCE(l.red, 0), COALESCE(l.grey, 0),
    COALESCE(r.key_planned_count, 0), COALESCE(r.key_planned_ytd_wan, 0), COALESCE(r.key_plan_wan, 0)
FROM c LEFT JOIN l ON l.unit_id = c.id
LEFT JOIN projects_projectrollup r ON r.org_unit_id = c.id AND r.subtree AND r.year = %(year)s
    AND r.month = %(month)s AND r.projects > 0
ORDER BY c.sort_order, c.id
"""

REACHED_STAGES = [str(s) for s in project_domain.PIPELINE[1:]]


def _quoted(values: Iterable[object]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(str(x) for x in values))


def statements() -> dict[str, str]:
    """The overview statements (both dialects: only standard SQL), by part."""
    return {
        "cards": CARDS_SQL.format(
            main=MAIN_SECTION,
            max_cards=MAX_CARDS,
            metric_value=_metric_value(),
            # "~": 0.5 points for growth/ratio targets, 0.5 %% of |target| otherwise (domain.TargetSpec)
            tolerance="CASE WHEN measure IN ('growth', 'ratio') THEN 0.5 ELSE ABS(value) * 0.5 / 100 END",
        ),
        "project_months": PROJECT_MONTHS_SQL.format(
            reached=", ".join(f"r.reached_{s}" for s in REACHED_STAGES)
        ),
        "key_projects": KEY_PROJECTS_SQL.format(
            counted=_quoted(project_domain.COUNTED_REPORT_STATES), limit=MAX_LISTED
        ),
        "red_targets": RED_TARGETS_SQL.format(limit=MAX_LISTED),
        "red_tasks": RED_TASKS_SQL,
        "overdue_items": OVERDUE_ITEMS_SQL.format(active=_quoted(supervision_domain.ACTIVE)),
        "columns": COLUMNS_SQL,
    }
