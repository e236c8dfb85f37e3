"""Mentor messages are rate-limited per sender, on pages (429) and in the API (429)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd.limits import RateLimited
from mentoring.models import Message
from mentoring.services import conversations
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
