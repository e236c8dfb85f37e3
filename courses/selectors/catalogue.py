"""Catalogue reads: visible courses, their lessons and quizzes, who takes them."""

from __future__ import annotations

from django.db.models import (
    Count,
    DateField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from courses.completion import post_test_passes
from courses.models import (
    Course,
    CourseAssignment,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
)
from courses.policies import courses_visible_to
from cpd.models import Cohort, Membership, Organisation, Role
from cpd.policies import AnyUser, cohorts_visible_to


def course_list_for_user(user: AnyUser) -> QuerySet[Course]:
    """Courses the user may see, with lesson counts and the user's completions."""
    uid = user.pk if user.is_authenticated else 0
    done = LessonProgress.objects.filter(
        user_id=uid, completed_at__isnull=False
    ).values("lesson_id")
    return (
        Course.objects.filter(courses_visible_to(user))
        .annotate(
            lesson_count=Count("modules__lessons", distinct=True),
            done_count=Count(
                "modules__lessons",
                filter=Q(modules__lessons__in=done),
                distinct=True,
            ),
        )
        .order_by("title")
    )


def course_get_for_user(user: AnyUser, course_id: int) -> Course:
    """One visible course with its modules, lessons and quizzes, or Http404.

    Each prefetched lesson carries ``is_done`` for this user, and the course
    carries ``learner_opens_on``, the day it opens for them as a learner (see
    :mod:`courses.drip`), and ``post_test_passed``, so the outline needs no
    query per completion rule it shows.
    """
    uid = user.pk if user.is_authenticated else 0
    lessons = Lesson.objects.annotate(
        is_done=Exists(
            LessonProgress.objects.filter(
                user_id=uid, lesson=OuterRef("pk"), completed_at__isnull=False
            )
        )
    )
    course = (
        course_list_for_user(user)
        .annotate(
            post_test_passed=Exists(
                post_test_passes(uid).filter(quiz__course=OuterRef("pk"))
            ),
            learner_opens_on=Subquery(
                CourseAssignment.objects.filter(
                    course=OuterRef("pk"),
                    cohort__memberships__user_id=uid,
                    cohort__memberships__role=Role.LEARNER,
                )
                .annotate(day=Coalesce("opens_on", "cohort__starts_on"))
                .filter(day__isnull=False)
                .order_by("day")
                .values("day")[:1],
                output_field=DateField(),
            ),
        )
        # The end-of-course survey, if any: the outline invites to it.
        .select_related("survey")
        .prefetch_related(
            Prefetch(
                "modules",
                queryset=Module.objects.prefetch_related(
                    Prefetch("lessons", queryset=lessons)
                ),
            ),
            "quizzes",
        )
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404("No such course.")
    return course


def lesson_get_for_user(user: AnyUser, lesson_id: int) -> Lesson:
    """One lesson of a visible course, or Http404."""
    lesson = (
        Lesson.objects.filter(
            module__course__in=Course.objects.filter(courses_visible_to(user))
        )
        .select_related("module__course")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def outline_done_lesson_ids(course: Course) -> set[int]:
    """Lessons done, from a course read by :func:`course_get_for_user`."""
    return {
        lesson.pk
        for module in course.modules.all()
        for lesson in module.lessons.all()
        if lesson.is_done  # type: ignore[attr-defined]
    }


def cohorts_taking(user: AnyUser, course: Course) -> list[Cohort]:
    """The user's cohorts that take this course, each with the user's role in it.

    ``viewer_role`` (their membership's role, or None) and ``viewer_admins_org``
    come in the same query, so the outline's policy checks cost none.
    """
    uid = user.pk if user.is_authenticated else 0
    return list(
        Cohort.objects.filter(
            cohorts_visible_to(user),
            pk__in=CourseAssignment.objects.filter(course=course).values("cohort_id"),
        )
        .annotate(
            viewer_role=Subquery(
                Membership.objects.filter(cohort=OuterRef("pk"), user_id=uid).values(
                    "role"
                )[:1]
            ),
            viewer_admins_org=Exists(
                Organisation.admins.through.objects.filter(
                    organisation_id=OuterRef("organisation_id"), user_id=uid
                )
            ),
        )
        .order_by("name")
    )


def course_lessons(course: Course) -> list[Lesson]:
    """Lessons of a course in reading order."""
    return list(Lesson.objects.filter(module__course=course).select_related("module"))


def quiz_get_for_user(user: AnyUser, quiz_id: int) -> Quiz:
    quiz = (
        Quiz.objects.filter(course__in=Course.objects.filter(courses_visible_to(user)))
        .select_related("course")
        .filter(pk=quiz_id)
        .first()
    )
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz


def cohort_courses(cohort: Cohort) -> list[Course]:
    """The courses a cohort takes, by title (ids and titles only)."""
    return list(
        Course.objects.filter(assignments__cohort=cohort)
        .order_by("title", "pk")
        .only("pk", "title")
    )
