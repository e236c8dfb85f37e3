"""Pages under the production static storage, after ``collectstatic``.

Test settings serve static files plainly, so a template naming a file that does
not exist renders; under the production manifest storage that is a 500. Here
the files are collected with the production storage into a temporary folder,
and one page of each kind renders with hashed URLs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.models import Session
from forums.services.forums import forum_for_cohort
from forums.services.posting import thread_create
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.rooms import RoomFactory

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(300)]

# Production uses whitenoise's CompressedManifestStaticFilesStorage. Its
# manifest is Django's, which is what refuses a missing file; the compression
# (gzip and brotli of every file) only costs minutes here, so it is left out.
PRODUCTION_STATIC = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STATIC},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", "-v0")
    assert (settings.STATIC_ROOT / "staticfiles.json").exists()
    return settings.STATIC_ROOT


def test_pages_render_with_hashed_static_urls(client, world, production_static):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.mentor_of_cohort, forum=forum, title="PPH", body="b"
    )
    course = course_for(world.cohort)
    quiz = QuizFactory(course=course, kind="post")
    question_with(quiz, "single", [("Oxytocin", True), ("Wait", False)])
    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    room = RoomFactory(cohort=world.cohort)
    anonymous = [reverse("account_login"), reverse("offline")]
    learner = [
        reverse("home"),
        reverse("forums-home"),
        reverse("forums-thread", args=[thread.pk]),
        reverse("rooms-room", args=[room.pk]),
        reverse("courses-home"),
        reverse("courses-course", args=[course.pk]),
        reverse("courses-lesson", args=[course.modules.first().lessons.first().pk]),
        reverse("courses-session", args=[session.pk]),
        reverse("notifications"),
        reverse("profile"),
        reverse("mentoring-home"),
        reverse("forums-forum", args=[forum.pk]),
        reverse("forums-search") + "?q=pph",
        reverse("courses-quiz", args=[quiz.pk]),
        reverse("learner-report", args=[world.cohort.pk, world.learner.pk]),
        reverse("notifications-preferences"),
        reverse("privacy"),
    ]
    admin = [
        reverse("admin-organisation", args=[world.cohort.organisation_id]),
        reverse("cohort-invitations", args=[world.cohort.pk]),
        reverse("cohort-detail", args=[world.cohort.pk]),
        reverse("cohort-report", args=[world.cohort.pk]),
        reverse("courses-report", args=[course.pk]),
        reverse("admin-cohort-members", args=[world.cohort.pk]),
        reverse("enrolment-upload", args=[world.cohort.pk]),
        reverse("notifications-cohort-defaults", args=[world.cohort.pk]),
        reverse("notifications-delivery-log", args=[world.cohort.pk]),
        reverse("organisation-audit", args=[world.cohort.organisation_id]),
    ]
    client.raise_request_exception = True  # a missing file raises, loudly
    answers = [(url, client.get(url)) for url in anonymous]
    client.force_login(world.learner)
    answers += [(url, client.get(url)) for url in learner]
    client.force_login(world.org_admin)
    answers += [(url, client.get(url)) for url in admin]
    assert [(url, r.status_code) for url, r in answers if r.status_code != 200] == []
    unhashed = [url for url, r in answers if not HASHED.search(r.content.decode())]
    assert unhashed == []
