"""Notifications: the in-app inbox (per user and per unit), e-mail through Django's mail backend, and an optional
outgoing webhook per org unit (JSON POST), with retries and a delivery log.

:func:`notify` runs inside the caller's transaction: it writes the inbox rows and one pending :class:`Delivery`
per address, so a rolled-back step notifies nobody. :func:`deliver_due` (run by the worker) sends what is due.

At most once per delivery: a delivery is *claimed* by a conditional UPDATE (pending → sending) before anything
is sent, so two workers never send the same row; a 2xx marks it sent and it is never picked again. Retries (5xx,
429, timeouts, connection errors) back off exponentially (:func:`domain.retry_delay`) up to
``DIAODU_DELIVERY_MAX_ATTEMPTS``; other 4xx fail at once. A worker killed mid-send leaves a row "sending"; after
``STALE_AFTER`` it is retried (at least once in that crash case), and receivers can drop duplicates by the
``X-Diaodu-Delivery`` header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from diaodu.orgunits.models import OrgUnit
from diaodu.supervision.domain import retry_delay
from diaodu.supervision.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    SupervisionItem,
    UnitWebhook,
)

STALE_AFTER = dt.timedelta(minutes=15)
USER_AGENT = "Diaodu-Webhook/1"


def max_attempts() -> int:
    return int(getattr(settings, "DIAODU_DELIVERY_MAX_ATTEMPTS", 6))


def webhook_timeout() -> float:
    return float(getattr(settings, "DIAODU_WEBHOOK_TIMEOUT", 5.0))


def notify(
    *,
    kind: str,
    title: str,
    body: str = "",
    item: SupervisionItem | None = None,
    users: Iterable[Any] = (),
    units: Iterable[OrgUnit] = (),
    level: int = 0,
) -> list[Notification]:
    """Put a message into each user's and each unit's inbox and queue its e-mails and webhook posts."""
    users = [u for u in dict.fromkeys(users) if u is not None and u.is_active]
    units = list(dict.fromkeys(units))
    now = timezone.now()
    rows = [
        Notification(
            recipient_user=u, item=item, kind=kind, level=level, title=title[:200], body=body, created_at=now
        )
        for u in users
    ]
    rows += [
        Notification(
            recipient_unit=u, item=item, kind=kind, level=level, title=title[:200], body=body, created_at=now
        )
        for u in units
    ]
    created = Notification.objects.bulk_create(rows)  # SQLite ≥ 3.35 and PostgreSQL return the ids

    unit_ids = [u.pk for u in units]
    webhooks = {
        w.org_unit_id: w.url for w in UnitWebhook.objects.filter(org_unit_id__in=unit_ids, active=True)
    }
    unit_emails: dict[int, list[str]] = {}
    user_model = get_user_model()
    for unit_id, email in (
        user_model.objects.filter(org_unit_id__in=unit_ids, is_active=True)
        .exclude(email="")
        .values_list("org_unit_id", "email")
    ):
        unit_emails.setdefault(unit_id, []).append(email)
    deliveries: list[Delivery] = []
    for n in created:
        if n.recipient_user_id is not None:
            email = n.recipient_user.email if n.recipient_user else ""
            if email:
                deliveries.append(
                    Delivery(notification=n, channel=Channel.EMAIL, target=email, next_attempt_at=now)
                )
            continue
        for email in sorted(set(unit_emails.get(n.recipient_unit_id or 0, []))):
            deliveries.append(
                Delivery(notification=n, channel=Channel.EMAIL, target=email, next_attempt_at=now)
            )
        url = webhooks.get(n.recipient_unit_id or 0)
        if url:
            deliveries.append(
                Delivery(notification=n, channel=Channel.WEBHOOK, target=url, next_attempt_at=now)
            )
    Delivery.objects.bulk_create(deliveries)
    return created


@transaction.atomic
def mark_read(notification: Notification, *, user: Any) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.read_by = user
        notification.save(update_fields=["read_at", "read_by"])
    return notification


def mark_all_read(user: Any) -> int:
    """Mark everything unread in the user's inbox (own and unit messages) as read by the user."""
    return Notification.objects.inbox(user).unread().update(read_at=timezone.now(), read_by=user)


