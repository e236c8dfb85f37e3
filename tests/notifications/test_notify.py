"""Notify a person: one inbox row per event, the channels their preferences pick,
sent once, held through quiet hours, digested daily, reports from the gateway."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cpd.models import TaskOutbox
from cpd.notifications import services
from cpd.notifications.backends.push import PushGone
from cpd.notifications.backends.sms import ConsoleSmsBackend
from cpd.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mode,
    Notification,
    PushSubscription,
)
from forums.services.engagement import answer_accept
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from mentoring.services.conversations import message_send
from tests.conftest import client_as
from tests.notifications.clock import digest_at

PHONE = "+254700123456"


@pytest.fixture
def thread(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(actor=world.learner, forum=forum, title="PPH", body="b")
    return thread


@pytest.fixture(autouse=True)
def _sms_log():
    ConsoleSmsBackend.sent.clear()
    yield
    ConsoleSmsBackend.sent.clear()


def _rows(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_reply_notifies_the_threads_author_once(world, thread):
    for _ in range(2):  # a retried reply with the same key
        post_create(
            actor=world.mentor_of_cohort,
            thread=thread,
            body="Oxytocin",
            idempotency_key="k",
        )
    assert _rows(world.learner) == ["forums.reply"]
    note = Notification.objects.get(user=world.learner)
    assert note.text == "Mentor A replied to PPH"
    assert note.url.startswith(reverse("forums-thread", args=[thread.pk]))
    # no one is told of their own reply
    post_create(actor=world.learner, thread=thread, body="thanks")
    assert _rows(world.learner) == ["forums.reply"]


def test_the_text_is_in_the_recipients_language(world, thread):
    world.learner.preferred_language = "fr"
    world.learner.save()
    post_create(actor=world.mentor_of_cohort, thread=thread, body="x")
    text = Notification.objects.get(user=world.learner).text
    assert "PPH" in text
    assert text != "Mentor A replied to PPH"


def test_mentions_and_accepted_answers_notify(world, thread):
    world.mentor_of_cohort.display_name = "Mentor A"
    world.mentor_of_cohort.save()
    post, _ = post_create(
        actor=world.learner, thread=thread, body="ask @mentor-a please"
    )
    assert _rows(world.mentor_of_cohort) == ["forums.mention"]
    reply, _ = post_create(actor=world.mentor_of_cohort, thread=thread, body="do this")
    answer_accept(actor=world.learner, thread=thread, post=reply)
    assert sorted(_rows(world.mentor_of_cohort)) == [
        "forums.accepted",
        "forums.mention",
    ]


def test_the_kinds_defaults_pick_the_channels(world, thread):
    # reply: push at once (no device here), email in the digest, no SMS
    post_create(actor=world.mentor_of_cohort, thread=thread, body="x")
    assert not Delivery.objects.exists()
    # with a device, push goes at once
    PushSubscription.objects.create(
        user=world.learner, endpoint="https://push.example/1", p256dh="k", auth="a"
    )
    post_create(actor=world.mentor_of_cohort, thread=thread, body="y")
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.PUSH]


def _conversation(world):
    from mentoring.models import Conversation
    from mentoring.services.pairing import pair_create

    pair_create(
        actor=world.org_admin,
        cohort=world.cohort,
        learner=world.learner,
        mentor=world.mentor_of_cohort,
        mode="one_to_one",
    )
    return Conversation.objects.get(cohort=world.cohort)


def test_a_mentor_message_goes_by_sms_once(world, django_capture_on_commit_callbacks):
    world.learner.phone = PHONE
    world.learner.save()
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            actor=world.mentor_of_cohort, conversation=conversation, body="Call me"
        )
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_id.startswith("console-")
    assert ConsoleSmsBackend.sent[0][0] == PHONE
    assert "New message from Mentor A" in ConsoleSmsBackend.sent[0][1]
    # a redelivered task (a killed worker) sends nothing again
    assert services.deliver(delivery_id=delivery.pk) == "skipped"
    assert len(ConsoleSmsBackend.sent) == 1


def test_a_preference_turns_a_channel_off(world, django_capture_on_commit_callbacks):
    world.learner.phone = PHONE
    world.learner.save()
    services.preferences_set(
        actor=world.learner, choices={("mentoring.message", Channel.SMS): Mode.OFF}
    )
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=world.mentor_of_cohort, conversation=conversation, body="Hi")
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()
    assert _rows(world.learner) == ["mentoring.message"]  # the inbox still has it


def test_quiet_hours_hold_the_sms_until_they_end(
    world, django_capture_on_commit_callbacks
):
    world.learner.phone = PHONE
    world.learner.save()
    now = timezone.now().astimezone(dt.UTC)
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    services.quiet_hours_set(
        actor=world.learner, starts=start, ends=end, time_zone="UTC"
    )
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=world.mentor_of_cohort, conversation=conversation, body="Hi")
    assert ConsoleSmsBackend.sent == []
    owed = TaskOutbox.objects.get(task="cpd.notifications.tasks.deliver")
    assert owed.dispatched_at is None
    assert owed.due_at > timezone.now() + dt.timedelta(hours=1)


def test_the_daily_digest_sends_each_notification_once(world, thread):
    for body in ("one", "two"):
        post_create(actor=world.mentor_of_cohort, thread=thread, body=body)
    mail.outbox.clear()
    assert services.digests_send(now=digest_at()) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("replied to PPH") == 2
    assert services.digests_send(now=digest_at()) == 0  # a rerun sends nothing twice
    assert len(mail.outbox) == 1


def test_a_push_subscription_that_expired_is_forgotten(
    world, thread, monkeypatch, django_capture_on_commit_callbacks
):
    PushSubscription.objects.create(
        user=world.learner, endpoint="https://push.example/gone", p256dh="k", auth="a"
    )

    def gone(subscription, payload):
        raise PushGone("410")

    monkeypatch.setattr(services, "push_send", gone)
    with django_capture_on_commit_callbacks(execute=True):
        post_create(actor=world.mentor_of_cohort, thread=thread, body="x")
    # (eager Celery: the outbox ran the delivery on commit)
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert not PushSubscription.objects.exists()


@override_settings(SMS_WEBHOOK_TOKEN="s3cret")
def test_sms_delivery_reports_need_the_token(client, world):
    note = Notification.objects.create(user=world.learner, kind="x", text="t")
    Delivery.objects.create(
        notification=note, channel=Channel.SMS, status="sent", provider_id="ATX1"
    )
    url = reverse("notifications-sms-report")
    report = {"id": "ATX1", "status": "Success"}
    assert client.post(url, report).status_code == 403
    assert client.post(url + "?token=wrong", report).status_code == 403
    assert client.post(url + "?token=s3cret", report).status_code == 200
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    unknown = client.post(url + "?token=s3cret", {"id": "nope", "status": "Success"})
    assert unknown.status_code == 404


def test_the_bell_counts_unread(client, world, thread):
    post_create(actor=world.mentor_of_cohort, thread=thread, body="x")
    client_as(client, world.learner)
    page = client.get(reverse("home")).content.decode()
    assert '<span id="bell-count">1</span>' in page


def test_someone_removed_from_the_cohort_is_sent_nothing_more(world, thread):
    from cpd.models import Membership

    PushSubscription.objects.create(
        user=world.learner, endpoint="https://push.example/r", p256dh="k", auth="a"
    )
    post_create(actor=world.mentor_of_cohort, thread=thread, body="x")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED  # owed, not yet sent
    Membership.objects.filter(user=world.learner, cohort=world.cohort).delete()
    assert services.deliver(delivery_id=delivery.pk) == DeliveryStatus.SKIPPED
    assert Delivery.objects.get().error == "no longer a member"


def test_the_monthly_sms_budget_stops_all_but_essential_kinds(
    world, django_capture_on_commit_callbacks
):
    org = world.cohort.organisation
    org.sms_monthly_budget = 1
    org.save()
    world.learner.phone = PHONE
    world.learner.save()
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=world.mentor_of_cohort, conversation=conversation, body="1")
    services.preferences_set(
        actor=world.learner, choices={("forums.reply", Channel.SMS): Mode.IMMEDIATE}
    )
    forum = forum_for_cohort(world.cohort)
    own, _ = thread_create(actor=world.learner, forum=forum, title="Mine", body="b")
    with django_capture_on_commit_callbacks(execute=True):
        post_create(actor=world.mentor_of_cohort, thread=own, body="over budget")
    over = Delivery.objects.get(channel=Channel.SMS, notification__kind="forums.reply")
    assert over.status == DeliveryStatus.SKIPPED
    assert over.error == "monthly SMS budget reached"
    # the organisation's administrators are told, once
    assert _rows(world.org_admin).count("notifications.sms_budget") == 1
    # an essential kind (a mentor's message) still goes
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=world.mentor_of_cohort, conversation=conversation, body="2")
    essential = Delivery.objects.filter(
        channel=Channel.SMS, notification__kind="mentoring.message"
    )
    assert set(essential.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(ConsoleSmsBackend.sent) == 2


def test_a_kind_a_cohort_sends_by_sms_at_once_is_essential_there(
    world, django_capture_on_commit_callbacks
):
    org = world.cohort.organisation
    org.sms_monthly_budget = 0
    org.save()
    world.learner.phone = PHONE
    world.learner.save()
    forum = forum_for_cohort(world.cohort)
    own, _ = thread_create(actor=world.learner, forum=forum, title="Mine", body="b")
    # the learner chose SMS for replies: over the budget, not essential
    services.preferences_set(
        actor=world.learner, choices={("forums.reply", Channel.SMS): Mode.IMMEDIATE}
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_create(actor=world.mentor_of_cohort, thread=own, body="first")
    first = Delivery.objects.get(channel=Channel.SMS)
    assert first.status == DeliveryStatus.SKIPPED
    # the cohort's administrator makes replies go by SMS at once for everyone
    services.cohort_defaults_set(
        actor=world.org_admin,
        cohort=world.cohort,
        choices={("forums.reply", Channel.SMS): Mode.IMMEDIATE},
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_create(actor=world.mentor_of_cohort, thread=own, body="second")
    second = Delivery.objects.exclude(pk=first.pk).get(channel=Channel.SMS)
    assert second.status == DeliveryStatus.SENT
    assert len(ConsoleSmsBackend.sent) == 1
