"""Dashboard ordering, unread counts, mentor load figures and message events."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.models import Role
from cpd.realtime import user_group
from mentoring import selectors
from mentoring.models import Conversation, Message, PairingMode
from mentoring.services import conversations, pairing
from tests.factories.cpd import UserFactory


def _pair_many(world, names):
    learners = [UserFactory(display_name=n) for n in names]
    for u in learners:
        cpd_services.membership_add(cohort=world.cohort, user=u, role=Role.LEARNER)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={u.pk: world.mentor_of_cohort.pk for u in learners},
    )
    return learners


def test_dashboard_puts_unanswered_first_then_more_reasons(world):
    world.learner.delete()
    active, quiet, waiting = _pair_many(world, ["Active", "Quiet", "Waiting"])
    active.last_login = timezone.now()
    active.save()
    waiting.last_login = timezone.now()
    waiting.save()
    conv = Conversation.objects.get(learner=waiting)
    conversations.message_send(actor=waiting, conversation=conv, body="help")
    rows = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert [r.learner.display_name for r in rows] == ["Waiting", "Quiet", "Active"]
    assert rows[0].reasons == ["unanswered messages"]
    assert rows[1].reasons == ["inactive"]
    assert rows[2].reasons == []
    # once the mentor answers, the mentee no longer waits
    conversations.message_send(
        actor=world.mentor_of_cohort, conversation=conv, body="here"
    )
    rows = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert rows[0].learner.display_name == "Quiet"


def test_mentor_load_counts_answers_and_median_reply_time(world, paired):
    conv_a, _ = paired
    # given: mentor wrote, then learner asked (1 waiting); mentor answers 2 hours later
    asked = conv_a.messages.get(body__contains="SECRET").created_at
    reply = conversations.message_send(
        actor=world.mentor_of_cohort, conversation=conv_a, body="answer"
    )
    Message.objects.filter(pk=reply.pk).update(created_at=asked + dt.timedelta(hours=2))
    (load,) = selectors.mentor_loads(world.cohort)
    assert (load.mentees, load.capacity) == (1, 5)
    assert (load.messages_received, load.messages_answered) == (1, 1)
    # one reply: its wait would be one conversation's, so "not enough data"
    assert (load.median_reply, load.replies) == (None, 1)


def test_a_mentors_median_reply_time_needs_five_replies(client, world, paired):
    from tests.conftest import client_as

    conv_a, _ = paired
    start = timezone.now() - dt.timedelta(days=2)
    # five questions, each answered: after 1, 2, 3, 4 and 10 hours
    for i, hours in enumerate((1, 2, 3, 4, 10)):
        asked = conversations.message_send(
            actor=world.learner, conversation=conv_a, body=f"question {i}"
        )
        answer = conversations.message_send(
            actor=world.mentor_of_cohort, conversation=conv_a, body=f"answer {i}"
        )
        at = start + dt.timedelta(hours=20 * i)
        Message.objects.filter(pk=asked.pk).update(created_at=at)
        Message.objects.filter(pk=answer.pk).update(
            created_at=at + dt.timedelta(hours=hours)
        )
    Message.objects.filter(conversation=conv_a, body__contains="SECRET").delete()
    (load,) = selectors.mentor_loads(world.cohort)
    assert (load.replies, load.median_reply) == (5, dt.timedelta(hours=3))
    Message.objects.filter(conversation=conv_a, body="answer 4").delete()
    (load,) = selectors.mentor_loads(world.cohort)
    assert (load.replies, load.median_reply) == (4, None)
    client_as(client, world.org_admin)
    page = client.get(reverse("mentoring-admin", args=[world.cohort.pk]))
    assert "not enough data (4 of 5 replies)" in page.content.decode()


def test_unread_counts_only_others_messages_after_last_read(world, paired):
    conv_a, _ = paired
    (row,) = selectors.conversation_list_for_user(world.mentor_of_cohort)
    assert row.unread == 1
    conversations.conversation_mark_read(
        actor=world.mentor_of_cohort, conversation=conv_a
    )
    (row,) = selectors.conversation_list_for_user(world.mentor_of_cohort)
    assert row.unread == 0
    (row,) = selectors.conversation_list_for_user(world.learner)
    assert row.unread == 0  # the learner's own message never counts


def test_unpaired_learners_are_listed(world):
    _pair_many(world, ["Paired"])
    late = UserFactory(display_name="Late")
    cpd_services.membership_add(cohort=world.cohort, user=late, role=Role.LEARNER)
    names = {u.display_name for u in selectors.unpaired_learners(world.cohort)}
    assert names == {"Learner A", "Late"}


@pytest.mark.django_db(transaction=True)
def test_a_new_message_notifies_the_other_participant_without_its_body(world, paired):
    conv_a, _ = paired
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(world.learner.pk), channel)
    message = conversations.message_send(
        actor=world.mentor_of_cohort, conversation=conv_a, body="private words"
    )
    event = async_to_sync(layer.receive)(channel)
    assert event["kind"] == "mentoring.message"
    assert event["message_id"] == message.pk
    assert "private words" not in str(event)
