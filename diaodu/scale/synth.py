"""A synthetic province (合成数据) for load tests and benchmarks: ``diaodu synth``.

A reproducible province (one seeded random generator) written with bulk inserts, county by county:

* org units: province → cities → counties → zones, towns and departments, with materialised paths;
* indicators (shared by every run), one plan per region (province, city, county) and year with targets for the
  region and its towns and zones, monthly year-to-date actuals (approved; the towns' last month is left open for
  the deadline rush of ``diaodu bench http``);
* projects with stage histories, signings, yearly plans (key projects) and monthly dispatch reports;
* scoped users: a leader per region (unit and below, read only) and an officer per town or zone.

Every synthetic name carries "（合成）" and every code starts with the run's prefix (``SYN``). This is a load
generator, not user data: instead of one audit row per synthetic row, ONE audit event records the run, its
parameters and its row counts.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connections, models, router, transaction
from django.utils import timezone

from diaodu.accounts import roles
from diaodu.accounts import services as accounts
from diaodu.accounts.models import Role, User
from diaodu.accounts.scope import DataScope, Perm
from diaodu.audit.models import AuditAction
from diaodu.audit.services import record
from diaodu.orgunits.models import OrgUnit, OrgUnitKind
from diaodu.plans import lights
from diaodu.plans.models import (
    Accumulation,
    Actual,
    ActualStatus,
    Comparator,
    Indicator,
    Level,
    Measure,
    Plan,
    Rollup,
    Target,
)
from diaodu.projects import domain as pd
from diaodu.projects import rollups
from diaodu.projects.models import MonthlyReport, Project, ProjectYear, Signing, StageEvent

MARK = "（合成）"
LEADER_ROLE = "syn_region_leader"
BATCH = 2000
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


class SynthError(RuntimeError):
    pass


@dataclass(frozen=True)
class SynthSpec:
    counties: int = 100
    units_per_county: int = 14
    projects_per_county: int = 300
    months: int = 36
    seed: int = 1
    end_year: int = 2025
    counties_per_city: int = 10
    prefix: str = "SYN"

    @property
    def periods(self) -> list[tuple[int, int]]:
        """The ``months`` months ending with December of ``end_year``, oldest first."""
        out = []
        y, m = self.end_year, 12
        for _i in range(self.months):
            out.append((y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return out[::-1]

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _m in self.periods})


class IndicatorSeed(NamedTuple):
    code: str
    name: str
    unit: str
    value_unit: str
    measure: str
    accumulation: str
    computed_from: str
    for_units: bool  # also targets for towns and zones (regions always have one)


INDICATORS: tuple[IndicatorSeed, ...] = (
    IndicatorSeed("syn-gdp", "地区生产总值", "%", "亿元", Measure.GROWTH, Accumulation.YTD, "", False),
    IndicatorSeed("syn-fai", "固定资产投资", "%", "亿元", Measure.GROWTH, Accumulation.YTD, "", False),
    IndicatorSeed("syn-output", "规上工业总产值", "%", "亿元", Measure.GROWTH, Accumulation.YTD, "", False),
    IndicatorSeed("syn-retail", "批零住餐贸易额", "%", "亿元", Measure.GROWTH, Accumulation.YTD, "", False),
    IndicatorSeed("syn-trade", "外贸进出口总额", "%", "亿元", Measure.GROWTH, Accumulation.YTD, "", False),
    IndicatorSeed(
        "syn-revenue", "一般公共预算收入", "亿元", "", Measure.ABSOLUTE, Accumulation.YTD, "", True
    ),
    IndicatorSeed("syn-ind-invest", "工业投资额", "亿元", "", Measure.ABSOLUTE, Accumulation.YTD, "", True),
    IndicatorSeed("syn-new-firms", "新增四上企业", "家", "", Measure.COUNT, Accumulation.YTD, "", True),
    IndicatorSeed(
        "syn-signed-1yi",
        "签约过亿元项目",
        "个",
        "",
        Measure.COUNT,
        Accumulation.YTD,
        "signed_ge_1yi_count",
        False,
    ),
    IndicatorSeed(
        "syn-key-count",
        "重点项目数",
        "个",
        "",
        Measure.COUNT,
        Accumulation.POINT,
        "key_projects_count",
        False,
    ),
    IndicatorSeed(
        "syn-key-total",
        "重点项目计划总投资",
        "亿元",
        "",
        Measure.ABSOLUTE,
        Accumulation.POINT,
        "key_total_investment_wan",
        False,
    ),
    IndicatorSeed(
        "syn-key-ytd",
        "重点项目年度完成投资",
        "亿元",
        "",
        Measure.ABSOLUTE,
        Accumulation.YTD,
        "key_annual_investment_ytd_wan",
        False,
    ),
    IndicatorSeed(
        "syn-started-1yi",
        "新开工过亿元产业项目",
        "个",
        "",
        Measure.COUNT,
        Accumulation.YTD,
        "new_started_ge_1yi_count",
        True,
    ),
)

CITY_NAMES = ("云台", "海陵", "淮澜", "东川", "凤鸣", "青溪", "临江", "白沙", "金湖", "安澜")
NAME_CHARS = "安宁平和丰泰新兴东西南北河湖山川龙凤云海金石桥溪阳明清华宝顺福瑞长乐永"
CATEGORIES = (
    (pd.Category.INDUSTRY, 55),
    (pd.Category.INFRASTRUCTURE, 15),
    (pd.Category.SERVICE, 10),
    (pd.Category.URBAN, 10),
    (pd.Category.LIVELIHOOD, 5),
    (pd.Category.AGRICULTURE, 5),
)
CHAINS = (
    pd.Chain.PETROCHEM,
    pd.Chain.EQUIPMENT,
    pd.Chain.FOOD,
    pd.Chain.TEXTILE,
    pd.Chain.MARINE,
    pd.Chain.OTHER,
)
# (stage, months after the previous stage: low, high); a project may stall before any step.
PIPELINE = (
    (pd.Stage.REGISTERED, 1, 2),
    (pd.Stage.LAND, 1, 4),
    (pd.Stage.STARTED, 1, 3),
    (pd.Stage.IN_STATS, 1, 2),
    (pd.Stage.COMPLETED, 10, 30),
    (pd.Stage.PRODUCING, 1, 3),
)
UNIT_TEMPLATES = (
    (OrgUnitKind.ZONE, "经济开发区"),
    (OrgUnitKind.DEPARTMENT, "发展和改革委员会"),
    (OrgUnitKind.TOWN, ""),
    (OrgUnitKind.ZONE, "临港产业区"),
    (OrgUnitKind.DEPARTMENT, "统计局"),
    (OrgUnitKind.SUBDISTRICT, ""),
    (OrgUnitKind.DEPARTMENT, "商务局"),
)
BEARING = (OrgUnitKind.ZONE, OrgUnitKind.TOWN, OrgUnitKind.SUBDISTRICT)  # units with projects and targets


@dataclass
class SynthResult:
    spec: SynthSpec
    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "spec": asdict(self.spec),
            "rows": dict(sorted(self.rows.items())),
            "total_rows": self.total,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows_per_second),
        }


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(TWO)


class _Writer:
    """Bulk inserts, counted per model."""

    def __init__(self, result: SynthResult) -> None:
        self.result = result

    def create(self, model: type[models.Model], objs: Sequence[Any]) -> list[Any]:
        if not objs:
            return []
        created = model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[attr-defined]
        self.result.rows[model._meta.label] += len(objs)
        return created

    def through(self, model: type[models.Model], objs: Sequence[Any]) -> None:
        model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[attr-defined]
        self.result.rows[model._meta.label] += len(objs)

    def insert(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
        """Like ``bulk_create`` without returning ids, but several times faster: ``rows`` are dicts of column
        values by attribute name (``project_id``), the model's defaults fill the rest, and they are written with
        COPY on PostgreSQL and one prepared INSERT on SQLite. Identifiers come from the model's metadata; values
        are always parameters."""
        if not rows:
            return
        conn = connections[router.db_for_write(model)]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
        getters = [self._getter(f, conn, now) for f in fields]
        values = [tuple(g(r) for g in getters) for r in rows]
        table, columns = model._meta.db_table, [f.column for f in fields]
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                from psycopg import sql

                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
                )
                with cursor.cursor.copy(statement) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                qn = conn.ops.quote_name
                statement_text = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - identifiers from _meta
                    qn(table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
                )
                cursor.executemany(statement_text, values)
        self.result.rows[model._meta.label] += len(rows)

    @staticmethod
    def _getter(f: Any, conn: Any, now: dt.datetime) -> Callable[[dict[str, Any]], Any]:
        ops, name = conn.ops, f.attname
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed = ops.adapt_datetimefield_value(now)
            return lambda _r: fixed
        default = f.get_default() if f.has_default() or not f.null else None
        if isinstance(f, models.DateTimeField):
            return lambda r: ops.adapt_datetimefield_value(r.get(name, default))
        if isinstance(f, models.DateField):
            return lambda r: ops.adapt_datefield_value(r.get(name, default))
        if isinstance(f, models.JSONField):
            return lambda r: f.get_db_prep_save(r.get(name, default), conn)
        return lambda r: r.get(name, default)


class Synth:
    def __init__(self, spec: SynthSpec, *, progress: Callable[[str], None] | None = None) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.result = SynthResult(spec)
        self.w = _Writer(self.result)
        self.progress = progress or (lambda _msg: None)
        self.end = _month_end(spec.end_year, 12)
        self.periods = spec.periods
        self.first_period = self.periods[0]
        self.password = make_password(None)  # unusable: synthetic users log in through tests and tokens only

    # ------------------------------------------------------------------------- entry point

    def run(self) -> SynthResult:
        start = time.perf_counter()
        if OrgUnit.objects.filter(code=self.spec.prefix).exists():
            raise SynthError(f"合成数据 {self.spec.prefix} 已存在；请换一个 --prefix 或使用新的数据库。")
        with transaction.atomic():
            self.indicators = self._indicators()
            self.leader_role = self._leader_role()
            # the built-in roles (migrations create them; a database emptied since gets them back)
            self.officer_role = accounts.ensure_default_roles()[roles.UNIT_OFFICER]
            province = self._units(None, [(self.spec.prefix, f"江淮省{MARK}", OrgUnitKind.PROVINCE)])[0]
            self._region(province, for_units=[])
        n_cities = math.ceil(self.spec.counties / self.spec.counties_per_city)
        county_no = 0
        for c in range(n_cities):
            with transaction.atomic():
                city_name = CITY_NAMES[c % len(CITY_NAMES)] + (
                    str(c // len(CITY_NAMES) + 1) if c >= 10 else ""
                )
                city = self._units(
                    province, [(f"{self.spec.prefix}-C{c + 1:02d}", f"{city_name}市{MARK}", OrgUnitKind.CITY)]
                )[0]
                self._region(city, for_units=[])
            for _k in range(min(self.spec.counties_per_city, self.spec.counties - county_no)):
                county_no += 1
                with transaction.atomic():
                    self._county(city, county_no)
                if county_no % 10 == 0 or county_no == self.spec.counties:
                    self.progress(f"{county_no}/{self.spec.counties} 个县，{self.result.total} 行")
        self.result.seconds = time.perf_counter() - start
        record(
            actor=None,
            action=AuditAction.LOAD,
            object_type="scale.synth",
            object_id=self.spec.prefix,
            object_repr=f"合成数据{MARK} {self.spec.prefix}",
            actor_name="diaodu synth",
            after=self.result.as_dict(),
            reason="负载测试用合成数据（非业务数据），整批只记一条审计",
        )
        return self.result

    # ------------------------------------------------------------------------- reference data

    def _indicators(self) -> dict[str, Indicator]:
        out = {}
        for seed in INDICATORS:
            ind, _created = Indicator.objects.get_or_create(
                code=seed.code,
                defaults={
                    "name": seed.name + MARK,
                    "unit": seed.unit,
                    "value_unit": seed.value_unit,
                    "measure": seed.measure,
                    "accumulation": seed.accumulation,
                    "computed_from": seed.computed_from,
                    "rollup": Rollup.SUM if seed.measure != Measure.GROWTH else Rollup.NONE,
                    "description": "负载测试用合成指标",
                },
            )
            out[seed.code] = ind
        return out

    def _leader_role(self) -> Role:
        role, _created = Role.objects.get_or_create(
            code=LEADER_ROLE,
            defaults={
                "name": f"地区领导{MARK}",
                "permissions": [str(Perm.VIEW_DATA)],
                "data_scope": DataScope.UNIT_AND_BELOW,
                "description": "合成数据：查看本地区及下属单位的目标与数据",
            },
        )
        return role

    # ------------------------------------------------------------------------- org units and users

    def _units(self, parent: OrgUnit | None, seeds: Sequence[tuple[str, str, str]]) -> list[OrgUnit]:
        units = self.w.create(
            OrgUnit,
            [
                OrgUnit(
                    code=code,
                    name=name,
                    short_name=name.removesuffix(MARK),
                    kind=kind,
                    parent=parent,
                    sort_order=i,
                )
                for i, (code, name, kind) in enumerate(seeds)
            ],
        )
        prefix = parent.path if parent else "/"
        for u in units:
            u.path = f"{prefix}{u.pk}/"
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=BATCH)
        return units

    def _users(self, seeds: list[tuple[OrgUnit, str, Role]]) -> None:
        titles = {"leader": "领导", "officer": "填报员"}
        users = self.w.create(
            User,
            [
                User(
                    username=f"{unit.code.lower()}-{suffix}",
                    full_name=f"{unit.short_name}{titles[suffix]}{MARK}",
                    org_unit=unit,
                    password=self.password,
                    title=MARK,
                )
                for unit, suffix, _role in seeds
            ],
        )
        through = User.roles.through
        self.w.through(
            through,
            [
                through(user_id=u.pk, role_id=role.pk)
                for u, (_unit, _s, role) in zip(users, seeds, strict=True)
            ],
        )

    def _county(self, city: OrgUnit, n: int) -> None:
        rng = self.rng
        name = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS)
        county = self._units(city, [(f"{city.code}-K{n:03d}", f"{name}县{MARK}", OrgUnitKind.COUNTY)])[0]
        seeds = []
        towns = 0
        for i in range(self.spec.units_per_county):
            kind, label = UNIT_TEMPLATES[i] if i < len(UNIT_TEMPLATES) else (OrgUnitKind.TOWN, "")
            if not label:
                towns += 1
                label = (
                    rng.choice(NAME_CHARS)
                    + rng.choice(NAME_CHARS)
                    + ("街道" if kind == OrgUnitKind.SUBDISTRICT else "镇")
                )
            seeds.append((f"{county.code}-U{i + 1:02d}", f"{name}县{label}{MARK}", kind))
        units = self._units(county, seeds)
        bearing = [u for u in units if u.kind in BEARING]
        self._users([(u, "officer", self.officer_role) for u in bearing])
        self._region(county, for_units=bearing)
        self._projects(county, bearing)

    # ------------------------------------------------------------------------- plans, targets, actuals

    def _region(self, region: OrgUnit, *, for_units: list[OrgUnit]) -> None:
        """Leader, plans and targets of a region (and its towns and zones), actuals of entered indicators."""
        rng = self.rng
        self._users([(region, "leader", self.leader_role)])
        scale = {OrgUnitKind.PROVINCE: 100.0, OrgUnitKind.CITY: 10.0}.get(OrgUnitKind(region.kind), 1.0)
        targets: list[dict[str, Any]] = []
        actuals: list[dict[str, Any]] = []
        # An annual size per (indicator, unit), drifting year on year, feeds the targets and the actuals.
        holders = [(region, ind) for ind in INDICATORS] + [
            (u, ind) for u in for_units for ind in INDICATORS if ind.for_units
        ]
        base = {(u.pk, s.code): rng.uniform(20, 80) * (scale if u is region else 0.15) for u, s in holders}
        for year in self.spec.years:
            plan = self.w.create(
                Plan,
                [
                    Plan(
                        code=f"{region.code.lower()}-{year}",
                        title=f"{region.short_name}{year}年主要目标{MARK}",
                        year=year,
                        org_unit=region,
                        source_title="合成计划",
                        loaded_at=None,
                    )
                ],
            )[0]
            for order, (unit, seed) in enumerate(holders):
                ind = self.indicators[seed.code]
                growth = rng.uniform(4, 10)
                size = base[(unit.pk, seed.code)]
                if seed.measure == Measure.GROWTH:
                    value = Decimal(str(round(growth, 1)))
                elif seed.computed_from:
                    value = Decimal(max(1, round(rng.uniform(2, 12) * (scale if unit is region else 0.3))))
                    if seed.unit == "亿元":
                        value = Decimal(str(round(size * rng.uniform(0.5, 2), 1)))
                else:
                    value = Decimal(str(round(size * rng.uniform(1.0, 1.15), 2)))
                targets.append(
                    {
                        "plan_id": plan.pk,
                        "key": f"{seed.code}-{unit.code.lower()}",
                        "section": seed.name,
                        "indicator_id": ind.pk,
                        "org_unit_id": unit.pk,
                        "year": year,
                        "value": value,
                        "comparator": Comparator.GE,
                        "level": Level.COMMITTED if rng.random() < 0.5 else Level.STRETCH,
                        "quote": f"{unit.short_name}{seed.name}目标（合成）",
                        "sort_order": order,
                    }
                )
                if not seed.computed_from:
                    actuals.extend(
                        self._series(unit, ind, seed, year, size, growth, last_open=unit is not region)
                    )
                base[(unit.pk, seed.code)] = size * (1 + growth / 100)
        self.w.insert(Target, targets)
        self.w.insert(Actual, actuals)
        # The stored lights of these targets (plans/lights.py), as the services keep them.
        self.result.rows["target_lights"] += lights.refresh_targets(
            Target.objects.filter(org_unit_id__in=[region.pk, *(u.pk for u in for_units)])
        )

    def _series(
        self,
        unit: OrgUnit,
        ind: Indicator,
        seed: IndicatorSeed,
        year: int,
        size: float,
        growth: float,
        *,
        last_open: bool,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        ytd = 0.0
        last = self.periods[-1]
        for y, m in self.periods:
            if y != year or (last_open and (y, m) == last):
                continue
            ytd += size / 12 * rng.uniform(0.7, 1.3)
            stamp = dt.datetime(*_add_months(y, m, 1), 5, 9, tzinfo=dt.UTC)
            row = {
                "indicator_id": ind.pk,
                "org_unit_id": unit.pk,
                "year": y,
                "month": m,
                "note": "合成数据",
                "status": ActualStatus.APPROVED,
                "submitted_at": stamp,
                "reviewed_at": stamp,
            }
            if seed.measure == Measure.GROWTH:
                g = growth + rng.uniform(-3, 3)
                row |= {
                    "ytd_value": _money(ytd * (1 + g / 100)),
                    "base_value": _money(ytd),
                    "growth_pct": Decimal(str(round(g, 2))),
                }
            elif seed.measure == Measure.COUNT:
                row["ytd_value"] = Decimal(round(ytd / 5))
            else:
                row["ytd_value"] = Decimal(str(round(ytd, 4))).quantize(FOUR)
            out.append(row)
        return out

    # ------------------------------------------------------------------------- projects

    def _projects(self, county: OrgUnit, bearing: list[OrgUnit]) -> None:
        if not bearing or not self.spec.projects_per_county:
            return
        rng = self.rng
        first_y, first_m = self.first_period
        plans = []  # (project, events [(stage, date)], key?, level)
        for n in range(self.spec.projects_per_county):
            unit = rng.choice(bearing)
            category = rng.choices([c for c, _w in CATEGORIES], [w for _c, w in CATEGORIES])[0]
            chain = rng.choice(CHAINS) if category == pd.Category.INDUSTRY else pd.Chain.OTHER
            total = min(max(math.exp(rng.gauss(math.log(30000), 1.1)), 1000), 3_000_000)
            y, m = _add_months(first_y, first_m, rng.randint(-24, self.spec.months - 1))
            on = dt.date(y, m, rng.randint(1, 28))
            events = [(pd.Stage.SIGNED, on)]
            if rng.random() < 0.03:
                events.append((pd.Stage.TERMINATED, on + dt.timedelta(days=rng.randint(30, 200))))
            else:
                for stage, lo, hi in PIPELINE:
                    if rng.random() < 0.08:
                        break
                    on = on + dt.timedelta(days=30 * rng.randint(lo, hi) + rng.randint(0, 20))
                    if on > self.end:
                        break
                    events.append((stage, on))
            events = [(s, d) for s, d in events if d <= self.end]
            stage, stage_on = events[-1]
            project = Project(
                name=f"{unit.short_name}{pd.CHAIN_LABELS.get(chain, '')}项目{n + 1}{MARK}",
                org_unit=unit,
                level=pd.Level.NONE,
                category=category,
                chain=chain,
                total_investment_wan=_money(total),
                land_area_mu=_money(total / rng.uniform(200, 600)),
                stage=stage,
                stage_on=stage_on,
                investor_name=f"合成投资有限公司{n + 1}",
                planned_start=events[0][1] + dt.timedelta(days=90),
            )
            plans.append((project, events, total >= 10000 and rng.random() < 0.5))
        projects = self.w.create(Project, [p for p, _e, _k in plans])
        events_out: list[dict[str, Any]] = []
        signings: list[dict[str, Any]] = []
        years: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        for project, (_p, events, is_key) in zip(projects, plans, strict=True):
            previous = pd.Stage.NEGOTIATING
            for stage, on in events:
                events_out.append(
                    {
                        "project_id": project.pk,
                        "from_stage": previous,
                        "stage": stage,
                        "on": on,
                        "note": "合成数据",
                    }
                )
                previous = stage
            signings.append(
                {
                    "project_id": project.pk,
                    "on": events[0][1],
                    "kind": pd.SigningKind.INITIAL,
                    "amount_wan": project.total_investment_wan,
                    "investor_name": project.investor_name,
                    "note": "合成数据",
                }
            )
            project_years, project_reports = self._years_and_reports(project, dict(events), is_key)
            years.extend(project_years)
            reports.extend(project_reports)
        self.w.insert(StageEvent, events_out)
        self.w.insert(Signing, signings)
        self.w.insert(ProjectYear, years)
        self.w.insert(MonthlyReport, reports)
        # The write-time rollups of these units (and, by difference, of the city and province above them).
        self.result.rows["project_rollups"] += rollups.refresh([u.pk for u in bearing], self.spec.years)
        # (refresh also re-evaluates the lights of the computed targets of these units and those above them)

    def _years_and_reports(
        self, project: Project, reached: dict[str, dt.date], is_key: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        total = float(project.total_investment_wan)
        signed = reached[pd.Stage.SIGNED]
        started = reached.get(pd.Stage.STARTED)
        completed = reached.get(pd.Stage.COMPLETED)
        build_months = max(6, ((completed or started or signed) - (started or signed)).days // 30 or 18)
        level = pd.Level.CITY if total >= 100000 else pd.Level.COUNTY
        years: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        done = 0.0
        last = self.periods[-1]
        for year in self.spec.years:
            if signed.year > year or (completed and completed.year < year):
                continue
            is_new = started is None or started.year >= year
            plan_wan = total / max(1, build_months / 12) if started and started.year <= year else total * 0.2
            years.append(
                {
                    "project_id": project.pk,
                    "year": year,
                    "is_new": is_new,
                    "planned_investment_wan": _money(min(plan_wan, total - done)),
                    "completed_before_wan": _money(done),
                    "planned_start_quarter": rng.randint(1, 2) if is_new else None,
                    "is_key": is_key,
                    "key_level": level if is_key else pd.Level.NONE,
                    "milestones": "合成数据",
                }
            )
            ytd = 0.0
            for y, m in self.periods:
                if y != year or started is None or (y, m) < (started.year, started.month):
                    continue
                if completed and (y, m) > (completed.year, completed.month):
                    break
                month_wan = min(total / build_months * rng.uniform(0.5, 1.5), max(total - done - ytd, 0))
                ytd += month_wan
                status = pd.ReportStatus.APPROVED
                if (y, m) == last:
                    status = rng.choices(
                        [pd.ReportStatus.APPROVED, pd.ReportStatus.SUBMITTED, pd.ReportStatus.DRAFT],
                        [6, 3, 1],
                    )[0]
                stamp = dt.datetime(*_add_months(y, m, 1), 5, 9, tzinfo=dt.UTC)
                reports.append(
                    {
                        "project_id": project.pk,
                        "year": y,
                        "month": m,
                        "month_wan": _money(month_wan),
                        "ytd_wan": _money(ytd),
                        "progress": "按计划推进（合成）",
                        "status": status,
                        "submitted_at": stamp if status != pd.ReportStatus.DRAFT else None,
                        "reviewed_at": stamp if status == pd.ReportStatus.APPROVED else None,
                    }
                )
            done += ytd
        return years, reports


def synthesize(spec: SynthSpec, *, progress: Callable[[str], None] | None = None) -> SynthResult:
    return Synth(spec, progress=progress).run()
