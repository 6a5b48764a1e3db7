"""TOTP second factor (RFC 6238) through pyotp: secrets, the enrolment QR code, and code checks that refuse
a code used before (replay) and accept one 30-second step of clock drift either side."""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp
import segno

ISSUER = "调度 Diaodu"
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as an inline SVG element (no image file, nothing for the CSP to allow)."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=False)


def matching_counter(secret: str, code: str, *, last_counter: int | None, now: dt.datetime) -> int | None:
    """The time step whose code ``code`` is (within the drift), if it is newer than ``last_counter``."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None