# ----------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retry: bool = False
    status_code: int | None = None
    error: str = ""


@dataclass
class DeliveryStats:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def payload(delivery: Delivery) -> dict[str, Any]:
    """The webhook body: a DingTalk / WeCom group-bot ``text`` message, plus the structured event under ``diaodu``."""
    n = delivery.notification
    item = n.item
    return {
        "msgtype": "text",
        "text": {"content": f"【督查督办】{n.title}\n{n.body}".strip()},
        "diaodu": {
            "delivery_id": delivery.pk,
            "notification_id": n.pk,
            "kind": n.kind,
            "level": n.level,
            "title": n.title,
            "body": n.body,
            "created_at": n.created_at.isoformat(),
            "unit": n.recipient_unit.code if n.recipient_unit else None,
            "item": None
            if item is None
            else {
                "number": item.number,
                "title": item.title,
                "status": item.status,
                "lead_unit": item.lead_unit.code if item.lead_unit else None,
                "deadline": item.deadline.isoformat() if item.deadline else None,
            },
        },
    }


def send_webhook(delivery: Delivery, *, timeout: float | None = None) -> Outcome:
    url = delivery.target
    if not url.startswith(("http://", "https://")):
        return Outcome(False, error="unsupported URL scheme")
    body = json.dumps(payload(delivery), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Diaodu-Delivery": str(delivery.pk),
    }
    hook = UnitWebhook.objects.filter(org_unit_id=delivery.notification.recipient_unit_id).first()
    if hook is not None and hook.secret:
        digest = hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Diaodu-Signature"] = f"sha256={digest}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=timeout or webhook_timeout()) as response:  # noqa: S310
            return Outcome(True, status_code=response.status)
    except urllib.error.HTTPError as exc:
        retry = exc.code >= 500 or exc.code == 429
        return Outcome(False, retry=retry, status_code=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, retry=True, error=f"{type(exc).__name__}: {reason}"[:500])


def send_email(delivery: Delivery) -> Outcome:
    n = delivery.notification
    try:
        EmailMessage(subject=f"【督查督办】{n.title}", body=n.body or n.title, to=[delivery.target]).send()
    except Exception as exc:
        return Outcome(False, retry=True, error=f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(True)


def deliver_due(
    *, now: dt.datetime | None = None, limit: int = 200, timeout: float | None = None
) -> DeliveryStats:
    """Send every pending delivery whose time has come; see the module docstring for the guarantees."""
    now = now or timezone.now()
    stats = DeliveryStats()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        if not Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=now
        ):
            continue  # another worker claimed it
        delivery = Delivery.objects.select_related(
            "notification__item__lead_unit", "notification__recipient_unit", "notification__recipient_user"
        ).get(pk=pk)
        started = time.monotonic()
        outcome = (
            send_webhook(delivery, timeout=timeout)
            if delivery.channel == Channel.WEBHOOK
            else send_email(delivery)
        )
        _finish(delivery, outcome, now=now, duration_ms=int((time.monotonic() - started) * 1000))
        if outcome.ok:
            stats.sent += 1
        elif delivery.status == DeliveryStatus.PENDING:
            stats.retrying += 1
        else:
            stats.failed += 1
    return stats


def _finish(delivery: Delivery, outcome: Outcome, *, now: dt.datetime, duration_ms: int) -> None:
    delivery.attempts += 1
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=now,
        ok=outcome.ok,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=duration_ms,
    )
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, ""
    elif outcome.retry and delivery.attempts < max_attempts():
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.last_error = outcome.error
    else:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, outcome.error
    delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])


def pending_deliveries(now: dt.datetime | None = None) -> bool:
    return Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now()
    ).exists()
