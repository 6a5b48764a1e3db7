"""Chinese first: an English browser still gets Chinese until the user switches language."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_it_ignores_accept_language_and_honours_the_switch(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english["Content-Language"] == "en"
    assert "登录" not in english.content.decode()
