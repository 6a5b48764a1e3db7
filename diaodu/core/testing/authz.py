"""The authorization matrix: one row (:class:`Case`) per URL or API operation, one expected status per persona.

Each app lists its rows in ``diaodu/<app>/tests/authz*.py`` as a module-level ``CASES`` (or ``PAGE_CASES``)
list. ``tests/test_authz_matrix.py`` collects them, fails for every named route without a row, then requests
every row as every persona inside a rolled-back savepoint against the small fixed :class:`World`.

Example::

    from diaodu.core.testing.authz import ALL_PERSONAS, Case

    CASES = [
        Case("cockpit:home", expect={"anonymous": 302}, default=200),
        Case("api:actual_detail", kwargs=lambda w: {"actual_id": w.draft_yangji.pk},
             expect={"anonymous": 401, "yishan": 404, "yangji": 200, ...}, default=403),
    ]
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from diaodu.core.demo.users import DEMO_USERS

ANONYMOUS = "anonymous"
PERSONAS: tuple[str, ...] = tuple(u.username for u in DEMO_USERS)
ALL_PERSONAS: tuple[str, ...] = (*PERSONAS, ANONYMOUS)

# Handy groups for writing rows.
ADMINS: tuple[str, ...] = ("sysadmin", "secadmin", "auditadmin")
REVIEWERS: tuple[str, ...] = ("fgw", "tjj")
TOWN_OFFICERS: tuple[str, ...] = ("yishan", "yangji")
ZONE_OFFICERS: tuple[str, ...] = ("lingang", "kaifaqu")

# A persona added after most rows were written: in a row that does not name it, it expects what its model persona
# gets. The supervision office (dcs: 督查员 = 查看 + 督办 over all units) reads data exactly like the county leader;
# the 自然资源和规划局 officer (ziran) owns nothing in the world, like the zone officer lingang.
PERSONA_FALLBACK: dict[str, str] = {"dcs": "leader", "ziran": "lingang"}

WORLD_YEAR = 2025

Value = Any
KwargsSpec = Mapping[str, Value] | Callable[["World"], Mapping[str, Value]]
DataSpec = Mapping[str, Value] | Callable[["World"], Mapping[str, Value]] | None


def each(personas: tuple[str, ...] | list[str], status: int) -> dict[str, int]:
    """``{persona: status}`` for a group, e.g. ``expect=each(ADMINS, 403) | {"fgw": 200}``."""
    return dict.fromkeys(personas, status)


@dataclass(frozen=True)
class Case:
    """One row of the matrix: a route, how to call it, and the status every persona must get."""

    route: str
    method: str = "GET"
    kwargs: KwargsSpec = field(default_factory=dict)
    data: DataSpec = None
    expect: Mapping[str, int] = field(default_factory=dict)
    default: int | None = None
    json: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.expect) - set(ALL_PERSONAS)
        if unknown:
            raise ValueError(f"{self.route}: unknown personas {sorted(unknown)}")
        missing = sorted(set(ALL_PERSONAS) - set(self.expect) - set(PERSONA_FALLBACK))
        if self.default is None and missing:
            raise ValueError(f"{self.route} {self.method}: no expectation (and no default) for {missing}")
        object.__setattr__(self, "method", self.method.upper())

    @property
    def label(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.note}]" if self.note else "")

    def expected(self, persona: str) -> int:
        if persona not in self.expect and persona in PERSONA_FALLBACK:
            return self.expected(PERSONA_FALLBACK[persona])
        status = self.expect.get(persona, self.default)
        assert status is not None
        return status

    def resolve_kwargs(self, world: World) -> dict[str, Value]:
        return dict(self.kwargs(world) if callable(self.kwargs) else self.kwargs)

    def resolve_data(self, world: World) -> dict[str, Value] | None:
        if self.data is None:
            return None
        return dict(self.data(world) if callable(self.data) else self.data)


# ----------------------------------------------------------------------------- the fixed world


@dataclass
class World:
    """A small fixed data set: Guanyun's units, the demo personas, one plan with two indicators,
    targets for 伊山镇 and 杨集镇, and a draft, a submitted and an approved actual for each town."""

    users: dict[str, Any]
    units: dict[str, Any]
    plan: Any
    gdp: Any  # growth indicator (地区生产总值增速)
    revenue: Any  # absolute YTD indicator (一般公共预算收入, 亿元)
    targets: dict[tuple[str, str], Any]  # (indicator code, unit code) -> Target
    draft_yishan: Any
    draft_yangji: Any
    submitted_yishan: Any
    submitted_yangji: Any
    approved_yishan: Any
    approved_yangji: Any
    year: int = WORLD_YEAR

    @property
    def yishan(self) -> Any:
        return self.units[YISHAN]

    @property
    def yangji(self) -> Any:
        return self.units[YANGJI]


COUNTY = "320723"
YISHAN = "320723-T02"
YANGJI = "320723-T03"


def build_world() -> World:
    """Create the world in the current database (call inside a test with DB access)."""
    from diaodu.core.demo.personas import ensure_demo_users
    from diaodu.orgunits.models import OrgUnit
    from diaodu.orgunits.services import seed_guanyun
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

    seed_guanyun()
    units = {u.code: u for u in OrgUnit.objects.all()}
    users = ensure_demo_users()
    year = WORLD_YEAR
    plan = Plan.objects.create(
        code=f"authz-{year}", title=f"测试计划{year}", year=year, org_unit=units[COUNTY]
    )
    gdp = Indicator.objects.create(
        code="authz-gdp",
        name="测试地区生产总值",
        unit="%",
        value_unit="亿元",
        measure=Measure.GROWTH,
        accumulation=Accumulation.YTD,
        rollup=Rollup.NONE,
    )
    revenue = Indicator.objects.create(
        code="authz-revenue",
        name="测试一般公共预算收入",
        unit="亿元",
        measure=Measure.ABSOLUTE,
        accumulation=Accumulation.YTD,
        rollup=Rollup.SUM,
    )
    targets = {}
    order = 0
    for ind, value in ((gdp, Decimal("6.5")), (revenue, Decimal("3.2"))):
        for code in (YISHAN, YANGJI):
            order += 1
            targets[(ind.code, code)] = Target.objects.create(
                plan=plan,
                key=f"{ind.code}-{code}",
                indicator=ind,
                org_unit=units[code],
                year=year,
                value=value,
                comparator=Comparator.GE,
                level=Level.COMMITTED,
                quote=f"{units[code].name}{ind.name}目标",
                sort_order=order,
            )

    def actual(unit_code: str, month: int, status: str, officer: str) -> Actual:
        submitted = status != ActualStatus.DRAFT
        stamp = dt.datetime(year, month + 1, 5, 9, tzinfo=dt.UTC)
        return Actual.objects.create(
            indicator=revenue,
            org_unit=units[unit_code],
            year=year,
            month=month,
            ytd_value=Decimal("0.3") * month,
            note="财政局月报",
            status=status,
            created_by=users[officer],
            submitted_by=users[officer] if submitted else None,
            submitted_at=stamp if submitted else None,
            reviewed_by=users["fgw"] if status == ActualStatus.APPROVED else None,
            reviewed_at=stamp if status == ActualStatus.APPROVED else None,
        )

    return World(
        users=users,
        units=units,
        plan=plan,
        gdp=gdp,
        revenue=revenue,
        targets=targets,
        approved_yishan=actual(YISHAN, 1, ActualStatus.APPROVED, "yishan"),
        approved_yangji=actual(YANGJI, 1, ActualStatus.APPROVED, "yangji"),
        submitted_yishan=actual(YISHAN, 2, ActualStatus.SUBMITTED, "yishan"),
        submitted_yangji=actual(YANGJI, 2, ActualStatus.SUBMITTED, "yangji"),
        draft_yishan=actual(YISHAN, 3, ActualStatus.DRAFT, "yishan"),
        draft_yangji=actual(YANGJI, 3, ActualStatus.DRAFT, "yangji"),
    )


# ----------------------------------------------------------------------------- collecting rows and routes


def collect_cases(root: Path | None = None) -> list[Case]:
    """Every ``CASES``/``PAGE_CASES`` list of ``diaodu/*/tests/authz*.py``."""
    root = root or Path(__file__).resolve().parents[2]  # the diaodu package
    cases: list[Case] = []
    for path in sorted(root.glob("*/tests/authz*.py")):
        module = importlib.import_module(f"diaodu.{path.parent.parent.name}.tests.{path.stem}")
        for name in ("CASES", "PAGE_CASES"):
            cases.extend(getattr(module, name, ()))
    return cases


EXCLUDED_NAMESPACES = ("admin",)  # the admin site has its own test


def named_routes() -> set[str]:
    """Every named URL pattern of the project as "namespace:name" (admin excluded)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], namespaces: tuple[str, ...]) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = (*namespaces, p.namespace) if p.namespace else namespaces
                if ns and ns[0] in EXCLUDED_NAMESPACES:
                    continue
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                yield ":".join((*namespaces, p.name))

    return set(walk(get_resolver().url_patterns, ()))


def api_operation_methods() -> dict[str, set[str]]:
    """Map "api:<url name>" to the HTTP methods of the ninja operation, to check each row's method."""
    from diaodu.api import api

    out: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                name = getattr(op, "url_name", None) or op.view_func.__name__
                out.setdefault(f"{api.urls_namespace}:{name}", set()).update(m.upper() for m in op.methods)
    return out
