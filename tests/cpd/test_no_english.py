"""A learner who reads Swahili or Arabic meets no English outside user content.

The pages a learner walks through are rendered in the language, with every
piece of user content (names, course, lesson, forum and room text) itself in
that language. The visible text is then searched for common English words:
any left is a string the code never marked for translation, or marked and not
translated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from courses.models import Lesson, Module
from cpd import services
from cpd.models import Role
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from tests.conftest import client_as
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import CohortFactory, OrganisationFactory, UserFactory
from tests.factories.rooms import RoomFactory

# Words that appear in any English sentence and in no Swahili or Arabic one.
ENGLISH = {
    "the", "and", "your", "you", "with", "this", "that", "from", "have", "has",
    "are", "was", "will", "not", "for", "here", "there", "what", "when", "who",
    "yet", "been", "into", "about", "which", "their", "them", "mark", "next",
    "back", "send", "sign", "save", "open", "opened", "lesson", "lessons",
    "course", "courses", "reply", "replies", "thread", "threads", "room",
    "rooms", "message", "messages", "mentor", "mentors", "learner", "learners",
    "session", "sessions", "quiz", "home", "forum", "forums", "profile",
    "settings", "notifications", "search", "start", "submit", "complete",
}  # fmt: skip


class _Text(HTMLParser):
    """Visible text, and the text of attributes a screen reader speaks."""

    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "alt", "title", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _english(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    words = re.findall(r"[A-Za-z]+", " ".join(parser.parts))
    return sorted({w for w in words if w.lower() in ENGLISH})


def _assert_no_english(client, user, pages: dict[str, str]) -> None:
    """No page holds English; then, read in English, each does (the check works)."""
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        english = _english(response.content.decode())
        if english:
            found[name] = english
    assert found == {}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    for name, url in pages.items():
        assert _english(client.get(url).content.decode()), name


def learner_world(language: str):
    """A learner's cohort written in ``language``; returns them and their pages."""
    org = OrganisationFactory(name="Shirika")
    cohort = CohortFactory(organisation=org, name="Kundi la Kisumu")
    learner = UserFactory(display_name="Neema Achieng", preferred_language=language)
    mentor = UserFactory(display_name="Daktari Amina", preferred_language=language)
    services.membership_add(cohort=cohort, user=learner, role=Role.LEARNER)
    services.membership_add(cohort=cohort, user=mentor, role=Role.MENTOR)
    course = course_for(
        cohort, title="Kuvuja damu baada ya kujifungua", language=language
    )
    module = course.modules.first()
    module.title = "Saa ya kwanza"
    module.save()
    for n, each in enumerate(module.lessons.order_by("order", "pk")):
        each.title = f"Dalili za hatari {n + 1}"
        each.body = "Pima shinikizo la damu kila dakika kumi na tano."
        each.save()
    lesson = module.lessons.order_by("order", "pk").first()
    quiz = QuizFactory(course=course, kind="post", title="Jaribio")
    question_with(quiz, "single", [("Oksitosini", True), ("Subiri", False)])
    forum = forum_for_cohort(cohort)
    forum.title = "Majadiliano"
    forum.save()
    thread, _ = thread_create(
        actor=learner, forum=forum, title="Swali kuhusu PPH", body="Nifanye nini?"
    )
    post_create(actor=mentor, thread=thread, body="Toa oksitosini kwanza.")
    room = RoomFactory(cohort=cohort, title="Kesi ya leo")
    pages = {
        "home": reverse("home"),
        "courses": reverse("courses-home"),
        "course": reverse("courses-course", args=[course.pk]),
        "lesson": reverse("courses-lesson", args=[lesson.pk]),
        "quiz": reverse("courses-quiz", args=[quiz.pk]),
        "forums": reverse("forums-home"),
        "forum": reverse("forums-forum", args=[forum.pk]),
        "thread": reverse("forums-thread", args=[thread.pk]),
        "room": reverse("rooms-room", args=[room.pk]),
        "mentoring": reverse("mentoring-home"),
        "notifications": reverse("notifications"),
        "profile": reverse("profile"),
        "my report": reverse("learner-report", args=[cohort.pk, learner.pk]),
    }
    return learner, pages


@pytest.mark.parametrize("language", ["sw", "ar"])
def test_a_learners_pages_hold_no_english(client, db, language):
    learner, pages = learner_world(language)
    client_as(client, learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _assert_no_english(client, learner, pages)


@pytest.mark.parametrize("language", ["sw", "ar"])
def test_an_administrators_pages_hold_no_english(client, db, language):
    org = OrganisationFactory(name="Shirika")
    cohort = CohortFactory(organisation=org, name="Kundi la Kisumu")
    admin = UserFactory(display_name="Msimamizi Juma", preferred_language=language)
    org.admins.add(admin)
    learner = UserFactory(display_name="Neema Achieng")
    services.membership_add(cohort=cohort, user=learner, role=Role.LEARNER)
    course = course_for(
        cohort, title="Kuvuja damu baada ya kujifungua", language=language
    )
    for n, each in enumerate(Lesson.objects.filter(module__course=course)):
        each.title = f"Dalili {n + 1}"
        each.save()
    Module.objects.filter(course=course).update(title="Saa ya kwanza")
    client_as(client, admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = {
        "organisation": reverse("admin-organisation", args=[org.pk]),
        "cohort": reverse("cohort-detail", args=[cohort.pk]),
        "cohort report": reverse("cohort-report", args=[cohort.pk]),
        "course report": reverse("courses-report", args=[course.pk]),
        "members": reverse("admin-cohort-members", args=[cohort.pk]),
        "invitations": reverse("cohort-invitations", args=[cohort.pk]),
        "enrolment": reverse("enrolment-upload", args=[cohort.pk]),
        "notification defaults": reverse(
            "notifications-cohort-defaults", args=[cohort.pk]
        ),
        "delivery log": reverse("notifications-delivery-log", args=[cohort.pk]),
        "audit": reverse("organisation-audit", args=[org.pk]),
    }
    _assert_no_english(client, admin, pages)
