"""The Africa's Talking backend against a local HTTP double of the gateway:
sent once with its id and cost, a redelivered task after a crash sends nothing
again, and a failing gateway never fails the action that caused the SMS."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from africastalking.SMS import SMSService
from django.test import override_settings
from django.utils import timezone

from cpd.models import TaskOutbox
from cpd.notifications import services
from cpd.notifications.models import Channel, Delivery, DeliveryStatus
from mentoring.models import Conversation, Message
from mentoring.services.conversations import message_send
from mentoring.services.pairing import pair_create

PHONE = "+254700123456"


class Gateway(BaseHTTPRequestHandler):
    """POST /version1/messaging as Africa's Talking answers it."""

    received: list[dict[str, list[str]]] = []  # noqa: RUF012
    fail = False

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if self.headers.get("apiKey") != "test-key" or not self.path.endswith(
            "/messaging"
        ):
            self.send_response(401)
            self.end_headers()
            return
        if Gateway.fail:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"gateway down")
            return
        Gateway.received.append(form)
        n = len(Gateway.received)
        body = {
            "SMSMessageData": {
                "Message": "Sent to 1/1 Total Cost: KES 0.8000",
                "Recipients": [
                    {
                        "statusCode": 101,
                        "number": form["to"][0],
                        "status": "Success",
                        "cost": "KES 0.8000",
                        "messageId": f"ATXid_{n}",
                    }
                ],
            }
        }
        payload = json.dumps(body).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway():
    Gateway.received = []
    Gateway.fail = False
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/version1"
    with override_settings(
        SMS_BACKEND="cpd.notifications.backends.sms.AfricasTalkingSmsBackend",
        AFRICASTALKING_USERNAME="cpd",
        AFRICASTALKING_API_KEY="test-key",
        AFRICASTALKING_API_URL=url,
    ):
        yield Gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def conversation(world):
    world.learner.phone = PHONE
    world.learner.save()
    pair_create(
        actor=world.org_admin,
        cohort=world.cohort,
        learner=world.learner,
        mentor=world.mentor_of_cohort,
        mode="one_to_one",
    )
    return Conversation.objects.get(cohort=world.cohort)


def _send(world, conversation, body, callbacks):
    with callbacks(execute=True):
        message_send(actor=world.mentor_of_cohort, conversation=conversation, body=body)


def test_sent_once_with_the_gateways_id_and_cost(
    world, conversation, gateway, django_capture_on_commit_callbacks
):
    _send(world, conversation, "Call me", django_capture_on_commit_callbacks)
    assert len(gateway.received) == 1
    form = gateway.received[0]
    assert form["to"] == [PHONE]
    assert "New message from Mentor A" in form["message"][0]
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert (delivery.status, delivery.provider_id, delivery.cost) == (
        DeliveryStatus.SENT,
        "ATXid_1",
        "KES 0.8000",
    )


def test_a_retry_after_a_crash_sends_nothing_twice(
    world, conversation, gateway, django_capture_on_commit_callbacks, monkeypatch
):
    # the worker dies after the gateway accepted, before it wrote "sent"
    real_finish = services._finish

    def crash(delivery, status, **kwargs):
        if status == DeliveryStatus.SENT:
            raise SystemExit("worker killed")
        real_finish(delivery, status, **kwargs)

    monkeypatch.setattr(services, "_finish", crash)
    with pytest.raises(SystemExit):
        _send(world, conversation, "Call me", django_capture_on_commit_callbacks)
    assert len(gateway.received) == 1
    monkeypatch.setattr(services, "_finish", real_finish)
    # when: the broker redelivers the task
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENDING
    assert services.deliver(delivery_id=delivery.pk) == "skipped"
    # then: the gateway heard it once
    assert len(gateway.received) == 1


def test_a_failing_gateway_never_fails_the_message(
    world, conversation, gateway, django_capture_on_commit_callbacks
):
    gateway.fail = True
    _send(world, conversation, "Are you there?", django_capture_on_commit_callbacks)
    assert Message.objects.filter(body="Are you there?").exists()
    delivery = Delivery.objects.get(channel=Channel.SMS)
    # nothing was sent, so it is owed again later (the outbox holds it)
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert "gateway down" in delivery.error
    retry = TaskOutbox.objects.get(
        task="cpd.notifications.tasks.deliver", dispatched_at__isnull=True
    )
    assert retry.args == [delivery.pk]
    assert retry.dispatched_at is None
    assert retry.due_at > timezone.now() + dt.timedelta(seconds=50)
    # when: the gateway is back by the time the retry is due
    gateway.fail = False
    assert services.deliver(delivery_id=delivery.pk) == DeliveryStatus.SENT
    assert len(gateway.received) == 1
    assert services.deliver(delivery_id=delivery.pk) == "skipped"
    assert len(gateway.received) == 1


def test_a_gateway_down_for_good_leaves_the_delivery_failed(
    world, conversation, gateway, django_capture_on_commit_callbacks
):
    gateway.fail = True
    _send(world, conversation, "Anyone?", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    for _attempt in services.RETRY_BACKOFF:
        services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(services.RETRY_BACKOFF) + 1
    assert gateway.received == []


def test_an_unanswered_request_is_never_tried_again(
    world, conversation, gateway, django_capture_on_commit_callbacks, monkeypatch
):
    # the gateway may have taken it: a second try could send it twice
    def no_answer(*args, **kwargs):
        raise requests.ReadTimeout("read timed out")

    monkeypatch.setattr(SMSService, "send", no_answer)
    _send(world, conversation, "Hello?", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert not TaskOutbox.objects.filter(
        task="cpd.notifications.tasks.deliver", dispatched_at__isnull=True
    ).exists()
