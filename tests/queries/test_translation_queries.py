"""Query budgets: a translated outline, lesson and quiz cost the same at any size.

Reading a translation costs a fixed few queries more than the original (one
per kind of text on the page), and nothing more as the course grows; an
untranslated course costs nothing more at all.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from courses.models import CourseAssignment, Lesson
from courses.services.exchange import course_import
from tests.conftest import client_as

# Extra queries over the original, per page, when reading a translation.
EXTRA = {"outline": 4, "lesson": 2, "quiz": 2, "attempt": 4}
EXTRA |= {"api-outline": 4, "api-lesson": 2, "api-attempt": 4}


@pytest.fixture(autouse=True)
def _back_to_english():
    """Pages read in French or Swahili leave that language active in the thread
    (the preferred-language middleware activates it); later tests expect none."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _text(slug: str, n: int, language: str = "en", mark: str = "") -> str:
    """A course of 2 modules of ``n`` lessons and a quiz of ``n`` questions."""
    out = ["---", f"title: {mark}Course {slug}", f"slug: {slug}"]
    out += [f"language: {language}", f"summary: {mark}About it", "---", ""]
    for m in range(2):
        out += [f"# Module: {mark}Module {m}", ""]
        for i in range(n):
            out += [f"## Lesson: {mark}Lesson {m}.{i}", "", f"{mark}Body **{i}**.", ""]
    out += [f"# Quiz: {mark}Quiz {{kind: pre}}", ""]
    for i in range(n):
        out += ["## Question {kind: single}", "", f"{mark}Question {i}?", ""]
        out += [f"- [x] {mark}Right {i}", f"- [ ] {mark}Wrong {i}", ""]
        out += [f"> {mark}Because {i}.", ""]
    return "\n".join(out)


def _course(world, slug: str, n: int, translated: bool):
    course = course_import(text=_text(slug, n))
    if translated:
        course = course_import(text=_text(slug, n, "fr", "FR "))
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    return course


def _urls(client, course) -> dict[str, str]:
    lesson = Lesson.objects.filter(module__course=course)[1]
    quiz = course.quizzes.get()
    client.post(reverse("courses-quiz", args=[quiz.pk]))  # starts an attempt
    attempt = quiz.attempts.get()
    return {
        "outline": reverse("courses-course", args=[course.pk]),
        "lesson": reverse("courses-lesson", args=[lesson.pk]),
        "quiz": reverse("courses-quiz", args=[quiz.pk]),
        "attempt": reverse("courses-attempt", args=[attempt.pk]),
        "api-outline": reverse("api-course-detail", args=[course.pk]),
        "api-lesson": reverse("api-lesson-detail", args=[lesson.pk]),
        "api-attempt": reverse("api-attempt", args=[attempt.pk]),
    }


def _count(client, url: str) -> int:
    client.get(url)  # the first visit writes what later ones only read
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", list(EXTRA))
def test_reading_in_a_language_costs_a_fixed_few_queries_at_any_size(
    client, world, page
):
    # given a small and a large course, each untranslated and translated
    client_as(client, world.learner)
    urls = {
        (n, translated): _urls(
            client, _course(world, f"c{n}{translated:d}", n, translated)
        )[page]
        for n in (1, 8)
        for translated in (False, True)
    }
    counts = {}
    for language in ("en", "fr", "sw"):
        world.learner.preferred_language = language
        world.learner.save(update_fields=["preferred_language"])
        for key, url in urls.items():
            counts[(language, *key)] = _count(client, url)
    # then size never changes the count, in any language
    for language in ("en", "fr", "sw"):
        for translated in (False, True):
            assert (
                counts[(language, 1, translated)] == counts[(language, 8, translated)]
            )
    original = counts[("en", 1, False)]
    assert counts[("en", 1, True)] <= original + 1
    # an untranslated course, or the original of a translated one, costs nothing more
    assert counts[("fr", 1, False)] == counts[("sw", 1, False)] == original
    assert counts[("sw", 1, True)] <= original + 1  # which languages this lesson has
    # reading the translation costs a fixed few more
    assert original < counts[("fr", 1, True)] <= original + EXTRA[page]
