"""Demo projects (演示数据) consistent with the 2025 speech, written through the project services.

* 100 key projects for 2025: 47 市级 (281.9亿 total, 157.6亿 planned for the year) and 53 县级 (144.6亿 / 67.0亿);
  the exact 万元 amounts are chosen so that each of the six speech figures, and the totals 426.4亿 / 224.6亿,
  come out when rounded to 0.1亿 (281.9 + 144.6 = 426.5 in the speech's own rounding).
* The projects the speech names, with its amounts where it gives them; every other project is synthetic and
  its name ends in “（演示）”. Every demo project's construction content starts with :data:`DEMO_TAG`.
* About 200 pipeline projects in 在谈/签约 (a capital increase and a change of investor among them), the
  chemical park's pre-review rule (420万元/亩, 20万元/亩) with a few failures and one override, approvals with
  容缺 documents, and approved monthly reports from January to the demo month (the last month mixed).

Values come from a ``random.Random`` with a fixed seed, so two runs give the same data; the whole load is
skipped when demo projects exist already (idempotent, no audit rows written the second time).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from diaodu.orgunits.models import OrgUnit
from diaodu.projects import domain, services
from diaodu.projects.domain import Category, Chain, Level, Stage
from diaodu.projects.models import (
    ApprovalStatus,
    ApprovalTemplate,
    ApprovalTemplateItem,
    MonthlyReport,
    Project,
    ProjectYear,
    Signing,
)

DEMO_TAG = "【演示数据】"
YEAR = 2025
SEED = 20250101
C = "320723"
Z01, P01, Z02 = f"{C}-Z01", f"{C}-Z01-P01", f"{C}-Z02"
Z02_PARKS = [f"{C}-Z02-P01", f"{C}-Z02-P02", f"{C}-Z02-P03"]
KEY_TOWNS = ["T02", "T09", "T03", "T06", "T10"]
OTHER_TOWNS = ["T01", "T05", "T07", "T08", "T11", "T12", "T13"]
# 东王集 and 南岗 have no project in the demo yet: their cluster targets stay grey (no data, not zero).
IZ = [f"{C}-{t}-IZ" for t in KEY_TOWNS + OTHER_TOWNS if t not in {"T11", "T13"}]

# The speech's key-project figures in 万元, chosen to round (0.1亿) to every published figure.
CITY_TOTAL, CITY_PLAN = 2_818_600, 1_576_000  # 281.86亿 -> 281.9; 157.60亿 -> 157.6
COUNTY_TOTAL, COUNTY_PLAN = 1_445_600, 670_000  # 144.56亿 -> 144.6; 67.00亿 -> 67.0
# together 426.42亿 -> 426.4 and 224.60亿 -> 224.6
CITY_COUNT, COUNTY_COUNT = 47, 53

PRODUCTS: dict[str, list[tuple[str, str]]] = {
    Chain.PETROCHEM: [
        ("高端聚烯烃", "C2651"),
        ("电子化学品", "C2669"),
        ("特种树脂", "C2651"),
        ("精细化工中间体", "C2614"),
        ("可降解材料", "C2653"),
    ],
    Chain.EQUIPMENT: [
        ("智能装备", "C3490"),
        ("新能源汽车零部件", "C3670"),
        ("高端阀门", "C3443"),
        ("海工装备", "C3737"),
        ("储能设备", "C3841"),
    ],
    Chain.FOOD: [
        ("健康食品", "C1491"),
        ("功能饮品", "C1529"),
        ("预制菜", "C1439"),
        ("粮油精深加工", "C1331"),
    ],
    Chain.TEXTILE: [("功能纺织", "C1751"), ("服装智造", "C1811"), ("家纺", "C1771")],
    Chain.MARINE: [("海洋生物", "C2760"), ("海产品加工", "C1361"), ("冷链物流", "G5960")],
    Chain.OTHER: [("新型建材", "C3021"), ("木制品", "C2039"), ("电子元器件", "C3981")],
}
NON_INDUSTRY: dict[str, list[str]] = {
    Category.INFRASTRUCTURE: ["道路提升工程", "污水处理厂", "综合管廊", "港区疏港公路"],
    Category.LIVELIHOOD: ["实验学校", "人民医院病房楼", "养老服务中心", "安置小区"],
}
UNIT_NAMES = {Z01: "临港", P01: "化工园区", Z02: "开发区"}


@dataclass
class KeySeed:
    name: str
    unit: str
    level: str
    total: int
    plan: int
    is_new: bool
    chain: str = Chain.OTHER
    category: str = Category.INDUSTRY
    industry: str = ""
    synthetic: bool = True
    content: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


NAMED_KEY = [
    KeySeed(
        "嘉澳生物航煤项目",
        P01,
        Level.CITY,
        350_000,
        80_000,
        False,
        Chain.PETROCHEM,
        industry="C2511",
        synthetic=False,
        content="年产50万吨生物航煤及配套装置",
    ),
    KeySeed(
        "盛邦芳纶项目",
        P01,
        Level.CITY,
        200_000,
        120_000,
        False,
        Chain.PETROCHEM,
        industry="C2829",
        synthetic=False,
        content="对位芳纶及配套原料生产线",
    ),
    KeySeed(
        "碱业公司项目",
        P01,
        Level.CITY,
        260_000,
        150_000,
        False,
        Chain.PETROCHEM,
        industry="C2612",
        synthetic=False,
        content="纯碱及联产项目",
    ),
    KeySeed(
        "燕尾作业区码头三期工程",
        Z01,
        Level.CITY,
        150_000,
        80_000,
        False,
        Chain.MARINE,
        Category.INFRASTRUCTURE,
        "G5531",
        synthetic=False,
        content="新建万吨级通用泊位及配套设施",
    ),
    KeySeed(
        "中北资本海洋经济三产融合项目",
        Z01,
        Level.CITY,
        100_000,
        60_000,
        True,
        Chain.MARINE,
        industry="C1361",
        synthetic=False,
        content="海产品加工、冷链与海洋文旅融合",
    ),
    KeySeed(
        "林源一期项目",
        Z02,
        Level.CITY,
        300_000,
        150_000,
        True,
        Chain.OTHER,
        industry="C2039",
        synthetic=False,
        content="投资30亿元，林木精深加工一期",
    ),
    KeySeed(
        "欧立可石油添加剂项目",
        P01,
        Level.COUNTY,
        60_000,
        40_000,
        False,
        Chain.PETROCHEM,
        industry="C2662",
        synthetic=False,
        content="石油添加剂生产线",
    ),
    KeySeed(
        "中创PCR塑料精制原料项目",
        P01,
        Level.COUNTY,
        50_000,
        35_000,
        False,
        Chain.PETROCHEM,
        industry="C4220",
        synthetic=False,
        content="PCR再生塑料精制原料",
    ),
    KeySeed(
        "木材产业园项目",
        Z01,
        Level.COUNTY,
        80_000,
        40_000,
        False,
        Chain.OTHER,
        industry="C2011",
        synthetic=False,
        content="进口木材加工产业园",
    ),
    KeySeed(
        "恒邦制染项目",
        Z02,
        Level.COUNTY,
        50_000,
        35_000,
        True,
        Chain.TEXTILE,
        industry="C1713",
        synthetic=False,
        content="投资5亿元，印染及后整理",
    ),
]

# Pipeline projects the speech names (在谈 / 跟进 / 签约), amounts from the speech.
NAMED_PIPELINE = [
    ("再生资源循环利用项目", Z01, 500_000, Chain.PETROCHEM, "C4220", None),
    ("原料药项目", P01, 200_000, Chain.PETROCHEM, "C2710", None),
    ("锂电池专用材料项目", P01, 180_000, Chain.PETROCHEM, "C2669", None),
    ("储能电池制造项目", Z02, 550_000, Chain.EQUIPMENT, "C3841", dt.date(YEAR, 6, 18)),
    ("柔性封装基板项目", Z02, 200_000, Chain.EQUIPMENT, "C3982", dt.date(YEAR, 4, 22)),
]

CUM_SHARE = (0.06, 0.12, 0.21, 0.29, 0.37, 0.47, 0.55, 0.63, 0.72, 0.80, 0.88, 1.0)


def _split(rng: random.Random, n: int, total: int, *, floor: int, step: int = 100) -> list[int]:
    """``n`` amounts, multiples of ``step``, each ≥ ``floor``, summing exactly to ``total``."""
    weights = [rng.lognormvariate(0, 0.7) for _ in range(n)]
    spare = total - floor * n
    assert spare >= 0
    scale = sum(weights)
    amounts = [floor + int(spare * w / scale) // step * step for w in weights]
    amounts[amounts.index(max(amounts))] += total - sum(amounts)
    return amounts


def _plans(rng: random.Random, totals: list[int], plan_total: int, lo: float, hi: float) -> list[int]:
    """Annual plans ∝ total × a random share, in 100万 steps, summing exactly to ``plan_total``, each ≤ 85% of
    its project's total."""
    raw = [t * rng.uniform(lo, hi) for t in totals]
    scale = plan_total / sum(raw)
    plans = [
        min(int(r * scale) // 100 * 100, int(t * 0.85) // 100 * 100) for r, t in zip(raw, totals, strict=True)
    ]
    gap = plan_total - sum(plans)
    order = sorted(range(len(totals)), key=lambda i: -(totals[i] * 0.85 - plans[i]))
    i = 0
    while gap:
        j = order[i % len(order)]
        room = int(totals[j] * 0.85) // 100 * 100 - plans[j]
        add = min(room, gap)
        plans[j] += add
        gap -= add
        i += 1
    return plans


def credit_code(rng: random.Random) -> str:
    body = "91" + C + "".join(rng.choice(domain.CREDIT_CHARS) for _ in range(9))
    return body + domain.credit_code_check_char(body)


def project_code(on: dt.date, n: int) -> str:
    return f"{on:%y%m}-{C}-89-01-{n:06d}"


def _date(rng: random.Random, year: int, m1: int, m2: int) -> dt.date:
    month = rng.randint(m1, m2)
    return dt.date(year, month, rng.randint(1, 28))


@dataclass
class Built:
    key: list[services.ProjectImport] = field(default_factory=list)
    pipeline: list[services.ProjectImport] = field(default_factory=list)
    started_month: dict[str, int] = field(default_factory=dict)  # new key project name -> month started


class _Builder:
    def __init__(self, units: dict[str, OrgUnit], users: dict[str, Any], through: int) -> None:
        self.rng = random.Random(SEED)
        self.units = units
        self.users = users
        self.end = domain.month_end(YEAR, through)
        self.serial = 0
        self.depts = {code: units[f"{C}-{code}"] for code in ("D01", "D02", "D04", "D07")}

    def _next_code(self, on: dt.date) -> str:
        self.serial += 1
        return project_code(on, 100000 + self.serial * 37)

    def project(
        self,
        name: str,
        unit: str,
        total: int,
        chain: str,
        category: str,
        industry: str,
        level: str = Level.NONE,
        content: str = "",
        tax_ratio: float | None = None,
    ) -> Project:
        rng = self.rng
        intensity = rng.uniform(450, 900)
        land = Decimal(str(round(total / intensity, 1))) if category == Category.INDUSTRY else None
        tax = Decimal(round(float(land) * (tax_ratio or rng.uniform(22, 45)))) if land else None
        return Project(
            name=name,
            org_unit=self.units[unit],
            investor_name=f"{name.removesuffix('（演示）')[:12]}投资方（演示）",
            investor_credit_code=credit_code(rng),
            level=level,
            category=category,
            chain=chain,
            industry_code=industry,
            total_investment_wan=Decimal(total),
            land_area_mu=land,
            expected_tax_wan=tax,
            expected_sales_wan=Decimal(total * rng.randint(12, 25) // 10),
            department=self.depts["D04" if category == Category.INDUSTRY else "D07"],
            leader=self.users.get("leader") if level != Level.NONE else None,
            content=f"{DEMO_TAG}{content}",
            planned_start=None,
        )

    def _events(self, pairs: Sequence[tuple[str, dt.date]]) -> list[tuple[str, dt.date, str]]:
        return [(s, d, f"{domain.STAGE_LABELS[s]}佐证材料（演示）") for s, d in pairs if d <= self.end]

    # ------------------------------------------------------------------ key projects

    def key_projects(self) -> tuple[list[services.ProjectImport], dict[str, int]]:
        rng = self.rng
        seeds = list(NAMED_KEY)
        for level, count, total, plan, units in (
            (
                Level.CITY,
                CITY_COUNT,
                CITY_TOTAL,
                CITY_PLAN,
                [Z01] * 7 + [P01] * 6 + [Z02] * 12 + Z02_PARKS * 2 + IZ[:5] * 2,
            ),
            (
                Level.COUNTY,
                COUNTY_COUNT,
                COUNTY_TOTAL,
                COUNTY_PLAN,
                [Z01] * 6 + [P01] * 4 + [Z02] * 8 + Z02_PARKS + IZ * 3,
            ),
        ):
            named = [s for s in seeds if s.level == level]
            n = count - len(named)
            totals = _split(rng, n, total - sum(s.total for s in named), floor=10_000)
            plans = _plans(rng, totals, plan - sum(s.plan for s in named), 0.25, 0.8)
            for i, (t, yearly) in enumerate(zip(totals, plans, strict=True)):
                unit = units[i % len(units)]
                category = (
                    Category.INDUSTRY if i % 9 else rng.choice([Category.INFRASTRUCTURE, Category.LIVELIHOOD])
                )
                if category == Category.INDUSTRY:
                    chain = Chain.PETROCHEM if unit == P01 else rng.choice(list(Chain))
                    product, industry = rng.choice(PRODUCTS[chain])
                else:
                    chain, industry = Chain.OTHER, ""
                    product = rng.choice(NON_INDUSTRY[category])
                prefix = UNIT_NAMES.get(unit) or self.units[unit].short_name.removesuffix("集中区")
                seeds.append(
                    KeySeed(
                        f"{prefix}{product}项目{i + 1:02d}（演示）",
                        unit,
                        level,
                        t,
                        yearly,
                        is_new=rng.random() < 0.62,
                        chain=chain,
                        category=category,
                        industry=industry,
                        content=f"{product}（合成数据）",
                    )
                )
        rows: list[services.ProjectImport] = []
        started: dict[str, int] = {}
        start_months = _start_months(seeds, rng)
        for k, seed in enumerate(seeds):
            p = self.project(
                seed.name,
                seed.unit,
                seed.total,
                seed.chain,
                seed.category,
                seed.industry,
                seed.level,
                seed.content,
            )
            quarter = None
            if seed.is_new:
                start_month = start_months[seed.name]
                quarter = 1 if rng.random() < 0.85 else 2
                signed = _date(rng, YEAR - 1, 3, 10)
                p.planned_start = domain.quarter_end(YEAR, quarter) - dt.timedelta(days=45)
                pairs = [
                    (Stage.SIGNED, signed),
                    (Stage.REGISTERED, signed + dt.timedelta(days=30)),
                    (Stage.LAND, dt.date(YEAR - 1, 12, rng.randint(1, 28))),
                ]
                if start_month <= 12:
                    start = dt.date(YEAR, start_month, rng.randint(3, 25))
                    pairs.append((Stage.STARTED, start))
                    if start.month < 12:
                        pairs.append((Stage.IN_STATS, domain.month_end(YEAR, start.month)))
                    started[seed.name] = start_month
                completed_before = Decimal(0)
            else:
                signed = _date(rng, rng.choice([2021, 2022, 2023]), 1, 12)
                start = _date(rng, signed.year + 1, 1, 9)
                pairs = [
                    (Stage.SIGNED, signed),
                    (Stage.STARTED, start),
                    (Stage.IN_STATS, domain.month_end(start.year, start.month)),
                ]
                if seed.name.startswith("嘉澳"):
                    pairs += [
                        (Stage.COMPLETED, dt.date(YEAR - 1, 10, 15)),
                        (Stage.PRODUCING, dt.date(YEAR - 1, 12, 8)),
                    ]
                elif k % 5 == 0:
                    pairs.append((Stage.COMPLETED, _date(rng, YEAR, 4, 9)))
                room = seed.total - seed.plan * Decimal("1.2")
                completed_before = max(
                    Decimal(0), (room * Decimal(rng.uniform(0.3, 0.9))).quantize(Decimal(1))
                )
                started[seed.name] = 0
            p.code = self._next_code(signed)
            year_row = ProjectYear(
                year=YEAR,
                is_new=seed.is_new,
                planned_investment_wan=Decimal(seed.plan),
                completed_before_wan=completed_before,
                planned_start_quarter=quarter,
                is_key=True,
                key_level=seed.level,
                milestones="一季度完成前期手续；二季度全面施工；四季度主体完工（演示）",
            )
            p.recognised_on = signed + dt.timedelta(days=40)
            sign = Signing(
                on=signed,
                amount_wan=Decimal(seed.total),
                investor_name=p.investor_name,
                investor_credit_code=p.investor_credit_code,
            )
            rows.append(services.ProjectImport(p, [year_row], self._events(pairs), [sign]))
        return rows, started

    # ------------------------------------------------------------------ pipeline

    def pipeline(self) -> list[services.ProjectImport]:
        rng = self.rng
        rows: list[services.ProjectImport] = []
        for name, unit, total, chain, industry, signed_on in NAMED_PIPELINE:
            p = self.project(
                name, unit, total, chain, Category.INDUSTRY, industry, content="讲话点名的重点在谈/签约项目"
            )
            if signed_on is None:
                rows.append(services.ProjectImport(p))
                continue
            p.code = self._next_code(signed_on)
            sign = Signing(on=signed_on, amount_wan=Decimal(total), investor_name=p.investor_name)
            rows.append(
                services.ProjectImport(
                    p,
                    events=self._events([(Stage.SIGNED, signed_on)]),
                    signings=[sign] if signed_on <= self.end else [],
                )
            )
        # Synthetic: 128 signed in the year, 70 still negotiating.
        units = [Z01] * 24 + [Z02] * 30 + Z02_PARKS * 2 + IZ * 6
        big = {3, 17, 29, 41, 55, 68, 80, 93, 104, 117}  # ≥10亿
        for i in range(198):
            unit = units[i % len(units)]
            chain = rng.choice(list(Chain)) if rng.random() < 0.8 else Chain.OTHER
            product, industry = rng.choice(PRODUCTS[chain])
            signed = i < 128
            if i in big:
                total = rng.randrange(100_000, 400_000, 1_000)
            elif signed and i % 25 == 24:
                total = rng.randrange(5_000, 9_900, 100)  # under 1亿: not in the count
            else:
                total = rng.randrange(10_000, 90_000, 500)
            prefix = UNIT_NAMES.get(unit) or self.units[unit].short_name.removesuffix("集中区")
            p = self.project(
                f"{prefix}{product}招商项目{i + 1:03d}（演示）",
                unit,
                total,
                chain,
                Category.INDUSTRY,
                industry,
                content=f"{product}（合成数据）",
            )
            if not signed:
                rows.append(services.ProjectImport(p))
                continue
            on = _date(rng, YEAR, 1, 9)
            p.code = self._next_code(on)
            pairs = [(Stage.SIGNED, on)]
            roll = rng.random()
            if roll < 0.55:
                pairs.append((Stage.REGISTERED, on + dt.timedelta(days=rng.randint(10, 40))))
            if roll < 0.45:
                pairs.append((Stage.LAND, on + dt.timedelta(days=rng.randint(45, 80))))
            if roll < 0.38:
                pairs.append((Stage.STARTED, on + dt.timedelta(days=rng.randint(85, 120))))
            if roll < 0.22:
                pairs.append((Stage.IN_STATS, on + dt.timedelta(days=rng.randint(125, 150))))
            if rng.random() < 0.6:
                p.recognised_on = on + dt.timedelta(days=rng.randint(20, 70))
                if p.recognised_on > self.end:
                    p.recognised_on = None
            events = self._events(pairs)
            sign = Signing(
                on=on,
                amount_wan=Decimal(total),
                investor_name=p.investor_name,
                investor_credit_code=p.investor_credit_code,
            )
            rows.append(services.ProjectImport(p, events=events, signings=[sign] if on <= self.end else []))
        # Signed last year: one changes investor this year (a new signing), one adds capital (the increment counts).
        for name, unit, total in (
            ("开发区装备制造投资方变更项目（演示）", Z02, 30_000),
            ("临港海洋生物增资项目（演示）", Z01, 60_000),
        ):
            p = self.project(
                name,
                unit,
                total,
                Chain.EQUIPMENT if unit == Z02 else Chain.MARINE,
                Category.INDUSTRY,
                "C3490" if unit == Z02 else "C2760",
                content="上年签约（合成数据）",
            )
            on = dt.date(YEAR - 1, 9, 12)
            p.code = self._next_code(on)
            rows.append(
                services.ProjectImport(
                    p,
                    events=self._events([(Stage.SIGNED, on)]),
                    signings=[Signing(on=on, amount_wan=Decimal(total))],
                )
            )
        return rows


def _zone(unit: str) -> str:
    return "Z01" if unit in (Z01, P01) else "Z02" if unit in (Z02, *Z02_PARKS) else "towns"


def _start_months(seeds: list[KeySeed], rng: random.Random) -> dict[str, int]:
    """Actual start months of the new key projects: in every (zone, level) group under 80% start in Q1, the
    rest in Q2 except the last, which starts in July or August. So the Q1 (80%) and Q2 (100%) start targets
    are missed at their deadlines and made up by September (yellow), as happens in practice."""
    groups: dict[tuple[str, str], list[KeySeed]] = {}
    for seed in seeds:
        if seed.is_new:
            groups.setdefault((_zone(seed.unit), seed.level), []).append(seed)
    months: dict[str, int] = {}
    for members in groups.values():
        n = len(members)
        for j, seed in enumerate(members):
            if j == n - 1:
                months[seed.name] = rng.randint(7, 8)
            elif j < int(n * 0.7):
                months[seed.name] = rng.randint(1, 3)
            else:
                months[seed.name] = rng.randint(4, 6)
    return months


def _approval_template(units: dict[str, OrgUnit]) -> None:
    if ApprovalTemplate.objects.filter(category=Category.INDUSTRY).exists():
        return
    t = ApprovalTemplate.objects.create(category=Category.INDUSTRY, name="产业类项目审批清单（云易办）")
    d = {k: units[f"{C}-{k}"] for k in ("D01", "D06", "D07", "D08", "D09", "D10")}
    items = [
        (domain.ApprovalStage.PROJECT_LAND, "项目备案", "project_filing", "D10"),
        (domain.ApprovalStage.PROJECT_LAND, "用地预审与选址意见书", "site_selection", "D06"),
        (domain.ApprovalStage.PROJECT_LAND, "国有建设用地使用权出让合同", "land_contract", "D06"),
        (domain.ApprovalStage.PROJECT_LAND, "建设用地规划许可证", "land_planning_permit", "D06"),
        (domain.ApprovalStage.ENGINEERING, "设计方案审查", "design_review", "D06"),
        (domain.ApprovalStage.ENGINEERING, "建设工程规划许可证", "engineering_permit", "D06"),
        (domain.ApprovalStage.CONSTRUCTION, "施工图审查", "drawing_review", "D07"),
        (domain.ApprovalStage.CONSTRUCTION, "施工许可证", "construction_permit", "D10"),
        (domain.ApprovalStage.ACCEPTANCE, "竣工联合验收", "acceptance", "D07"),
        (domain.ApprovalStage.PARALLEL, "环境影响评价", "eia", "D08"),
        (domain.ApprovalStage.PARALLEL, "节能审查", "energy_review", "D01"),
        (domain.ApprovalStage.PARALLEL, "安全评价", "safety_review", "D09"),
    ]
    ApprovalTemplateItem.objects.bulk_create(
        [
            ApprovalTemplateItem(template=t, stage=s, name=n, key=k, lead_department=d[dep], sort_order=i)
            for i, (s, n, k, dep) in enumerate(items)
        ]
    )


@dataclass
class DemoStats:
    created: bool
    key_projects: int
    pipeline: int
    reports: int
    prereview_failures: int


def _reports(
    key_rows: list[services.ProjectImport],
    projects: list[Project],
    started: dict[str, int],
    through: int,
    rng: random.Random,
) -> list[services.ReportImport]:
    out: list[services.ReportImport] = []
    for row, p in zip(key_rows, projects, strict=True):
        year_row = row.years[0]
        start = started.get(p.name, 13)
        factor = Decimal(str(round(rng.uniform(0.95, 1.2), 3)))
        for m in range(1, through + 1):
            if m < start:
                ytd = Decimal(0)
                text = "前期手续办理中（演示）"
            else:
                ytd = (year_row.planned_investment_wan * factor * Decimal(str(CUM_SHARE[m - 1]))).quantize(
                    Decimal(1)
                )
                text = "按计划推进，形象进度正常（演示）"
            out.append(services.ReportImport(p, m, ytd, text))
    return out


@transaction.atomic
def load_demo_projects(
    *, users: dict[str, Any], through_month: int = 9, log: Callable[[str], None] | None = None
) -> DemoStats:
    """Write the demo projects (idempotent). ``users`` are the demo personas (``ensure_demo_users()``)."""
    say = log or (lambda _msg: None)
    existing = Project.objects.filter(content__startswith=DEMO_TAG).count()
    if existing:
        say(f"演示项目：{existing} 个均已存在，无变更。")
        return DemoStats(False, 0, 0, 0, 0)
    units = {u.code: u for u in OrgUnit.objects.all()}
    officer, reviewer, admin = users["county"], users["fgw"], users["sysadmin"]
    builder = _Builder(units, users, through_month)
    key_rows, started = builder.key_projects()
    pipeline_rows = builder.pipeline()
    key_projects = services.import_projects(key_rows, actor=officer)
    pipeline = services.import_projects(pipeline_rows, actor=officer)

    # Reports January … demo month, approved; the demo month itself partly still in the workflow.
    reports = _reports(key_rows, key_projects, started, through_month, builder.rng)
    in_workflow = {p.pk for p in key_projects[10:16]}
    bulk = [r for r in reports if not (r.month == through_month and r.project.pk in in_workflow)]
    services.import_approved_reports(bulk, year=YEAR, officer=officer, reviewer=reviewer)
    last = [r for r in reports if r.month == through_month and r.project.pk in in_workflow]
    for i, r in enumerate(last):
        blockers = (
            [services.BlockerInput("施工用电增容尚未到位，需供电公司协调（演示）", "utilities")]
            if i < 2
            else None
        )
        report = services.save_report(
            actor=officer,
            project=r.project,
            year=YEAR,
            month=r.month,
            ytd_wan=r.ytd_wan,
            progress=r.progress,
            blockers=blockers,
        )
        if i >= 1:
            report = services.submit_report(report, actor=officer)
        if i >= 4:
            services.return_report(
                report, actor=reviewer, comment="本月完成投资与现场进度不符，请核实后重报（演示）"
            )

    # Pre-review in the chemical park: the speech's rule, three failures, one override then signed.
    ruleset = services.save_ruleset(
        actor=admin,
        org_unit=units[P01],
        name="化工园区项目准入",
        note=("讲话：投资强度低于420万元/亩、亩均税收低于20万元的项目,原则上不引不建"),
        rules=[
            services.RuleInput(domain.RuleKind.MIN_INTENSITY, "投资强度", Decimal(420)),
            services.RuleInput(domain.RuleKind.MIN_TAX_PER_MU, "亩均税收", Decimal(20)),
            services.RuleInput(domain.RuleKind.MANUAL, "安全风险评估已通过专家论证"),
        ],
    )
    named = {p.name: p for p in pipeline}
    for name in ("原料药项目", "锂电池专用材料项目"):
        services.run_prereview(named[name], actor=officer, ruleset=ruleset, ticks=_all_ticked(ruleset))
    failures = 0
    for i, (land, tax) in enumerate(
        ((Decimal(143), Decimal(4000)), (Decimal(120), Decimal(1800)), (Decimal(125), Decimal(2000)))
    ):
        p = services.create_project(
            actor=officer,
            org_unit=units[P01],
            name=f"化工园区精细化学品项目{i + 1}（演示）",
            total_investment_wan=Decimal(50_000),
            land_area_mu=land,
            expected_tax_wan=tax,
            chain=Chain.PETROCHEM,
            industry_code="C2614",
            category=Category.INDUSTRY,
            content=f"{DEMO_TAG}预审未通过示例（合成数据）",
            investor_credit_code=credit_code(builder.rng),
        )
        review = services.run_prereview(p, actor=officer, ruleset=ruleset, ticks=_all_ticked(ruleset))
        failures += review.outcome == domain.Outcome.FAIL
        if i == 0:
            services.override_prereview(
                review,
                actor=reviewer,
                reason=("补齐园区产业链关键环节，经县招商引资联席会议研究同意放行（演示）"),
            )
            services.record_signing(
                p, actor=officer, on=dt.date(YEAR, min(through_month, 8), 8), amount_wan=Decimal(50_000)
            )

    # A capital increase and a change of investor this year (see the counting rules).
    p_inv, p_cap = pipeline[-2], pipeline[-1]
    services.record_signing(
        p_inv,
        actor=officer,
        on=dt.date(YEAR, 3, 16),
        amount_wan=Decimal(30_000),
        kind=domain.SigningKind.INVESTOR_CHANGE,
        investor_name="江苏某装备集团（演示）",
        investor_credit_code=credit_code(builder.rng),
        note="原投资方退出，新投资方承接",
    )
    services.record_signing(
        p_cap,
        actor=officer,
        on=dt.date(YEAR, 5, 20),
        amount_wan=Decimal(15_000),
        kind=domain.SigningKind.CAPITAL_INCREASE,
        note="二期增资1.5亿元",
    )

    _approvals(key_projects, units, officer, through_month)
    say(
        f"演示项目：重点项目 {len(key_projects)} 个，招商项目 {len(pipeline) + 3} 个，月报 {len(reports)} 份"
        f"（其中 {len(last)} 份在审核流程中），预审未通过 {failures} 个（放行 1 个）。"
    )
    return DemoStats(True, len(key_projects), len(pipeline) + 3, len(reports), failures)


def _all_ticked(ruleset: Any) -> dict[int, bool]:
    return {r.pk: True for r in ruleset.rules.all() if r.kind == domain.RuleKind.MANUAL}


def _approvals(projects: list[Project], units: dict[str, OrgUnit], officer: Any, through: int) -> None:
    """云易办 for the named new key projects: 拿地即开工 on two, 容缺 with one document supplied and one overdue."""
    _approval_template(units)
    chosen = [
        p for p in projects if p.name in {"中北资本海洋经济三产融合项目", "林源一期项目", "恒邦制染项目"}
    ]
    for n, p in enumerate(chosen):
        items = {i.key: i for i in services.apply_approval_template(p, actor=officer)}
        land_on = dt.date(YEAR, 1, 8 + n)
        services.update_approval(
            items["project_filing"],
            actor=officer,
            status=ApprovalStatus.DONE,
            done_on=dt.date(YEAR - 1, 11, 20),
        )
        services.update_approval(
            items["land_contract"], actor=officer, status=ApprovalStatus.DONE, done_on=land_on
        )
        permit_on = land_on if n < 2 else land_on + dt.timedelta(days=20)  # 多证齐办: the same day for two
        services.update_approval(
            items["construction_permit"],
            actor=officer,
            status=ApprovalStatus.DONE,
            planned_on=land_on,
            done_on=permit_on,
        )
        if n == 2:
            docs = services.accept_with_missing_documents(
                items["eia"],
                actor=officer,
                documents=[
                    ("环评公众参与说明", dt.date(YEAR, 3, 20)),
                    ("排污许可申请材料", dt.date(YEAR, 6, 30)),
                ],
            )
            services.supply_document(docs[0], actor=officer, on=dt.date(YEAR, 3, 18))
            services.terminate_overdue_cases(actor=officer, today=domain.month_end(YEAR, through))


def demo_counts() -> dict[str, int]:
    return {
        "projects": Project.objects.filter(content__startswith=DEMO_TAG).count(),
        "reports": MonthlyReport.objects.filter(project__content__startswith=DEMO_TAG).count(),
    }
