"""The learning record: every app's actions land once, backfill and roll-up repeat
safely, and the record exports as xAPI statements."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from courses.models import Session
from courses.services import progress, quizzes, sessions
from cpd import record
from cpd.models import Activity, ActivityDaily, Verb
from forums.rooms.services import message_post
from forums.services.engagement import helpful_set
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import PASSWORD
from tests.factories.rooms import RoomFactory


def _verbs(user) -> list[str]:
    return sorted(Activity.objects.filter(actor=user).values_list("verb", flat=True))


def test_forum_actions_are_recorded_once_with_their_cohort(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.mentor_of_cohort,
        forum=forum,
        title="PPH",
        body="b",
        idempotency_key="t",
    )
    for _ in range(2):  # a retried reply with the same key
        post, _ = post_create(
            actor=world.learner, thread=thread, body="oxytocin", idempotency_key="r1"
        )
    for _ in range(2):
        helpful_set(actor=world.mentor_of_cohort, post=post, helpful=True)
    assert _verbs(world.learner) == [Verb.REPLIED]
    assert _verbs(world.mentor_of_cohort) == sorted([Verb.POSTED, Verb.HELPFUL])
    reply = Activity.objects.get(actor=world.learner)
    assert (reply.cohort_id, reply.object_type, reply.object_id) == (
        world.cohort.pk,
        "post",
        post.pk,
    )


def test_a_rolled_back_action_records_nothing(world):
    from django.db import transaction

    forum = forum_for_cohort(world.cohort)

    def post_then_fail() -> None:
        with transaction.atomic():
            thread_create(actor=world.learner, forum=forum, title="T", body="b")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert not Activity.objects.filter(actor=world.learner).exists()


def test_room_quiz_lesson_and_attendance_are_recorded(world):
    room = RoomFactory(cohort=world.cohort)
    message_post(actor=world.learner, room=room, body="BP 90/60", client_key="k1")
    course = course_for(world.cohort, lessons=1)
    lesson = course.modules.get().lessons.get()
    progress.lesson_visit(user=world.learner, lesson=lesson, seconds=40)
    for _ in range(2):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    quiz = QuizFactory(course=course, kind="pre")
    question_with(quiz, "single", [("Yes", True), ("No", False)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    right = quiz.questions.get().choices.get(is_correct=True).pk
    quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={quiz.questions.get().pk: [right]}
    )
    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward",
        starts_at=now + dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    for _ in range(2):
        sessions.attendance_set(
            actor=world.mentor_of_cohort,
            session=session,
            learner_id=world.learner.pk,
            present=True,
        )
    assert _verbs(world.learner) == sorted(
        [
            Verb.ROOM_MESSAGE,
            Verb.READ,
            Verb.OPENED,
            Verb.COMPLETED,
            Verb.ANSWERED,
            Verb.ATTENDED,
        ]
    )
    answered = Activity.objects.get(actor=world.learner, verb=Verb.ANSWERED)
    assert (answered.score, answered.success, answered.object_type) == (
        100,
        True,
        "quiz-pre",
    )
    read = Activity.objects.get(actor=world.learner, verb=Verb.READ)
    assert read.duration_seconds == 40
    # a mistaken tap, corrected, leaves no attendance in the record
    sessions.attendance_set(
        actor=world.mentor_of_cohort,
        session=session,
        learner_id=world.learner.pk,
        present=False,
    )
    assert not Activity.objects.filter(actor=world.learner, verb=Verb.ATTENDED).exists()


def test_a_sign_in_is_recorded_with_its_session(client, world):
    response = client.post(
        reverse("account_login"), {"login": world.learner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    signed = Activity.objects.get(actor=world.learner, verb=Verb.SIGNED_IN)
    assert signed.session_key == client.session.session_key


def test_backfill_records_history_once(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(actor=world.learner, forum=forum, title="T", body="b")
    post_create(actor=world.mentor_of_cohort, thread=thread, body="r")
    room = RoomFactory(cohort=world.cohort)
    message_post(actor=world.learner, room=room, body="x", client_key="k")
    lesson = course_for(world.cohort, lessons=1).modules.get().lessons.get()
    progress.lesson_visit(user=world.learner, lesson=lesson, seconds=90)
    progress.lesson_complete(user=world.learner, lesson=lesson)
    live = Activity.objects.count()
    # the live statements' events are not recorded twice
    record.backfill()
    assert Activity.objects.count() == live
    # a platform upgraded from before the record: backfill gives the history
    Activity.objects.all().delete()
    offered = record.backfill()
    assert offered["threads"] == 1
    assert offered["replies"] == 1
    assert offered["room-messages"] == 1
    after = sorted(Activity.objects.values_list("verb", flat=True))
    assert after == sorted(
        [
            Verb.POSTED,
            Verb.REPLIED,
            Verb.ROOM_MESSAGE,
            Verb.OPENED,
            Verb.READ,
            Verb.COMPLETED,
        ]
    )
    assert Activity.objects.get(verb=Verb.READ).duration_seconds == 90
    record.backfill()
    assert Activity.objects.count() == len(after)


def test_rollup_counts_each_statement_once_so_a_rerun_adds_nothing(world):
    today = timezone.localdate()
    yesterday = timezone.now() - dt.timedelta(days=1)
    for _ in range(3):
        record.record(
            actor=world.learner,
            verb=Verb.READ,
            object_type="lesson",
            object_id=1,
            duration_seconds=60,
            timestamp=yesterday,
        )
    assert record.rollup(today=today) == 1
    assert record.rollup(today=today) == 0  # a rerun: nothing left to count
    daily = ActivityDaily.objects.get()
    assert (daily.count, daily.duration_seconds) == (3, 180)
    # a late statement (an offline client) is counted at the next run, once
    record.record(
        actor=world.learner,
        verb=Verb.READ,
        object_type="lesson",
        object_id=1,
        duration_seconds=30,
        timestamp=yesterday,
    )
    assert record.rollup(today=today) == 1
    assert record.rollup(today=today) == 0
    assert ActivityDaily.objects.aggregate(
        n=Sum("count"), seconds=Sum("duration_seconds")
    ) == {"n": 4, "seconds": 210}


def test_statements_export_as_xapi_lines(world):
    record.record(
        actor=world.learner,
        verb=Verb.ANSWERED,
        object_type="quiz-post",
        object_id=7,
        score=80,
        success=True,
        course_id=3,
    )
    lines = list(record.statements(Activity.objects.all()))
    statement = json.loads(lines[0])
    assert statement["verb"]["id"].endswith("/xapi/verbs/answered")
    assert statement["result"] == {"score": {"scaled": 0.8}, "success": True}
    assert statement["actor"]["account"]["name"] == str(world.learner.pk)
    assert statement["object"]["id"].endswith("/xapi/quiz-post/7")
