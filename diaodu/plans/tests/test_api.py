"""The plans API: authentication, scope (404 outside, 403 not allowed), the review cycle, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diaodu.accounts.models import ApiToken
from diaodu.accounts.services import issue_api_token
from diaodu.audit.models import AuditAction, AuditEvent
from diaodu.core.testing.authz import YANGJI, YISHAN, World, build_world
from diaodu.core.testing.derived import rebuild_derived
from diaodu.plans.models import Actual, ActualStatus, Indicator, Measure, Target


@pytest.fixture
def world(db, settings) -> World:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


def client_for(world: World, username: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(world.users[username])
    return client


def post(client: Client, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs or None), data or {}, content_type="application/json")


def events(actual: Actual) -> list[str]:
    rows = AuditEvent.objects.filter(object_type="plans.actual", object_id=str(actual.pk)).order_by("id")
    return [row.action for row in rows]


# ----------------------------------------------------------------------------- authentication


def test_it_accepts_a_bearer_token(world: World) -> None:
    key = issue_api_token(actor=world.users["yishan"], user=world.users["yishan"], name="脚本")

    response = Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert response.json()["username"] == "yishan"
    assert response.json()["org_unit_code"] == YISHAN


def test_it_lets_a_token_write_without_csrf(world: World) -> None:
    key = issue_api_token(actor=world.users["yishan"], user=world.users["yishan"], name="脚本")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("api:actual_submit", kwargs={"actual_id": world.draft_yishan.pk}),
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 200
    assert response.json()["status"] == ActualStatus.SUBMITTED


def test_it_refuses_unknown_and_revoked_tokens(world: World) -> None:
    key = issue_api_token(actor=world.users["yishan"], user=world.users["yishan"], name="脚本")
    ApiToken.objects.update(revoked_at=timezone.now())
    url = reverse("api:actuals")

    for token in (key, "dd_unknown"):
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401
        assert response.json() == {"detail": "未登录或令牌无效。"}
    submit = reverse("api:actual_submit", kwargs={"actual_id": world.draft_yishan.pk})
    assert (
        Client(enforce_csrf_checks=True).post(submit, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    )


def test_it_refuses_anonymous_calls(world: World) -> None:
    response = Client().get(reverse("api:targets"))

    assert response.status_code == 401


def test_it_refuses_a_session_post_without_csrf(world: World) -> None:
    client = client_for(world, "yishan", enforce_csrf_checks=True)
    url = reverse("api:actual_submit", kwargs={"actual_id": world.draft_yishan.pk})

    refused = client.post(url)
    client.cookies["csrftoken"] = token = "a" * 32
    accepted = client.post(url, HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 200


def test_it_issues_a_token_once_to_a_session_only(world: World) -> None:
    client = client_for(world, "yishan")

    response = post(client, "api:token_issue", {"name": "月报导入"})
    key = response.json()["token"]
    from_token = Client().post(
        reverse("api:token_issue"),
        {"name": "再签发"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 201
    assert key.startswith("dd_")
    assert ApiToken.objects.get().key_hash == ApiToken.hash_key(key)
    assert from_token.status_code == 401  # a token cannot mint tokens


# ----------------------------------------------------------------------------- scope


def test_it_hides_another_towns_actuals(world: World) -> None:
    client = client_for(world, "yishan")

    detail = client.get(reverse("api:actual_detail", kwargs={"actual_id": world.draft_yangji.pk}))
    listing = client.get(reverse("api:actuals"))
    filtered = client.get(reverse("api:actuals"), {"unit": YANGJI})
    approve = post(client, "api:actual_approve", actual_id=world.submitted_yangji.pk)

    assert detail.status_code == 404
    assert detail.json() == {"detail": "未找到"}
    assert {row["org_unit_code"] for row in listing.json()["items"]} == {YISHAN}
    assert listing.json()["count"] == 3
    assert filtered.status_code == 404
    assert approve.status_code == 404


def test_it_forbids_a_town_officer_to_approve_its_own_unit(world: World) -> None:
    client = client_for(world, "yishan")

    response = post(client, "api:actual_approve", actual_id=world.submitted_yishan.pk)

    assert response.status_code == 403
    assert response.json()["detail"] == "您无权执行此操作。"
    world.submitted_yishan.refresh_from_db()
    assert world.submitted_yishan.status == ActualStatus.SUBMITTED
    denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert denied.actor_name == "yishan"
    assert not denied.success


def test_it_refuses_business_data_to_administrators(world: World) -> None:
    for name in ("sysadmin", "secadmin", "auditadmin"):
        client = client_for(world, name)
        for route in ("api:actuals", "api:targets"):
            response = client.get(reverse(route))
            assert response.status_code == 403, (name, route)
            assert response.json()["detail"] == "您的角色无权查看业务数据。"


def test_it_lets_a_reviewer_approve(world: World) -> None:
    response = post(
        client_for(world, "fgw"),
        "api:actual_approve",
        {"comment": "核对无误"},
        actual_id=world.submitted_yishan.pk,
    )

    assert response.status_code == 200
    assert response.json()["status"] == ActualStatus.APPROVED
    assert response.json()["review_comment"] == "核对无误"


# ----------------------------------------------------------------------------- the review cycle


def test_it_runs_submit_return_resubmit_approve_with_audit_rows(world: World) -> None:
    officer, reviewer = client_for(world, "yishan"), client_for(world, "fgw")
    body = {
        "indicator": world.revenue.code,
        "unit": YISHAN,
        "year": world.year,
        "month": 4,
        "ytd_value": "1.25",
        "note": "财政局4月月报",
    }

    created = post(officer, "api:actual_save", body)
    actual_id = created.json()["id"]
    submitted = post(officer, "api:actual_submit", actual_id=actual_id)
    returned = post(reviewer, "api:actual_return", {"comment": "请附财政局月报"}, actual_id=actual_id)
    edited = post(
        officer,
        "api:actual_save",
        body | {"ytd_value": "1.3", "expected_version": returned.json()["version"]},
    )
    resubmitted = post(officer, "api:actual_submit", actual_id=actual_id)
    approved = post(reviewer, "api:actual_approve", actual_id=actual_id)

    assert created.status_code == 200
    assert created.json()["ytd_value"] == "1.25"
    assert created.json()["status"] == ActualStatus.DRAFT
    assert submitted.json()["status"] == ActualStatus.SUBMITTED
    assert returned.json()["status"] == ActualStatus.RETURNED
    assert returned.json()["review_comment"] == "请附财政局月报"
    assert edited.json()["ytd_value"] == "1.3"
    assert resubmitted.json()["status"] == ActualStatus.SUBMITTED
    assert approved.json()["status"] == ActualStatus.APPROVED
    actual = Actual.objects.get(pk=actual_id)
    assert actual.ytd_value == Decimal("1.3")
    assert events(actual) == ["create", "submit", "return", "update", "submit", "approve"]


def test_it_refuses_to_edit_an_approved_month(world: World) -> None:
    body = {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": 1, "ytd_value": "9"}

    response = post(client_for(world, "yishan"), "api:actual_save", body)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert "已审核" in error["msg"]
    assert "不能修改" in error["msg"]
    world.approved_yishan.refresh_from_db()
    assert world.approved_yishan.ytd_value == Decimal("0.3")


def test_it_refuses_a_stale_version(world: World) -> None:
    body = {
        "indicator": world.revenue.code,
        "unit": YISHAN,
        "year": world.year,
        "month": 3,
        "ytd_value": "2",
        "expected_version": world.draft_yishan.version + 5,
    }

    response = post(client_for(world, "yishan"), "api:actual_save", body)

    assert response.status_code == 409  # no lost update (diaodu.core.versioning)
    assert "您的修改未保存" in response.json()["detail"]


def test_it_locates_validation_errors(world: World) -> None:
    client_officer, client_reviewer = client_for(world, "yishan"), client_for(world, "fgw")

    no_value = post(
        client_officer,
        "api:actual_save",
        {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": 5},
    )
    no_comment = post(
        client_reviewer, "api:actual_return", {"comment": " "}, actual_id=world.submitted_yishan.pk
    )
    missing = post(client_reviewer, "api:actual_return", {}, actual_id=world.submitted_yishan.pk)
    unknown = post(
        client_officer,
        "api:actual_save",
        {"indicator": "nope", "unit": YISHAN, "year": world.year, "month": 5, "ytd_value": "1"},
    )

    assert no_value.status_code == 422
    assert no_value.json()["detail"] == [
        {"loc": ["body", "ytd_value"], "msg": "请至少填写累计值或公布增速。"}
    ]
    assert no_comment.json()["detail"] == [{"loc": ["body", "comment"], "msg": "退回时请填写退回意见。"}]
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["msg"] == "此项为必填项。"
    assert unknown.json()["detail"][0]["loc"] == ["body", "indicator"]


def test_it_refuses_a_figure_too_large_for_its_column_with_a_located_error(world: World) -> None:
    """A figure the database could not store is refused by the service in Chinese (422, the field named), not by
    the database (500), and nothing is written."""
    base = {"indicator": world.revenue.code, "unit": YISHAN, "year": world.year, "month": 5}
    before = (Actual.objects.count(), AuditEvent.objects.count())
    officer = client_for(world, "yishan")

    too_large = post(officer, "api:actual_save", base | {"ytd_value": "1e30"})
    growth = post(officer, "api:actual_save", base | {"ytd_value": "1", "growth_pct": "12345678"})
    rounded_up = post(officer, "api:actual_save", base | {"ytd_value": "9999999999999999.99999"})

    assert too_large.status_code == 422
    assert too_large.json()["detail"] == [
        {"loc": ["body", "ytd_value"], "msg": "累计值超出范围：整数部分最多 16 位。"}
    ]
    assert growth.status_code == 422
    assert growth.json()["detail"] == [
        {"loc": ["body", "growth_pct"], "msg": "公布增速(%)超出范围：整数部分最多 7 位。"}
    ]
    assert rounded_up.status_code == 422  # 16 nines round up to 17 digits in the column
    assert (Actual.objects.count(), AuditEvent.objects.count()) == before
    largest = post(officer, "api:actual_save", base | {"ytd_value": "9999999999999999.9999"})
    assert largest.status_code == 200 and largest.json()["ytd_value"] == "9999999999999999.9999"


def test_it_lets_a_reviewer_above_reopen_an_approved_month(world: World) -> None:
    response = post(
        client_for(world, "fgw"),
        "api:actual_reopen",
        {"reason": "统计局修订1月数据"},
        actual_id=world.approved_yishan.pk,
    )

    assert response.status_code == 200
    assert response.json()["status"] == ActualStatus.RETURNED
    assert events(world.approved_yishan) == ["reopen"]


# ----------------------------------------------------------------------------- targets


def test_it_evaluates_targets_for_a_unit(world: World) -> None:
    response = client_for(world, "leader").get(
        reverse("api:targets"), {"as_of": f"{world.year}-06", "unit": YISHAN}
    )

    assert response.status_code == 200
    rows = {row["indicator_code"]: row for row in response.json()}
    assert set(rows) == {world.gdp.code, world.revenue.code}
    revenue = rows[world.revenue.code]
    assert revenue["org_unit"] == "伊山镇"
    assert revenue["org_unit_code"] == YISHAN
    assert revenue["value"] == "3.2"  # stored decimals are strings
    assert revenue["unit"] == "亿元"
    assert revenue["comparator"] == ">="
    assert revenue["level"] == "committed"
    assert revenue["data_month"] == 1  # only the approved January counts
    assert revenue["actual"] == pytest.approx(0.3)  # evaluation figures are numbers
    assert revenue["status"] in {"green", "yellow", "red"}
    assert isinstance(revenue["schedule_pct"], float)
    assert rows[world.gdp.code]["status"] == "grey"
    assert rows[world.gdp.code]["actual"] is None


def test_it_checks_the_as_of_month(world: World) -> None:
    client = client_for(world, "leader")

    malformed = client.get(reverse("api:targets"), {"as_of": "2025/06"})
    other_year = client.get(reverse("api:targets"), {"year": "2024", "as_of": "2025-06"})

    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["query", "as_of"]
    assert "YYYY-MM" in malformed.json()["detail"][0]["msg"]
    assert other_year.status_code == 422


# ----------------------------------------------------------------------------- query counts


def _grow(world: World, n: int) -> None:
    """Add ``n`` indicators with targets and approved months for both towns."""
    for i in range(n):
        ind = Indicator.objects.create(
            code=f"extra-{i}", name=f"附加指标{i}", unit="亿元", measure=Measure.ABSOLUTE
        )
        for unit in (world.yishan, world.yangji):
            Target.objects.create(
                plan=world.plan,
                key=f"extra-{i}-{unit.code}",
                indicator=ind,
                org_unit=unit,
                year=world.year,
                value=Decimal(10),
                quote="附加目标",
            )
            for month in (1, 2):
                Actual.objects.create(
                    indicator=ind,
                    org_unit=unit,
                    year=world.year,
                    month=month,
                    ytd_value=Decimal(month),
                    status=ActualStatus.APPROVED,
                )
    rebuild_derived()  # written past the services: lights and data version as the services would leave them


def _count(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("api:actuals", {}),
        ("api:actuals", {"unit": YISHAN, "year": "2025"}),
        ("api:targets", {"year": "2025"}),
        ("api:targets", {"as_of": "2025-06", "unit": YISHAN, "include_below": "true"}),
        ("api:indicators", {}),
    ],
)
@pytest.mark.parametrize("persona", ["leader", "yishan"])
def test_list_queries_do_not_grow_with_rows(
    world: World, route: str, params: dict[str, Any], persona: str
) -> None:
    url = reverse(route)
    small = _count(client_for(world, persona), url, params)
    _grow(world, 8)
    large = _count(client_for(world, persona), url, params)

    assert large == small
    # session, user, roles, scope, idle-timeout stamp, data version, on a cache miss the user with their unit,
    # roles and scope read again after the version, then the data itself
    assert small <= 16


def test_it_approves_without_a_body(world: World) -> None:
    client = client_for(world, "fgw")

    response = client.generic(
        "POST", reverse("api:actual_approve", kwargs={"actual_id": world.submitted_yangji.pk})
    )

    assert response.status_code == 200


def test_the_list_shows_each_actual_exactly_as_its_detail_does(world: World) -> None:
    """The list is built from plain rows, the detail from the instance: the same JSON for every actual (decimals
    without trailing zeros, the entry unit of growth and absolute indicators, times, statuses)."""
    growth = Indicator.objects.create(
        code="gdp-growth", name="地区生产总值增速", unit="%", value_unit="亿元", measure=Measure.GROWTH
    )
    plain_growth = Indicator.objects.create(
        code="plain-growth", name="某增速", unit="%", measure=Measure.GROWTH
    )
    for ind, ytd, pct in ((growth, Decimal("123.4500"), Decimal("6.50")), (plain_growth, None, Decimal("7"))):
        Actual.objects.create(indicator=ind, org_unit=world.yishan, year=world.year, month=3, ytd_value=ytd,
                              growth_pct=pct, base_value=Decimal("100.10"), note="来源", submitted_at=timezone.now(),
                              status=ActualStatus.SUBMITTED)  # fmt: skip
    for persona in ("leader", "yishan"):
        client = client_for(world, persona)
        listing = client.get(reverse("api:actuals"), {"limit": 100}).json()
        assert listing["count"] == len(listing["items"]) >= 5
        for row in listing["items"]:
            detail = client.get(reverse("api:actual_detail", kwargs={"actual_id": row["id"]}))
            assert detail.status_code == 200 and detail.json() == row
        units = {r["indicator_code"]: r["unit"] for r in listing["items"]}
        assert units["gdp-growth"] == "亿元" and units["plain-growth"] == ""
        values = {r["indicator_code"]: r["ytd_value"] for r in listing["items"]}
        assert values["gdp-growth"] == "123.45" and values["plain-growth"] is None
