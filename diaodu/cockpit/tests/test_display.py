"""The pages print from the display values (display.py) the HTML the templates printed from the objects before:
the templates as they were (``reference/``, commit f2801e4) rendered with the objects, against the templates
rendered with the display values, for the whole demo (cards with forecasts and warnings, every light, the zones
and towns, red targets, tasks, overdue items and projects in the behind list), with names and quotes that need
escaping, at the county and a town, each with and without its units below, in Chinese and in English."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from diaodu.accounts.models import User
from diaodu.cockpit import board, display, overview
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.models import Indicator, Target
from diaodu.plans.periods import Period

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).parent / "reference"
HOSTILE = "<b>&\"'</b>"


def reference(name: str, context: dict[str, Any], request: Any) -> str:
    """``name`` (``_board.html``…) as the template was before the display values, rendered with ``context``."""
    return engines["django"].from_string((REFERENCE / name).read_text()).render(context, request)


def squeeze(page: str) -> str:
    """The HTML with runs of whitespace as one space (the templates' line breaks may differ)."""
    return re.sub(r"\s+", " ", page)


@pytest.fixture
def demo() -> Any:
    call_command("demo", "--through", "2025-09", stdout=io.StringIO(), stderr=io.StringIO())
    # names and a quote that the templates must escape, on rows of the county and of a town
    ind = Target.objects.filter(org_unit__code="320723", year=2025).order_by("sort_order").first()
    assert ind is not None
    Indicator.objects.filter(pk=ind.indicator_id).update(name=f"生产总值{HOSTILE}")
    Target.objects.filter(pk=ind.pk).update(quote=f"原文{HOSTILE}")
    OrgUnit.objects.filter(code="320723-T02").update(name=f"伊山镇{HOSTILE}", short_name="")
    return User.objects.get(username="leader")


LANGUAGES = ("zh-hans", "en")
PAGES = [("320723", False), ("320723", True), ("320723-T02", False), ("320723-T02", True)]  # unit, with below


def test_the_cockpit_prints_what_it_printed_before(demo) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = demo
    period = Period(2025, 9)
    for language in LANGUAGES:
        for code, below in PAGES:
            unit = board.resolve_unit(demo, code)
            with translation.override(language):
                table = board.build_board(demo, unit, period, include_below=below, with_last_year=True)
                ov = overview.build_overview(
                    demo, unit, period, table.own_results(), table.last_year, table.project_months
                )
                context = {"board": table, "overview": ov}
                new = context | {
                    "sections": display.board_sections(table),
                    "parts": display.overview_parts(ov),
                }
                old_board = reference("_board.html", context, request)
                new_board = render_to_string("cockpit/_board.html", new, request)
                old_ov = reference("_overview.html", context, request)
                new_ov = render_to_string("cockpit/_overview.html", new, request)
            assert squeeze(new_board) == squeeze(old_board), (language, code, below)
            assert squeeze(new_ov) == squeeze(old_ov), (language, code, below)
            # what the comparison covered
            page = old_board + old_ov
            assert ('data-testid="target-row"' in page) == (below or code == "320723")
            assert "&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;" in page
            if code == "320723" and not below:
                assert 'data-kind="target"' in page and 'data-kind="project"' in page
                assert 'data-testid="main-card"' in page and 'data-testid="warning"' in page
                assert 'data-testid="unit-column"' in page and 'class="row-behind"' in page
                assert "points-behind" in page and "points-ahead" in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_indicator_page_prints_what_it_printed_before(demo, language) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = demo
    period = Period(2025, 9)
    shown = 0
    for unit in OrgUnit.objects.filter(code__in=["320723", "320723-T02"]):
        # every indicator with a target at the unit, and one without
        codes = set(Target.objects.filter(org_unit=unit, year=2025).values_list("indicator__code", flat=True))
        other = Indicator.objects.exclude(code__in=codes).order_by("code").first()
        assert other is not None
        for ind in Indicator.objects.filter(code__in=[*codes, other.code]):
            with translation.override(language):
                detail = board.build_indicator_detail(demo, ind, unit, period.year)
                context = {"detail": detail, "period": period}
                old = reference("_indicator_body.html", context, request)
                parts = display.indicator_parts(detail)
                new = render_to_string("cockpit/_indicator_body.html", context | {"parts": parts}, request)
            assert squeeze(new) == squeeze(old), ind.code
            shown += len(detail.rows)
    assert shown
