from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEECH_FILE = REPO_ROOT.parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"
PLAN_FILE = REPO_ROOT / "plans" / "guanyun-2025.yaml"


@pytest.fixture
def seed_speech() -> Path:
    if not SPEECH_FILE.is_file():
        pytest.skip(f"seed speech not available at {SPEECH_FILE}")
    return SPEECH_FILE


SAMPLE = """一、2025年主要目标
全县地区生产总值增长7%以上，一般公共预算收入增长2%以上，实际利用外资5000万美元。
二、重点工作
要拓展提升临港产业区。签约投资过亿元重点产业项目20个以上，其中过10亿元3个以上；6月底前完成石化产业基地总体规划编制。
"""


@pytest.fixture
def plan(orgunits):  # type: ignore[no-untyped-def]
    from diaodu.plans.models import Plan

    return Plan.objects.create(
        code="draft-2025", title="灌云县2025年目标（草案）", year=2025, org_unit=orgunits["320723"]
    )


@pytest.fixture
def indicators(db):  # type: ignore[no-untyped-def]
    """A small catalogue: GDP growth and FDI in 万美元."""
    from diaodu.plans.models import Indicator

    gdp = Indicator.objects.create(
        code="gdp", name="地区生产总值", unit="%", value_unit="亿元", measure="growth"
    )
    fdi = Indicator.objects.create(
        code="fdi_utilised", name="实际利用外资", unit="万美元", measure="absolute", rollup="sum"
    )
    return {"gdp": gdp, "fdi": fdi}


@pytest.fixture
def document(plan, indicators, personas):  # type: ignore[no-untyped-def]
    from diaodu.compiler import services

    return services.upload_document(actor=personas["fgw"], plan=plan, raw_text=SAMPLE, filename="讲话.txt")


def item_named(document, name):  # type: ignore[no-untyped-def]
    return document.items.get(indicator_name=name)
