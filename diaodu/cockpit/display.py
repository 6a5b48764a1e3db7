"""What the cockpit's templates print in their long loops (table rows, cards, the zones and towns, the behind list,
the key projects, an indicator's targets), computed once per page as plain dicts of strings already escaped.

Why: a cockpit prints about 1,500 values in its loops. A ``{{ row.target.indicator.code }}`` costs the template
about 7 µs (each lookup tried as a key before the attribute, properties, a lazy translation read per row, the
escape through ``keep_lazy``, a ``{% url %}`` per row); a value of a dict already escaped about 1 µs. The
templates keep the markup and every word to translate; this module gives them the values: the same text the
objects gave (``test_display.py`` renders the pages as the templates did before, in both languages).

Every value is escaped here (:func:`esc`, as the template would: :func:`django.utils.html.escape`) and marked
safe, so the template prints it as is; a value left a plain ``str`` would still be escaped by the template.
Conditions the templates test stay plain values (booleans, "" for nothing).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString

from diaodu.cockpit.board import LEVEL_BADGES, STATUS_LABELS, Board, BoardRow, IndicatorDetail
from diaodu.cockpit.overview import Overview, memo_url
from diaodu.plans.models import Level, Measure


def esc(value: Any) -> SafeString:
    """``value`` as the template prints it: ``str`` then :func:`django.utils.html.escape` (the same
    :func:`html.escape`, without the lazy-argument check that costs a template a microsecond per value)."""
    return SafeString(html.escape(str(value)))


def _labels() -> dict[str, SafeString]:
    """The status labels in the active language, escaped (once per page, not once per row)."""
    return {str(s): esc(label) for s, label in STATUS_LABELS.items()}


def _badges() -> dict[str, SafeString]:
    return {str(level): esc(badge) for level, badge in LEVEL_BADGES.items()}


def _unit_query(code: str) -> str:
    """``unit=…`` as ``?unit={{ code|urlencode }}`` gives it (the filter: :func:`urllib.parse.quote`)."""
    return f"unit={quote(code)}"


def _row_cells(
    row: BoardRow,
    labels: dict[str, SafeString],
    badges: dict[str, SafeString],
    indicator_path: Callable[[str], str] | None = None,
    month: str = "",
) -> dict[str, Any]:
    """The cells of a target's row (:class:`BoardRow`) common to the table, the cards and the indicator page;
    ``href``: the target's indicator page (``indicator_path``, :func:`memo_url`) with its unit and ``month``
    (``&month=…``), "" without ``indicator_path``."""
    ev = row.ev
    status = row.status
    target = row.target
    href = ""
    if indicator_path is not None:
        href = f"{indicator_path(target.indicator.code)}?{_unit_query(target.org_unit.code)}{month}"
    points = row.points_text
    behind = row.points_behind
    return {
        "status": esc(status),
        "status_label": labels[status],
        "href": esc(href),
        "name": esc(target.indicator.name),
        "target_text": esc(row.target_text),
        "committed": target.level == Level.COMMITTED,
        "level_badge": badges.get(target.level, ""),
        "actual": esc(row.actual_text or "—"),
        "completion": esc(row.completion_text),
        "month": esc(ev.data_month) if ev.data_month else "",
        "schedule": esc(row.schedule_text or "—"),
        "points": esc(points),
        "points_or_dash": esc(points or "—"),
        "points_class": ("points-behind" if behind else "points-ahead") if points else "",
        "quote": esc(target.quote),
    }


def board_sections(board: Board) -> list[dict[str, Any]]:
    """The table's sections (name and rows) of ``_board.html``."""
    labels, badges = _labels(), _badges()
    indicator_path = memo_url("cockpit:indicator")
    month = f"&month={board.period}"
    out = []
    for section in board.sections:
        rows = []
        for row in section.rows:
            cells = _row_cells(row, labels, badges, indicator_path, month)
            cells["key"] = esc(row.target.key)
            cells["unit"] = esc(row.target.org_unit.display_short)
            rows.append(cells)
        out.append({"name": esc(section.name), "rows": rows})
    return out


def overview_parts(ov: Overview) -> dict[str, Any]:
    """The cards, the zones and towns, the behind list and the key projects of ``_overview.html``."""
    labels, badges = _labels(), _badges()
    indicator_path = memo_url("cockpit:indicator")
    home = reverse("cockpit:home")
    month = f"&month={ov.period}"
    cards = []
    for card in ov.cards:
        row = card.row
        cells = _row_cells(row, labels, badges, indicator_path, month)
        growth = card.growth_text if row.target.indicator.measure != Measure.GROWTH else ""
        forecast = card.forecast
        cells |= {
            "growth": esc(growth),
            "forecast": esc(card.forecast_text),
            "note": esc(forecast.note) if forecast is not None else "",
            "warning": bool(forecast is not None and forecast.warning),
            "warning_since": esc(forecast.warning_since) if forecast and forecast.warning_since else "",
        }
        cards.append(cells)
    columns = [
        {
            "code": esc(col.unit.code),
            "behind": col.behind,
            "href": esc(f"{home}?{_unit_query(col.unit.code)}{month}"),
            "name": esc(col.unit.name),
            "green": esc(col.counts["green"]),
            "yellow": esc(col.counts["yellow"]),
            "red": esc(col.counts["red"]),
            "grey": esc(col.counts["grey"]),
            "key_projects": esc(col.key_projects),
            "completion": esc(col.completion_text or "—"),
        }
        for col in ov.columns
    ]
    behind = [
        {
            "url": esc(b.url),
            "kind": esc(b.kind),
            "kind_label": esc(b.kind_label),
            "title": esc(b.title),
            "unit": esc(b.unit),
            "detail": esc(b.detail),
        }
        for b in ov.behind
    ]
    projects = [
        {
            "behind": p["behind"],
            "url": esc(p["url"]),
            "name": esc(p["name"]),
            "unit": esc(p["unit"]),
            "plan": esc(p["plan"]),
            "done": esc(p["done"]),
            "pct": esc(p["pct"] or "—"),
        }
        for p in ov.projects
    ]
    return {"cards": cards, "columns": columns, "behind": behind, "projects": projects}


def indicator_parts(detail: IndicatorDetail) -> dict[str, Any]:
    """The targets' rows and the months' rows (with a light per target) of ``_indicator_body.html``."""
    labels, badges = _labels(), _badges()
    months = [
        {
            "month": esc(m.month),
            "actual": esc(m.actual_text or "—"),
            "growth": esc(m.growth_text or "—"),
            "base": esc(m.base_text or "—"),
            "lights": [(esc(status), esc(label)) for status, label in m.lights],
        }
        for m in detail.months
    ]
    return {"rows": [_row_cells(row, labels, badges) for row in detail.rows], "months": months}
