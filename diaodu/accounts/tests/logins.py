"""Logging in through the real login flow in tests, second factor included."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from django.test import Client
from django.urls import reverse

from diaodu.accounts import services
from diaodu.core.demo.users import DEMO_PASSWORD


def post_login(client: Client, username: str, password: str = DEMO_PASSWORD, **extra: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def secret_on_page(html: str) -> str:
    match = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html)
    assert match, "no TOTP secret on the enrolment page"
    return match.group(1).replace(" ", "")


def enrol(client: Client, username: str, password: str = DEMO_PASSWORD) -> tuple[str, Any]:
    """Password step, then bind a new authenticator: returns (secret, the final response)."""
    response = post_login(client, username, password)
    assert response["Location"].startswith(reverse("accounts:otp_enrol")), response
    secret = secret_on_page(client.get(reverse("accounts:otp_enrol")).content.decode())
    response = client.post(reverse("accounts:otp_enrol"), {"code": pyotp.TOTP(secret).now()})
    return secret, response


def pending(client: Client) -> bool:
    return services.PENDING_KEY in client.session
