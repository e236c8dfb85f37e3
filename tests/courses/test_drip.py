"""Drip opening of modules: learners wait, mentors and administrators preview."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from courses import drip
from courses.models import CourseAssignment, LessonProgress
from courses.services import progress
from tests.conftest import client_as
from tests.factories.courses import LessonFactory, ModuleFactory, course_for


@pytest.fixture
def course(world):
    """Module 1 open from the cohort's start (7 days ago); module 2 after 30 days."""
    course = course_for(world.cohort, lessons=1)
    later = ModuleFactory(course=course, order=2, opens_after_days=30)
    LessonFactory(module=later, title="Later lesson")
    return course


def later_lesson(course):
    return course.modules.get(order=2).lessons.get()


def test_module_opens_days_after_the_cohort_start(world, course):
    closed = drip.closed_modules(world.learner, course)
    module = course.modules.get(order=2)
    assert closed == {module.pk: world.cohort.starts_on + dt.timedelta(days=30)}


def test_the_assignment_date_overrides_the_cohort_start(world, course):
    opens = timezone.localdate() + dt.timedelta(days=3)
    CourseAssignment.objects.filter(course=course).update(opens_on=opens)
    closed = drip.closed_modules(world.learner, course)
    assert sorted(closed.values()) == [opens, opens + dt.timedelta(days=30)]


def test_a_learner_in_two_cohorts_gets_the_earliest_date(world, course):
    from cpd.models import Membership, Role

    CourseAssignment.objects.filter(course=course).update(
        opens_on=timezone.localdate() + dt.timedelta(days=5)
    )
    CourseAssignment.objects.create(
        cohort=world.other_cohort,
        course=course,
        opens_on=timezone.localdate() - dt.timedelta(days=40),
    )
    Membership.objects.create(
        user=world.learner, cohort=world.other_cohort, role=Role.LEARNER
    )
    assert drip.closed_modules(world.learner, course) == {}


@pytest.mark.parametrize("role", ["mentor_of_cohort", "org_admin"])
def test_mentors_and_admins_preview_closed_modules(client, world, course, role):
    assert drip.closed_modules(world.user(role), course) == {}
    response = client_as(client, world.user(role)).get(
        reverse("courses-lesson", args=[later_lesson(course).pk])
    )
    assert response.status_code == 200


def test_learner_sees_when_a_closed_lesson_opens(client, world, course):
    client_as(client, world.learner)
    outline = client.get(reverse("courses-course", args=[course.pk])).content.decode()
    assert "Opens on" in outline
    assert reverse("courses-lesson", args=[later_lesson(course).pk]) not in outline
    response = client.get(reverse("courses-lesson", args=[later_lesson(course).pk]))
    assert response.status_code == 403
    assert "This lesson opens on" in response.content.decode()
    assert not LessonProgress.objects.exists()


def test_closed_lesson_cannot_be_visited_or_completed(client, world, course):
    lesson = later_lesson(course)
    with pytest.raises(PermissionDenied, match="opens on"):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    client_as(client, world.learner)
    url = reverse("courses-lesson-complete", args=[lesson.pk])
    assert client.post(url).status_code == 403
    api = reverse("api-lesson-complete", args=[lesson.pk])
    assert client.post(api).status_code == 403
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_api_outline_says_when_modules_open(client, world, course):
    client_as(client, world.learner)
    data = client.get(reverse("api-course-detail", args=[course.pk])).json()
    opens = {m["title"]: m["opens_on"] for m in data["modules"]}
    module = course.modules.get(order=2)
    assert (
        opens[module.title]
        == (world.cohort.starts_on + dt.timedelta(days=30)).isoformat()
    )
    assert list(opens.values()).count(None) == 1


def test_module_opens_on_its_day(world, course, monkeypatch):
    day = world.cohort.starts_on + dt.timedelta(days=30)
    monkeypatch.setattr(timezone, "localdate", lambda: day)
    assert drip.closed_modules(world.learner, course) == {}
    progress.lesson_complete(user=world.learner, lesson=later_lesson(course))


def test_outline_lists_quizzes_in_the_order_learners_meet_them(client, world, course):
    from tests.factories.courses import QuizFactory

    for kind, title in (("post", "After"), ("pre", "Before"), ("practice", "Try")):
        QuizFactory(course=course, kind=kind, title=title)
    client_as(client, world.learner)
    page = client.get(reverse("courses-course", args=[course.pk])).content.decode()
    body = page[page.index("<main") :]  # the layout's own strings come before
    assert body.index("Before") < body.index("Try") < body.index("After")
