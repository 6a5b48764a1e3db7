"""``diaodu demo``: the demo dataset, its status mix, the review queue, and idempotency."""

from __future__ import annotations

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diaodu.accounts import roles
from diaodu.accounts.models import User
from diaodu.audit.models import AuditEvent
from diaodu.core.demo import actuals as demo
from diaodu.core.demo.users import DEMO_USERS
from diaodu.orgunits import guanyun
from diaodu.orgunits.models import OrgUnit
from diaodu.plans.evaluation import evaluate_targets, status_counts
from diaodu.plans.models import Actual, ActualStatus, Plan, Target

GDP = demo.TargetInfo("gdp", "gdp", "320723", Decimal(7), ">=", "growth", "higher", "ytd", entry_unit="亿元")
INCOME = demo.TargetInfo(
    "income", "disposable_income", "320723", None, "~", "growth", "higher", "ytd", relative_to="gdp"
)
SIGNED = demo.TargetInfo(
    "signed", "signed_projects_100m", "320723", Decimal(160), ">=", "count", "higher", "ytd", entry_unit="个"
)


def test_generator_is_reproducible_and_leaves_the_global_random_state_alone() -> None:
    random.seed(1234)
    expected_next = random.random()
    random.seed(1234)
    first = demo.generate([GDP, INCOME, SIGNED], through_month=9)
    assert random.random() == expected_next  # no draws from the global generator
    assert demo.generate([SIGNED, INCOME, GDP], through_month=9) == first
    # A row's values do not depend on how far the demo runs.
    later = {(r.indicator, r.month): r.values for r in demo.generate([GDP, INCOME, SIGNED], through_month=12)}
    assert all(later[(r.indicator, r.month)] == r.values for r in first)

    signed = [r.ytd_value or Decimal(-1) for r in first if r.indicator == "signed_projects_100m"]
    assert signed == sorted(signed) and all(
        v >= 0 and v == v.to_integral_value() for v in signed
    )  # counts ramp up
    for r in (r for r in first if r.indicator == "gdp"):  # ~430亿 a year, YTD pro rata, growth at or above 7%
        assert r.growth_pct is not None and r.growth_pct >= 7
        assert (
            r.base_value
            and r.ytd_value
            and Decimal(300) * r.month / 12 < r.ytd_value < Decimal(600) * r.month / 12
        )


@pytest.mark.django_db
def test_demo_builds_a_realistic_dataset_and_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    # Eleven PBKDF2 hashes would take most of this test's time; the hasher is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    text = out.getvalue()

    assert OrgUnit.objects.count() == len(guanyun.guanyun_units()) + len(guanyun.peer_units())
    plan = Plan.objects.get(code="guanyun-2025")
    targets = Target.objects.filter(plan=plan)
    assert targets.count() >= 45

    users = {u.username: u for u in User.objects.prefetch_related("roles")}
    held = {r.code for u in users.values() for r in u.roles.all()}
    assert held >= {
        roles.COUNTY_LEADER,
        roles.REVIEWER,
        roles.UNIT_OFFICER,
        roles.SYSTEM_ADMIN,
        roles.SECURITY_ADMIN,
        roles.AUDIT_ADMIN,
    }
    assert {d.username for d in DEMO_USERS} <= set(users)

    # Peers' published figures are labelled demo data too, with their own note.
    peers = Actual.objects.filter(year=2025, org_unit__is_external=True)
    assert peers.exists()
    assert all(note.startswith(demo.DEMO_NOTE) for note in peers.values_list("note", flat=True))
    rows = Actual.objects.filter(year=2025, org_unit__is_external=False)
    assert rows.count() > 200
    # Indicators computed from the project library are never entered: their actuals come from the demo projects.
    assert not rows.exclude(indicator__computed_from="").exists()
    assert set(rows.values_list("note", flat=True)) == {demo.DEMO_NOTE}
    assert not rows.filter(month__gt=9).exists()
    # Entered by unit officers, approved by the reviewer — never by the same person.
    approved = rows.filter(status=ActualStatus.APPROVED)
    assert set(approved.values_list("reviewed_by__username", flat=True)) == {"tjj"}
    assert set(approved.values_list("submitted_by__username", flat=True)) >= {"county", "lingang", "kaifaqu"}
    assert not approved.filter(submitted_by=users["tjj"]).exists()

    # The reviewer's queue has work in the last month; returned rows carry a comment.
    queue = rows.filter(month=9)
    assert 3 <= queue.filter(status=ActualStatus.SUBMITTED).count() <= 5
    returned = queue.filter(status=ActualStatus.RETURNED)
    assert 1 <= returned.count() <= 2 and all(r.review_comment for r in returned)
    assert queue.filter(status=ActualStatus.DRAFT).exists()
    assert not rows.filter(month__lt=9).exclude(status=ActualStatus.APPROVED).exists()

    counts = status_counts(evaluate_targets(targets, year=2025, as_of_month=9))
    total = sum(counts.values())
    assert counts["green"] > 0 and counts["yellow"] > 0 and counts["red"] > 0
    assert 0.55 <= counts["green"] / total <= 0.65
    assert 0.10 <= counts["yellow"] / total <= 0.20
    assert 0.20 <= counts["red"] / total <= 0.30
    assert 2 <= counts["grey"] <= 4
    assert (
        f"演示数据已就绪：目标 {total} 个（绿 {counts['green']} / 黄 {counts['yellow']} / "
        f"红 {counts['red']} / 灰 {counts['grey']}）"
    ) in text
    assert "以下账号仅用于演示，请勿在生产环境使用" in text

    # Second run: nothing new, nothing changed, no audit rows.
    actual_state = sorted(rows.values_list("pk", "status", "version", "ytd_value"))
    peer_state = list(peers.values_list("pk", "ytd_value"))
    audit_count = AuditEvent.objects.count()
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    assert sorted(rows.values_list("pk", "status", "version", "ytd_value")) == actual_state
    assert sorted(peers.values_list("pk", "ytd_value")) == sorted(peer_state)
    assert AuditEvent.objects.count() == audit_count
    assert "无变更" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("through", ["2024-09", "2025-13", "September"])
def test_demo_rejects_a_bad_through_month(through: str) -> None:
    with pytest.raises(CommandError):
        call_command("demo", "--through", through, stdout=StringIO())
