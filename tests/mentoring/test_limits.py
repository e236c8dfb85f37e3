"""Mentor messages, check-ins and message reports are rate-limited per sender.

Pages answer 429 with the message on the form; the API answers 429 with
Retry-After.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpd.limits import RateLimited
from mentoring.models import CheckIn, Message
from mentoring.services import checkins, conversations
from tests.conftest import client_as


@pytest.fixture
def two_a_minute(settings):
    settings.RATE_LIMITS = {"mentor_message": (2, 60)}


def test_sending_past_the_limit_raises_and_stores_nothing(world, paired, two_a_minute):
    # given: the mentee has sent one message in the fixture; one more is allowed
    conv_a, _ = paired
    conversations.message_send(actor=world.learner, conversation=conv_a, body="two")
    before = Message.objects.count()
    # when / then
    with pytest.raises(RateLimited, match="too fast. Wait 60 seconds"):
        conversations.message_send(
            actor=world.learner, conversation=conv_a, body="three"
        )
    assert Message.objects.count() == before


def test_the_limit_is_per_sender(world, paired, two_a_minute):
    # given: the mentee is at the limit
    conv_a, _ = paired
    conversations.message_send(actor=world.learner, conversation=conv_a, body="two")
    # when: the mentor (one message so far) replies
    reply = conversations.message_send(
        actor=world.mentor_of_cohort, conversation=conv_a, body="answer"
    )
    # then
    assert reply.pk is not None


def test_page_answers_429_and_keeps_the_text(client, world, paired, two_a_minute):
    # given: the mentee is at the limit
    conv_a, _ = paired
    conversations.message_send(actor=world.learner, conversation=conv_a, body="two")
    client_as(client, world.learner)
    # when
    response = client.post(
        reverse("mentoring-conversation", args=[conv_a.pk]),
        {"body": "my unsent question"},
    )
    # then
    assert response.status_code == 429
    page = response.content.decode()
    assert "too fast. Wait 60 seconds" in page
    assert "my unsent question" in page
    assert not Message.objects.filter(body="my unsent question").exists()


def test_api_answers_429_with_retry_after(api_client, world, paired, two_a_minute):
    # given: the mentee is at the limit
    conv_a, _ = paired
    conversations.message_send(actor=world.learner, conversation=conv_a, body="two")
    api_client.force_authenticate(world.learner)
    # when
    response = api_client.post(
        reverse("api-conversation-messages", args=[conv_a.pk]),
        {"body": "three"},
        format="json",
    )
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "too fast" in response.json()["detail"]


# --- check-ins ---------------------------------------------------------------------
@pytest.fixture
def two_checkins(settings):
    settings.RATE_LIMITS = {"checkin": (2, 600)}


def _when() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


def _schedule(world, conversation, n: int) -> None:
    for _ in range(n):
        checkins.checkin_schedule(
            actor=world.mentor_of_cohort,
            conversation=conversation,
            scheduled_for=_when(),
            mode="call",
        )


def test_scheduling_past_the_limit_raises_and_stores_nothing(
    world, paired, two_checkins
):
    # given: the mentor has scheduled two check-ins
    conv_a, _ = paired
    _schedule(world, conv_a, 2)
    # when / then
    with pytest.raises(RateLimited, match="many check-ins. Wait 600 seconds"):
        _schedule(world, conv_a, 1)
    assert CheckIn.objects.count() == 2


def test_the_checkin_limit_is_per_mentor(world, paired, two_checkins):
    # given: mentor A is at the limit
    conv_a, conv_b = paired
    _schedule(world, conv_a, 2)
    # when: mentor B schedules in their own conversation
    checkin = checkins.checkin_schedule(
        actor=world.other_mentor,
        conversation=conv_b,
        scheduled_for=_when(),
        mode="call",
    )
    # then
    assert checkin.pk is not None


def test_checkin_page_answers_429_with_the_message(client, world, paired, two_checkins):
    conv_a, _ = paired
    _schedule(world, conv_a, 2)
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("mentoring-checkin-create", args=[conv_a.pk]),
        {
            "scheduled_for": _when().strftime("%Y-%m-%d %H:%M"),
            "mode": "call",
            "agreed_actions": "read chapter 3",
        },
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "many check-ins. Wait 600 seconds" in page
    assert "read chapter 3" in page  # the form keeps what was typed
    assert CheckIn.objects.count() == 2


def test_checkin_api_answers_429_with_retry_after(
    api_client, world, paired, two_checkins
):
    conv_a, _ = paired
    _schedule(world, conv_a, 2)
    api_client.force_authenticate(world.mentor_of_cohort)
    response = api_client.post(
        reverse("api-conversation-checkins", args=[conv_a.pk]),
        {"scheduled_for": _when().isoformat(), "mode": "call"},
        format="json",
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "many check-ins" in response.json()["detail"]


# --- message reports ----------------------------------------------------------------
@pytest.fixture
def one_report(settings):
    settings.RATE_LIMITS = {"report": (1, 600)}


@pytest.fixture
def three_from_the_mentor(world, paired):
    conv_a, _ = paired
    return [
        conversations.message_send(
            actor=world.mentor_of_cohort, conversation=conv_a, body=f"m{i}"
        )
        for i in range(3)
    ]


def test_reporting_past_the_limit_raises_and_records_nothing(
    world, three_from_the_mentor, one_report
):
    first, second, _ = three_from_the_mentor
    conversations.message_report(actor=world.learner, message=first, reason="rude")
    with pytest.raises(RateLimited, match="many reports"):
        conversations.message_report(actor=world.learner, message=second, reason="rude")
    second.refresh_from_db()
    assert second.reported_at is None


def test_reporting_a_reported_message_again_is_not_counted(
    world, three_from_the_mentor, one_report
):
    first, _, _ = three_from_the_mentor
    conversations.message_report(actor=world.learner, message=first, reason="rude")
    # a retried tap: no error, nothing changes
    again = conversations.message_report(
        actor=world.learner, message=first, reason="rude"
    )
    assert again.reported_at is not None


def test_report_page_answers_429_with_the_message(
    client, world, three_from_the_mentor, one_report
):
    first, second, _ = three_from_the_mentor
    conversations.message_report(actor=world.learner, message=first, reason="rude")
    client_as(client, world.learner)
    response = client.post(
        reverse("mentoring-message-report", args=[second.pk]),
        {"reason": "also rude"},
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "many reports" in page
    assert "also rude" in page


def test_report_api_answers_429_with_retry_after(
    api_client, world, three_from_the_mentor, one_report
):
    first, second, _ = three_from_the_mentor
    conversations.message_report(actor=world.learner, message=first, reason="rude")
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-message-report", args=[second.pk]),
        {"reason": "also rude"},
        format="json",
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
