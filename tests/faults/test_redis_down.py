"""Redis stopped under writes: no 5xx, nothing acknowledged lost, no duplicate on
retry, pages render, and what Redis carried (tasks) goes out when it returns.

Redis is a private redis-server of this test (tests/faults/conftest.py); the
cache, the channel layer and the Celery broker all point at it, as in production.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import Attempt, Attendance, Session
from courses.services import quizzes
from cpd import outbox
from cpd.celery import app as celery_app
from cpd.models import Invitation, TaskOutbox
from cpd.settings.base import redis_stores
from forums.models import Post
from forums.rooms.models import RoomMessage
from forums.services.forums import forum_for_cohort
from forums.services.posting import thread_create
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.rooms import RoomFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The broker's default queue, under the test settings' key prefix.
QUEUE = f"{django_settings.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix']}celery"


@pytest.fixture
def on_private_redis(settings, private_redis):
    """Cache, channel layer and broker on the private Redis; tasks really queued."""
    caches, layers = redis_stores(private_redis.url)
    settings.CACHES = caches
    settings.CHANNEL_LAYERS = layers
    settings.REDIS_URL = private_redis.url
    channel_layers.backends = {}
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.update(broker_url=private_redis.url, task_always_eager=False)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield private_redis
    celery_app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    channel_layers.backends = {}


@pytest.fixture
def scene(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.mentor_of_cohort, forum=forum, title="PPH at night", body="b"
    )
    room = RoomFactory(cohort=world.cohort)
    course = course_for(world.cohort)
    quiz = QuizFactory(course=course, kind="post", title="Post-test")
    question_with(quiz, "single", [("Oxytocin", True), ("Wait", False)])
    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    return {"thread": thread, "room": room, "quiz": quiz, "session": session}


def _writes(world, scene, tag: str) -> list[tuple[str, int]]:
    """One of each write a member makes, each sent twice (a retry, same key)."""
    learner, mentor, admin = APIClient(), APIClient(), APIClient()
    for client, user in ((learner, world.learner), (mentor, world.mentor_of_cohort)):
        client.force_authenticate(user)
    admin.force_authenticate(world.org_admin)
    for client in (learner, mentor, admin):
        client.raise_request_exception = False
    answers: list[tuple[str, int]] = []

    def send(name, client, url, payload):
        answers.extend(
            (name, client.post(url, payload, format="json").status_code)
            for _ in range(2)
        )

    send(
        "room message",
        learner,
        reverse("api-room-messages", args=[scene["room"].pk]),
        {"body": f"BP 90/60 ({tag})", "client_key": f"room-{tag}"},
    )
    send(
        "forum reply",
        learner,
        reverse("api-post-list", args=[scene["thread"].pk]),
        {
            "body": f"Give oxytocin ({tag})",
            "idempotency_key": f"reply-{tag}",
            "no_identifiers_confirmed": True,
        },
    )
    attempt = quizzes.attempt_start(user=world.learner, quiz=scene["quiz"])
    question = scene["quiz"].questions.get()
    right = question.choices.get(is_correct=True).pk
    send(
        "quiz submission",
        learner,
        reverse("api-attempt-submit", args=[attempt.pk]),
        {"answers": {str(question.pk): [right]}},
    )
    send(
        "attendance",
        mentor,
        reverse("api-session-attendance", args=[scene["session"].pk]),
        {"learner": world.learner.pk, "present": True},
    )
    answers.append(
        (
            "invitation",
            admin.post(
                reverse("api-cohort-invitations", args=[world.cohort.pk]),
                {"email": f"{tag}@example.org", "role": "learner"},
                format="json",
            ).status_code,
        )
    )
    return answers


def _pages(client, world, scene) -> list[tuple[str, int]]:
    client.force_login(world.learner)
    client.raise_request_exception = False
    urls = [
        reverse("home"),
        reverse("forums-thread", args=[scene["thread"].pk]),
        reverse("rooms-room", args=[scene["room"].pk]),
        reverse("courses-home"),
    ]
    return [(url, client.get(url).status_code) for url in urls]


def test_writes_and_pages_while_redis_is_stopped(
    client, world, scene, on_private_redis, caplog
):
    caplog.set_level(logging.WARNING)
    # given: everything works with Redis up
    up = _writes(world, scene, "up")
    assert all(code < 400 for _, code in up), up
    queued_before = int(on_private_redis.cli("llen", QUEUE) or 0)
    assert queued_before >= 1  # the invitation's task reached the broker

    # when: Redis stops
    on_private_redis.stop()
    down = _writes(world, scene, "down")
    pages = _pages(client, world, scene)
    ready = client.get(reverse("readyz"))
    signin = client.post(
        reverse("account_login"),
        {"login": world.mentor_of_cohort.email, "password": "x"},
    )

    # then: no 5xx anywhere, and every write was acknowledged
    assert [a for a in down if a[1] >= 500] == []
    assert all(code < 400 for _, code in down), down
    assert all(code == 200 for _, code in pages), pages
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert signin.status_code < 500
    # nothing acknowledged was lost, and the retries duplicated nothing
    room_bodies = list(RoomMessage.objects.values_list("body", flat=True))
    assert sorted(room_bodies) == ["BP 90/60 (down)", "BP 90/60 (up)"]
    reply_bodies = Post.objects.filter(body__startswith="Give oxytocin")
    assert reply_bodies.count() == 2
    assert Attempt.objects.filter(submitted_at__isnull=False).count() == 2
    assert Attendance.objects.filter(user=world.learner).count() == 1
    assert Invitation.objects.filter(email="down@example.org").exists()
    # the invitation's task is owed, not lost
    pending = TaskOutbox.objects.filter(dispatched_at__isnull=True)
    assert pending.count() == 1
    assert "not published" in caplog.text or "kept in the outbox" in caplog.text

    # when: Redis returns, the beat sweep publishes what was owed, once
    on_private_redis.start()
    past = timezone.now() - dt.timedelta(minutes=2)
    pending.update(created_at=past, due_at=past)
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
    assert int(on_private_redis.cli("llen", QUEUE)) == 1  # a fresh server
    assert client.get(reverse("readyz")).json()["status"] == "ok"
