"""Reading-time heartbeats: folded in the cache, written once per window, never lost
while the cache lives, and still recorded (one write a beat) when it is down."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from courses.models import CourseAssignment, LessonProgress
from courses.services import progress
from cpd.models import Activity, Verb
from tests.conftest import UNREACHABLE_CACHES, client_as
from tests.factories.courses import course_for

WINDOW = 1  # seconds; long enough to fold a few beats, short enough to wait out
DOWN = UNREACHABLE_CACHES


@pytest.fixture
def lesson(world):
    return course_for(world.cohort, lessons=2).modules.get().lessons.first()


@pytest.fixture
def beat(client, world, lesson):
    client_as(client, world.learner)
    url = reverse("courses-lesson-beat", args=[lesson.pk])

    def send(seconds=30, expect=200):
        response = client.post(url, {"seconds": str(seconds)})
        assert response.status_code == expect
        return response

    return send


def _writes(ctx) -> int:
    """Writes to the lesson's progress row; the learning record's are _reads()."""
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and "cpd_activity" not in q["sql"]
    )


def _reads(world, lesson) -> list[int]:
    """The learning record's "read" statements for the lesson: seconds each."""
    return list(
        Activity.objects.filter(
            actor=world.learner, verb=Verb.READ, object_id=lesson.pk
        ).values_list("duration_seconds", flat=True)
    )


def _spent(world, lesson) -> int:
    return LessonProgress.objects.get(user=world.learner, lesson=lesson).seconds_spent


def _updates(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith("UPDATE"))


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=WINDOW)
def test_beats_within_the_window_cost_one_update(beat, world, lesson):
    # given a learner who opened the lesson before, longer ago than the window
    progress.lesson_visit(user=world.learner, lesson=lesson)
    time.sleep(WINDOW + 0.2)
    # when five beats arrive within one window
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            beat(30)
    # then the first one wrote the row and the other four were folded
    assert _updates(ctx) == 1
    assert _spent(world, lesson) == 30


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_the_first_beat_creates_the_row_and_the_next_ones_fold(beat, world, lesson):
    beat(30)
    assert _spent(world, lesson) == 30
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(4):
            beat(30)
    assert _writes(ctx) == 0


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=WINDOW)
def test_the_next_beat_past_the_window_writes_the_folded_seconds(beat, world, lesson):
    # given a beat that wrote and three folded beats
    beat(10)
    for _ in range(3):
        beat(20)
    assert _spent(world, lesson) == 10
    time.sleep(WINDOW + 0.2)
    # when a beat arrives after the window
    with CaptureQueriesContext(connection) as ctx:
        response = beat(5)
    # then it writes once, carrying every folded second
    assert _writes(ctx) == 1
    assert _spent(world, lesson) == 10 + 3 * 20 + 5
    assert response.json()["seconds_spent"] == 75
    # the record got one statement per write, not one per beat
    assert sorted(_reads(world, lesson)) == [10, 3 * 20 + 5]
    # and the window after it folds again
    with CaptureQueriesContext(connection) as ctx:
        assert beat(5).json()["seconds_spent"] == 80
    assert _writes(ctx) == 0


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=WINDOW)
def test_last_seen_moves_once_per_window_not_per_beat(beat, world, lesson):
    beat(10)
    first = LessonProgress.objects.get(user=world.learner, lesson=lesson).last_seen_at
    beat(10)
    row = LessonProgress.objects.get(user=world.learner, lesson=lesson)
    assert row.last_seen_at == first
    time.sleep(WINDOW + 0.2)
    beat(10)
    row = LessonProgress.objects.get(user=world.learner, lesson=lesson)
    assert row.last_seen_at > first


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_completion_writes_the_folded_seconds(beat, world, lesson):
    beat(30)
    beat(40)
    beat(50)
    # when the learner marks the lesson complete inside the window
    record = progress.lesson_complete(user=world.learner, lesson=lesson)
    # then the row holds every second and the completion
    assert record.completed_at is not None
    assert _spent(world, lesson) == 120
    # and completing again keeps the first completion time
    again = progress.lesson_complete(user=world.learner, lesson=lesson)
    assert again.completed_at == record.completed_at


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_opening_the_lesson_page_writes_the_folded_seconds(beat, client, world, lesson):
    beat(30)
    beat(45)
    assert client.get(reverse("courses-lesson", args=[lesson.pk])).status_code == 200
    assert _spent(world, lesson) == 75
    # and beats after the visit fold into its window
    with CaptureQueriesContext(connection) as ctx:
        beat(10)
    assert _writes(ctx) == 0


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_a_folded_beat_costs_no_query_beyond_session_and_user(beat):
    beat(30)  # opens the window
    with CaptureQueriesContext(connection) as ctx:
        beat(30)
    assert len(ctx.captured_queries) <= 2  # the session and the user
    assert _writes(ctx) == 0


@override_settings(COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_a_writing_beat_has_a_query_ceiling(beat, world, lesson):
    # given a row that exists, so the write is an UPDATE
    progress.lesson_visit(user=world.learner, lesson=lesson)
    progress._forget_window(world.learner.pk, lesson.pk)
    with CaptureQueriesContext(connection) as ctx:
        beat(30)
    # session, user, lesson in a visible course, drip, record INSERT, UPDATE, total
    assert len(ctx.captured_queries) <= 7
    assert _writes(ctx) == 1


@override_settings(CACHES=DOWN, COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_with_the_cache_down_every_beat_is_still_recorded(beat, world, lesson):
    # when the cache cannot be reached, beats neither fail nor fold
    for _ in range(3):
        beat(30)
    assert _spent(world, lesson) == 90
    # and the page and completion still work
    progress.lesson_complete(user=world.learner, lesson=lesson)
    assert _spent(world, lesson) == 90


@override_settings(CACHES=DOWN, COURSES_HEARTBEAT_FLUSH_SECONDS=60)
def test_with_the_cache_down_last_seen_still_moves_once_per_window(beat, world, lesson):
    beat(30)
    first = LessonProgress.objects.get(user=world.learner, lesson=lesson).last_seen_at
    beat(30)
    row = LessonProgress.objects.get(user=world.learner, lesson=lesson)
    assert row.last_seen_at == first


def test_a_beat_is_capped(beat, world, lesson):
    beat(10_000)
    assert _spent(world, lesson) == progress.MAX_SECONDS_PER_BEAT


@pytest.mark.parametrize("role", ["outsider", "other_mentor"])
def test_a_beat_on_an_unseen_lesson_is_404(client, world, lesson, role):
    client_as(client, world.user(role))
    url = reverse("courses-lesson-beat", args=[lesson.pk])
    for _ in range(2):  # the refused beat opens no window
        assert client.post(url, {"seconds": "30"}).status_code == 404
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_a_beat_on_a_closed_lesson_is_403(client, world, lesson):
    module = lesson.module
    module.opens_after_days = 30
    module.save()
    CourseAssignment.objects.filter(course=module.course).update(
        opens_on=dt.date.today()  # noqa: DTZ011
    )
    client_as(client, world.learner)
    url = reverse("courses-lesson-beat", args=[lesson.pk])
    assert client.post(url, {"seconds": "30"}).status_code == 403
    assert not LessonProgress.objects.filter(lesson=lesson).exists()
