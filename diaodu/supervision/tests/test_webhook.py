"""Deliveries against a real local HTTP receiver (http.server in a thread): payload, retry on 500, no double send."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from diaodu.supervision import notifications, services
from diaodu.supervision.models import Delivery, DeliveryStatus, UnitWebhook
from diaodu.supervision.tests.conftest import YISHAN

pytestmark = pytest.mark.django_db


class Receiver:
    """Answers each POST with the next status of ``script`` (200 once the script is used up)."""

    def __init__(self) -> None:
        self.script: list[int | str] = []  # an int status, or "slow" (sleep past the client timeout)
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                step = receiver.script.pop(0) if receiver.script else 200
                if step == "slow":
                    time.sleep(0.6)
                    step = 200
                self.send_response(int(step))
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=t"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hooked(units, receiver):  # type: ignore[no-untyped-def]
    return UnitWebhook.objects.create(org_unit=units[YISHAN], url=receiver.url, secret="s3cret")


def test_payload_and_signature(personas, make_item, hooked, receiver) -> None:  # type: ignore[no-untyped-def]
    item = make_item(co=())
    stats = notifications.deliver_due()
    assert stats.as_dict() == {"sent": 1, "retrying": 0, "failed": 0}
    [request] = receiver.requests
    body = json.loads(request["body"])
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("【督查督办】新交办督办件：伊山镇工业集中区污水管网接入滞后")
    event = body["diaodu"]
    assert event["kind"] == "assigned" and event["unit"] == YISHAN
    assert event["item"] == {
        "number": item.number,
        "title": item.title,
        "status": "assigned",
        "lead_unit": YISHAN,
        "deadline": "2025-10-31",
    }
    delivery = Delivery.objects.get()
    assert request["headers"]["X-Diaodu-Delivery"] == str(delivery.pk)
    expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Diaodu-Signature"] == f"sha256={expected}"
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert list(delivery.log.values_list("ok", "status_code")) == [(True, 200)]


def test_retry_on_500_then_nothing_sent_twice(personas, make_item, hooked, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.script = [500, 503]
    make_item(co=())
    t0 = timezone.now()
    assert notifications.deliver_due(now=t0).retrying == 1
    assert notifications.deliver_due(now=t0 + dt.timedelta(seconds=10)).as_dict() == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
    }  # back-off: not due yet
    assert notifications.deliver_due(now=t0 + dt.timedelta(seconds=31)).retrying == 1
    assert notifications.deliver_due(now=t0 + dt.timedelta(seconds=92)).sent == 1
    for later in (100, 5000):
        assert notifications.deliver_due(now=t0 + dt.timedelta(seconds=later)).sent == 0
    assert len(receiver.requests) == 3
    assert len({json.dumps(p, sort_keys=True) for p in receiver.payloads()}) == 1  # the same message, retried
    delivery = Delivery.objects.get()
    assert list(delivery.log.values_list("ok", "status_code")) == [(False, 500), (False, 503), (True, 200)]
    assert delivery.status == DeliveryStatus.SENT and delivery.last_error == ""


def test_timeouts_are_retried_and_4xx_fails(personas, make_item, hooked, receiver, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_WEBHOOK_TIMEOUT = 0.2
    receiver.script = ["slow", 404]
    make_item(co=())
    t0 = timezone.now()
    assert notifications.deliver_due(now=t0).retrying == 1
    delivery = Delivery.objects.get()
    assert "timed out" in delivery.last_error or "Timeout" in delivery.last_error
    assert notifications.deliver_due(now=t0 + dt.timedelta(minutes=2)).failed == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "HTTP 404")


def test_gives_up_after_max_attempts(personas, make_item, hooked, receiver, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIAODU_DELIVERY_MAX_ATTEMPTS = 2
    receiver.script = [500, 500, 500]
    make_item(co=())
    t0 = timezone.now()
    notifications.deliver_due(now=t0)
    assert notifications.deliver_due(now=t0 + dt.timedelta(hours=1)).failed == 1
    assert len(receiver.requests) == 2


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(personas, make_item, hooked, receiver) -> None:  # type: ignore[no-untyped-def]
    make_item(co=())
    Delivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())  # another worker has it
    assert notifications.deliver_due().sent == 0
    assert receiver.requests == []
    # ... until it is stale (the other worker died): then it is retried once
    assert notifications.deliver_due(now=timezone.now() + dt.timedelta(minutes=16)).sent == 1


def test_email_to_users_and_units(personas, make_item) -> None:  # type: ignore[no-untyped-def]
    personas["yishan"].email = "yishan@example.gov.cn"
    personas["yishan"].save(update_fields=["email"])
    personas["leader"].email = "leader@example.gov.cn"
    personas["leader"].save(update_fields=["email"])
    item = make_item(co=(), leader_user=personas["leader"])
    item = services.sign_item(item, actor=personas["yishan"])
    item = services.request_closure(item, actor=personas["yishan"], text="已办结")
    item = services.verify_item(item, actor=personas["dcs"])
    services.close_item(item, actor=personas["dcs"])
    assert notifications.deliver_due().sent == 3  # assigned → 伊山镇; closed → 伊山镇 and the leader
    assert sorted(m.to[0] for m in mail.outbox) == [
        "leader@example.gov.cn",
        "yishan@example.gov.cn",
        "yishan@example.gov.cn",
    ]
    assert all(m.subject.startswith("【督查督办】") for m in mail.outbox)
    assert notifications.deliver_due().sent == 0
