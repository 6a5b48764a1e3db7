"""Whole pages from the page cache keep what belongs to one request: the browser's own CSRF token, the live
supervision badge and the flash messages (diaodu.core.pagecache.page)."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.cockpit.tests.world import make_plan
from diaodu.supervision.models import NoticeKind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def pages(orgunits) -> list[str]:  # type: ignore[no-untyped-def]
    """The target list, the cockpit and an indicator page."""
    world = make_plan(orgunits)
    return [
        reverse("plans:targets"),
        reverse("cockpit:home") + "?month=2025-09",
        reverse("cockpit:indicator", args=[world["four"].code]),
    ]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _queries(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_cached_page_carries_the_csrf_token_of_the_browser_that_asks(personas, pages, index) -> None:  # type: ignore[no-untyped-def]
    url = pages[index]
    first = Client(enforce_csrf_checks=True)
    first.force_login(personas["leader"])
    _html, computed = _queries(first, url)
    # the same leader in a second browser: another CSRF cookie, the same cached page
    second = Client(enforce_csrf_checks=True)
    second.force_login(personas["leader"])
    html, served = _queries(second, url)
    assert served < computed  # from the cache
    assert "diaodu-slot-" not in html
    # its language form posts with this browser's token (the first browser's would be refused)
    response = second.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": _csrf(html)})
    assert response.status_code == 302


def test_the_badge_and_the_messages_are_live_on_a_cached_page(personas, pages) -> None:  # type: ignore[no-untyped-def]
    leader = personas["leader"]
    client = Client()
    client.force_login(leader)
    url = pages[0]
    html, computed = _queries(client, url)
    assert 'data-testid="supervision-badge"' not in html
    # a notice (no figure changes, so the data version stays): the next page shows the badge
    Notification.objects.create(recipient_user=leader, kind=NoticeKind.ASSIGNED, title="新交办")
    html, served = _queries(client, url)
    assert served < computed
    assert re.search(r'data-testid="supervision-badge"[^>]*>1<', html)
    # a flash message (carried in the messages cookie, as after a redirect) is shown once, on the cached page too
    storage = CookieStorage(RequestFactory().get(url))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "已保存（测试消息）")])  # type: ignore[attr-defined]
    shown = client.get(url).content.decode()
    assert shown.count("已保存（测试消息）") == 1 and 'class="alert alert-success"' in shown
    assert "已保存（测试消息）" not in client.get(url).content.decode()


def test_a_page_computed_for_the_cache_reads_the_scope_after_the_version(personas, orgunits) -> None:  # type: ignore[no-untyped-def]
    """Roles and unit read before the version (by the access check) are read again before computing: a change
    committed in between is not stored under the new version with the old scope."""
    from diaodu.accounts.models import User
    from diaodu.accounts.scope import READ_PERMS, unit_scope
    from diaodu.core import pagecache

    leader = User.objects.get(pk=personas["leader"].pk)
    request = RequestFactory().get("/")
    assert not unit_scope(leader, READ_PERMS).empty  # read (and kept on the user) before the version
    other = orgunits["320723-T02-IZ"]
    User.objects.filter(pk=leader.pk).update(org_unit=other)  # changes that did not go through the services
    leader.roles.clear()
    seen = pagecache.get_or_compute(
        request, leader, "scope-test", (), lambda: (unit_scope(leader, READ_PERMS).empty, leader.org_unit_id)
    )
    assert seen == (True, other.pk)
