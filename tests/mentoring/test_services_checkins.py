"""Check-ins: overdue flagging and reminders queued and sent exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cpd.realtime import user_group
from mentoring import selectors
from mentoring.models import CheckIn
from mentoring.services import checkins
from mentoring.tasks import checkin_remind


def _schedule(world, conv, *, in_hours: float):
    return checkins.checkin_schedule(
        actor=world.mentor_of_cohort,
        conversation=conv,
        scheduled_for=timezone.now() + dt.timedelta(hours=in_hours),
        mode="call",
        agreed_actions="Bring questions",
    )


def test_a_past_unfinished_check_in_is_overdue_and_a_done_one_is_not(world, paired):
    conv_a, _ = paired
    checkin = CheckIn.objects.create(
        conversation=conv_a,
        scheduled_for=timezone.now() - dt.timedelta(hours=1),
        mode="call",
    )
    assert checkin.is_overdue
    (row,) = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert row.overdue == 1
    assert "overdue check-in" in row.reasons
    checkins.checkin_record(
        actor=world.mentor_of_cohort,
        checkin=checkin,
        notes="Talked",
        agreed_actions="Retake quiz",
        done=True,
    )
    checkin.refresh_from_db()
    assert not checkin.is_overdue
    (row,) = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert row.overdue == 0


def test_a_due_soon_check_in_queues_one_reminder_on_commit_and_sends_it_once(
    world, paired, django_capture_on_commit_callbacks
):
    conv_a, _ = paired
    mail.outbox.clear()
    # when the mentor schedules a check-in an hour from now
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        checkin = _schedule(world, conv_a, in_hours=1)
    # then exactly one reminder is queued, only after commit
    assert len(callbacks) == 1
    assert not mail.outbox
    callbacks[0]()  # the commit happens; the (eager) task runs
    checkin.refresh_from_db()
    assert checkin.reminder_sent_at is not None
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {world.learner.email, world.mentor_of_cohort.email}
    # and a second run (retry or duplicate) sends nothing
    assert checkin_remind(checkin.pk) is False
    assert checkins.checkin_reminders_queue() == 0
    assert len(mail.outbox) == 1


def test_a_far_check_in_is_queued_later_by_the_sweep_exactly_once(
    world, paired, django_capture_on_commit_callbacks
):
    conv_a, _ = paired
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        checkin = _schedule(world, conv_a, in_hours=24 * 10)
    assert callbacks == []
    # too early: the task refuses to remind
    assert checkin_remind(checkin.pk) is False
    assert checkins.checkin_reminders_queue() == 0
    # when the check-in comes within the reminder lead time
    CheckIn.objects.filter(pk=checkin.pk).update(
        scheduled_for=timezone.now() + dt.timedelta(minutes=30)
    )
    # (the sweep owes each reminder through the outbox, published on commit)
    with django_capture_on_commit_callbacks(execute=True):
        assert checkins.checkin_reminders_queue() == 1
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert checkins.checkin_reminders_queue() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_reminder_reaches_the_learners_notification_group(world, paired):
    conv_a, _ = paired
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(world.learner.pk), channel)
    checkin = _schedule(world, conv_a, in_hours=1)
    event = async_to_sync(layer.receive)(channel)
    assert event["kind"] == "mentoring.checkin_reminder"
    assert event["checkin_id"] == checkin.pk


def test_only_the_mentor_schedules(world, paired):
    conv_a, _ = paired
    with pytest.raises(PermissionDenied):
        checkins.checkin_schedule(
            actor=world.learner,
            conversation=conv_a,
            scheduled_for=timezone.now() + dt.timedelta(days=1),
            mode="call",
        )
