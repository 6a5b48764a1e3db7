"""The configuration administrator edits pre-review rules as new, audited versions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from diaodu.audit.models import AuditEvent
from diaodu.projects.models import RuleSet
from diaodu.projects.rulesets import parse_rules

pytestmark = pytest.mark.django_db

RULES = (
    "投资强度下限（万元/亩） | 投资强度 | 420 |\nmin_tax_per_mu | 亩均税收 | 20 |\n人工核查项 | 安评初审 | |"
)


def test_it_parses_lines_and_locates_errors() -> None:
    rules = parse_rules(RULES)
    assert [r.kind for r in rules] == ["min_intensity", "min_tax_per_mu", "manual"]
    assert rules[0].threshold == Decimal(420)
    with pytest.raises(Exception, match="第2行：未知的规则类型“最低产值”"):
        parse_rules("min_total | 总投资 | 10000 |\n最低产值 | x | 1 |")
    with pytest.raises(Exception, match="第1行：阈值“四百”不是数字"):
        parse_rules("min_intensity | 投资强度 | 四百 |")


def test_sysadmin_publishes_versions_and_others_are_refused(client, personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    park = orgunits["320723-Z01-P01"]
    data = {"org_unit": park.pk, "name": "化工园区准入", "note": "县委经济工作会议", "rules": RULES}
    client.force_login(personas["fgw"])
    assert client.post("/projects/rulesets/", data).status_code == 403
    assert not RuleSet.objects.exists()
    client.force_login(personas["sysadmin"])
    assert client.post("/projects/rulesets/", data).status_code == 302
    data["rules"] = RULES.replace("420", "450")
    assert client.post("/projects/rulesets/", data).status_code == 302
    versions = list(
        RuleSet.objects.filter(name="化工园区准入").order_by("version").values_list("version", "is_active")
    )
    assert versions == [(1, False), (2, True)]
    page = client.get("/projects/rulesets/").content.decode()
    assert "第2版" in page and "| 450 |" in page
    assert AuditEvent.objects.filter(object_type="projects.ruleset").count() == 2
    bad = client.post("/projects/rulesets/", data | {"rules": "x | y | z |"})
    assert bad.status_code == 200 and "第1行" in bad.content.decode()
    assert RuleSet.objects.count() == 2
