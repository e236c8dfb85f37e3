"""Digests at the person's local hour, weekly ones on their day, and the SMS
digest as a logged, budgeted and retried delivery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from cpd.models import TaskOutbox
from cpd.notifications import services
from cpd.notifications.backends.sms import ConsoleSmsBackend, SmsError
from cpd.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mode,
    Notification,
    Preference,
    QuietHours,
)
from tests.notifications.clock import digest_at

PHONE = "+254700123456"


@pytest.fixture(autouse=True)
def _sms_log():
    ConsoleSmsBackend.sent.clear()
    mail.outbox.clear()
    yield
    ConsoleSmsBackend.sent.clear()


def _pending(user, kind="forums.reply", n=1, cohort=None):
    for i in range(n):
        Notification.objects.create(
            user=user, kind=kind, cohort=cohort, text=f"{kind} {i}", url="/f/"
        )


def _zone(user, name):
    QuietHours.objects.create(user=user, time_zone=name)


def test_each_person_gets_the_digest_at_their_own_local_hour(world):
    _zone(world.learner, "Africa/Nairobi")  # UTC+3, no daylight saving
    _pending(world.learner)
    _pending(world.mentor_of_cohort)  # no zone of their own: NOTIFY_TIME_ZONE (UTC)
    at = digest_at()
    # three hours before the hour in UTC, it is the hour in Nairobi
    assert services.digests_send(now=at - dt.timedelta(hours=3)) == 1
    assert [m.to for m in mail.outbox] == [[world.learner.email]]
    assert services.digests_send(now=at) == 1
    assert [m.to for m in mail.outbox][1] == [world.mentor_of_cohort.email]
    # any other hour: nobody
    _pending(world.learner)
    assert services.digests_send(now=at + dt.timedelta(hours=1)) == 0


def test_a_half_hour_zone_is_served_by_the_hourly_run(world):
    _zone(world.learner, "Asia/Kolkata")  # UTC+5:30
    _pending(world.learner)
    at = digest_at()
    runs = [at - dt.timedelta(hours=h) for h in range(24)]
    assert sum(services.digests_send(now=run) for run in runs) == 1


def test_an_unknown_zone_counts_as_utc(world):
    _zone(world.learner, "Mars/Olympus")
    _pending(world.learner)
    assert services.digests_send(now=digest_at()) == 1


@override_settings(NOTIFY_TIME_ZONE="Africa/Lagos")  # UTC+1
def test_the_platform_zone_applies_to_people_without_their_own(world):
    _pending(world.learner)
    assert services.digests_send(now=digest_at()) == 0
    assert services.digests_send(now=digest_at() - dt.timedelta(hours=1)) == 1


def test_weekly_kinds_wait_for_the_weekly_day(world):
    Preference.objects.create(
        user=world.learner, kind="forums.reply", channel=Channel.EMAIL, mode=Mode.WEEKLY
    )
    _pending(world.learner, "forums.reply", 2)
    _pending(world.learner, "forums.mention", 1)  # daily by default
    weekday = digest_at(weekly=True)
    daily = weekday - dt.timedelta(days=1)
    assert services.digests_send(now=daily) == 1
    [first] = mail.outbox
    assert "forums.mention 0" in first.body
    assert "forums.reply" not in first.body
    assert services.digests_send(now=weekday) == 1
    assert mail.outbox[1].body.count("forums.reply") == 2
    assert services.digests_send(now=weekday + dt.timedelta(days=7)) == 0


def _sms_digest_person(world):
    world.learner.phone = PHONE
    world.learner.email = ""
    world.learner.save(update_fields=["phone", "email"])
    for kind in ("forums.reply", "mentoring.message"):
        Preference.objects.create(
            user=world.learner, kind=kind, channel=Channel.SMS, mode=Mode.DIGEST
        )


def test_the_sms_digest_is_a_delivery_in_the_log(
    world, django_capture_on_commit_callbacks
):
    _sms_digest_person(world)
    _pending(world.learner, "forums.reply", 3, cohort=world.cohort)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=digest_at()) == 1
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.body.startswith("CPD: 3 replies")
    assert delivery.provider_id.startswith("console-")
    assert ConsoleSmsBackend.sent == [(PHONE, delivery.body)]
    # it counts against the organisation's monthly budget
    assert services.sms_sent_this_month(world.cohort.organisation_id) == 1


def test_the_sms_digest_stops_at_the_budget_even_with_an_essential_kind(
    world, django_capture_on_commit_callbacks
):
    org = world.cohort.organisation
    org.sms_monthly_budget = 0
    org.save()
    _sms_digest_person(world)
    # the newest row is essential (a mentor's message); the digest is not
    _pending(world.learner, "forums.reply", 2, cohort=world.cohort)
    _pending(world.learner, "mentoring.message", 1, cohort=world.cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(now=digest_at())
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.error == "monthly SMS budget reached"
    assert ConsoleSmsBackend.sent == []


def test_a_failed_sms_digest_is_tried_again_and_sent_once(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    _sms_digest_person(world)
    _pending(world.learner, "forums.reply", 2, cohort=world.cohort)

    def down(self, to, text):
        raise SmsError("gateway down", retry=True)

    monkeypatch.setattr(ConsoleSmsBackend, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(now=digest_at())
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert TaskOutbox.objects.filter(
        task="cpd.notifications.tasks.deliver", dispatched_at__isnull=True
    ).exists()
    monkeypatch.undo()
    assert services.deliver(delivery_id=delivery.pk) == DeliveryStatus.SENT
    assert len(ConsoleSmsBackend.sent) == 1
    # a rerun of the digest and a redelivered task send nothing more
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=digest_at()) == 0
    assert services.deliver(delivery_id=delivery.pk) == "skipped"
    assert len(ConsoleSmsBackend.sent) == 1


def test_what_went_by_sms_at_once_is_not_counted_again(
    world, django_capture_on_commit_callbacks
):
    _sms_digest_person(world)
    _pending(world.learner, "forums.reply", 2, cohort=world.cohort)
    already = Notification.objects.filter(user=world.learner).first()
    Delivery.objects.create(
        notification=already, channel=Channel.SMS, status=DeliveryStatus.SENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(now=digest_at())
    assert [text for _to, text in ConsoleSmsBackend.sent][0].startswith("CPD: 1 reply.")
