"""The configuration pages in the admin: the system administrator only; rule sets read-only."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"), [("sysadmin", 200), ("leader", 302), ("yishan", 302), ("secadmin", 302)]
)
def test_it_shows_configuration_to_the_system_administrator_only(personas, persona, status) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas[persona])
    for url in ("/admin/projects/ruleset/", "/admin/projects/approvaltemplate/add/"):
        assert client.get(url).status_code in ({status} if status == 200 else {302, 403}), url


def test_rule_sets_cannot_be_added_in_the_admin(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(personas["sysadmin"])
    assert client.get("/admin/projects/ruleset/add/").status_code == 403
