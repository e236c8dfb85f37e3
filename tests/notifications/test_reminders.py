"""The kinds sent by sweeps and by other apps: case room opened, session
tomorrow, module opened, check-in due, and a nudge after a quiet week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import CourseAssignment, Session
from courses.services import reminders
from cpd.models import Activity, Verb
from cpd.notifications.models import Notification
from cpd.record import record
from forums.rooms.services import room_open_case
from mentoring.services import checkins, nudges
from tests.factories.courses import ModuleFactory, course_for


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_case_room_tells_the_cohort_but_not_its_opener(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        room_open_case(
            actor=world.mentor_of_cohort, cohort=world.cohort, title="Eclampsia"
        )
    assert _kinds(world.learner) == ["rooms.case_opened"]
    assert _kinds(world.mentor_of_cohort) == []
    assert _kinds(world.other_learner) == []  # another cohort
    assert "Eclampsia" in Notification.objects.get(user=world.learner).text


def test_tomorrows_session_is_announced_once(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(hours=24),
        ends_at=now + dt.timedelta(hours=26),
    )
    Session.objects.create(
        cohort=world.cohort,
        title="Later",
        place="Ward 3",
        starts_at=now + dt.timedelta(days=4),
        ends_at=now + dt.timedelta(days=4, hours=1),
    )
    for _ in range(2):  # two runs, one notification
        with django_capture_on_commit_callbacks(execute=True):
            reminders.sessions_tomorrow()
    assert _kinds(world.learner) == ["courses.session_tomorrow"]
    assert "Drill" in Notification.objects.get(user=world.learner).text
    assert _kinds(world.mentor_of_cohort) == []  # learners only


def test_a_module_opening_today_is_announced_once(
    world, django_capture_on_commit_callbacks
):
    course = course_for(world.cohort, lessons=1)
    ModuleFactory(course=course, title="After the bleeding", opens_after_days=21)
    CourseAssignment.objects.filter(course=course).update(
        opens_on=timezone.localdate() - dt.timedelta(days=21)
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.modules_opened()
    assert _kinds(world.learner) == ["courses.module_opened"]
    assert "After the bleeding" in Notification.objects.get(user=world.learner).text


def test_a_quiet_week_nudges_the_learner_and_their_mentor(
    world,
    paired,
    django_capture_on_commit_callbacks,
):
    Activity.objects.all().delete()
    record(
        actor=world.learner,
        verb=Verb.READ,
        object_type="lesson",
        timestamp=timezone.now() - dt.timedelta(days=9),
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            nudges.inactive_nudges()
    assert _kinds(world.learner).count("mentoring.inactive") == 1
    assert "mentoring.mentee_inactive" in _kinds(world.mentor_of_cohort)
    # back at work: no more nudges for this spell or the next day
    record(actor=world.learner, verb=Verb.READ, object_type="lesson")
    with django_capture_on_commit_callbacks(execute=True):
        assert nudges.inactive_nudges() == 0


@pytest.mark.parametrize("days_ago", [None, 2])
def test_no_nudge_for_the_active_or_the_never_started(world, paired, days_ago):
    Activity.objects.all().delete()
    if days_ago is not None:
        record(
            actor=world.learner,
            verb=Verb.READ,
            object_type="lesson",
            timestamp=timezone.now() - dt.timedelta(days=days_ago),
        )
    assert nudges.inactive_nudges() == 0


def test_a_due_check_in_is_in_the_inbox(world, paired):
    conv_a, _ = paired
    checkin = checkins.checkin_schedule(
        actor=world.mentor_of_cohort,
        conversation=conv_a,
        scheduled_for=timezone.now() + dt.timedelta(minutes=30),
        mode="call",
        agreed_actions="",
    )
    checkins.checkin_remind_send(checkin_id=checkin.pk)
    assert "mentoring.checkin" in _kinds(world.learner)
