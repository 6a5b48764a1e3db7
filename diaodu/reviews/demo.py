"""Demo data of the reviews app (演示数据（合成）): the zone and town peer groups, the Lianyungang peers' published
figures for the county's main growth indicators, and two quarterly reviews (二季度 published, 三季度 being scored).

Idempotent: peer figures go through :func:`diaodu.reviews.services.enter_peer_value` (an unchanged figure writes
nothing); the groups and sessions are created once. Values are synthetic and reproducible (``random.Random``
seeded with the codes), labelled in the ``note`` of every peer figure.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from diaodu.orgunits import guanyun
from diaodu.orgunits.models import OrgUnit, PeerGroup
from diaodu.plans.models import Actual, ActualStatus, Measure, Target
from diaodu.reviews import services
from diaodu.reviews.models import ReviewSession, ScoringScheme

DEMO_NOTE = "演示数据（合成）·对标单位公布数"
ZONES_GROUP = ("gy-zones", "灌云县园区板块")
TOWNS_GROUP = ("gy-towns", "灌云县镇街")
RATERS = ("评委甲", "评委乙", "评委丙", "评委丁", "评委戊", "评委己", "评委庚")
MAIN_SECTION = "主要预期目标"


def ensure_groups() -> list[PeerGroup]:
    """The zones-among-zones and towns-among-towns groups (the county's group is seeded with the org units)."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith=guanyun.COUNTY)}
    zones = [u for u in units.values() if u.kind == "zone"]
    towns = [u for u in units.values() if u.kind in ("town", "subdistrict")]
    out = []
    for (code, name), members in ((ZONES_GROUP, zones), (TOWNS_GROUP, towns)):
        group, created = PeerGroup.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            group.members.set(members)
        out.append(group)
    return out


def _peer_growth(indicator: str, peer: str, month: int, county: Decimal | None) -> Decimal:
    rng = random.Random(f"{indicator}:{peer}")
    level = Decimal(rng.randint(-60, 60)) / 10  # the peer's offset to the county, ±6 points
    drift = Decimal(rng.randint(-8, 8)) / 10 * (month - 6) / 6  # a slow trend across the year
    base = county if county is not None else Decimal(8)
    return (base + level + drift).quantize(Decimal("0.1"))


def load_peer_values(*, reviewer: Any, through_month: int) -> int:
    """Peers' growth for the county's main growth indicators, January … ``through_month``; returns the rows
    written. The county's own approved figure anchors each peer's synthetic value."""
    county = OrgUnit.objects.get(code=guanyun.COUNTY)
    peers = list(OrgUnit.objects.filter(code__in=[c for c, _n, _s in guanyun.PEERS]).order_by("code"))
    targets = Target.objects.filter(org_unit=county, section=MAIN_SECTION, indicator__measure=Measure.GROWTH)
    indicators = {t.indicator for t in targets.select_related("indicator")}
    own = {
        (a.indicator_id, a.month): a.growth_pct
        for a in Actual.objects.filter(
            org_unit=county, status=ActualStatus.APPROVED, indicator__in=indicators
        )
        if a.growth_pct is not None
    }
    year = targets.values_list("year", flat=True).first()
    if year is None:
        return 0
    written = 0
    for ind in sorted(indicators, key=lambda i: i.code):
        for peer in peers:
            for month in range(1, through_month + 1):
                before = (
                    Actual.objects.filter(indicator=ind, org_unit=peer, year=year, month=month)
                    .values_list("version", flat=True)
                    .first()
                )
                a = services.enter_peer_value(
                    actor=reviewer,
                    indicator=ind,
                    org_unit=peer,
                    year=year,
                    month=month,
                    growth_pct=_peer_growth(ind.code, peer.code, month, own.get((ind.pk, month))),
                    note=DEMO_NOTE,
                )
                written += a.version != before
    return written


def _sheet(unit_code: str, rater: str) -> Decimal:
    rng = random.Random(f"{unit_code}:{rater}")
    return Decimal(rng.randint(68, 96))


def load_sessions(*, users: dict[str, Any], year: int, through_month: int) -> int:
    if ReviewSession.objects.filter(title__endswith="（演示）").exists():
        return 0
    office = users["dcs"]
    county = OrgUnit.objects.get(code=guanyun.COUNTY)
    scheme, _created = ScoringScheme.objects.get_or_create(
        code="quarterly",
        version=1,
        defaults={
            "name": "季度观摩点评评分办法",
            "note": "目标完成40、项目推进25、督办时效5、现场观摩30（演示）",
        },
    )
    reviewed = list(
        OrgUnit.objects.filter(parent=county, kind__in=("zone", "town", "subdistrict")).order_by("sort_order")
    )
    created = 0
    for quarter in (2, 3):
        if quarter * 3 > through_month:
            continue
        session = ReviewSession.objects.create(
            title=f"{year}年第{quarter}季度项目观摩点评（演示）",
            year=year,
            quarter=quarter,
            org_unit=county,
            scheme=scheme,
        )
        session.units.set(reviewed)
        raters = RATERS if quarter == 2 else RATERS[:4]  # Q3: still being scored, no trimming yet
        for rater in raters:
            services.set_rater_scores(
                session,
                actor=office,
                rater=rater,
                scores={u.pk: _sheet(f"{u.code}:{quarter}", rater) for u in reviewed},
            )
        if quarter == 2:
            results = services.publish_session(session, actor=office)
            worst = sorted((r for r in results if r.rank), key=lambda r: -(r.rank or 0))[:2]
            for r in worst:
                services.add_comment(
                    session,
                    actor=office,
                    org_unit=r.org_unit,
                    text="项目推进偏慢，开工率和投资完成率低于序时进度，请对照清单挂图作战、倒排工期。（演示）",
                )
        created += 1
    return created


def load_demo_reviews(
    *, users: dict[str, Any], through_month: int = 9, log: Callable[[str], None] | None = None
) -> None:
    say = log or (lambda _msg: None)
    with transaction.atomic():
        ensure_groups()
        n = load_peer_values(reviewer=users["tjj"], through_month=through_month)
        year = (
            Target.objects.filter(org_unit__code=guanyun.COUNTY).values_list("year", flat=True).first()
            or 2025
        )
        sessions = load_sessions(users=users, year=year, through_month=through_month)
    say(
        f"对标单位公布数（演示）：{'写入 ' + str(n) + ' 条' if n else '已存在，无变更'}；"
        f"季度点评（演示）：{'新建 ' + str(sessions) + ' 场' if sessions else '已存在'}。"
    )
