"""Completion and certificates (with CPD hours)."""

from __future__ import annotations

from courses.models import (
    Attempt,
    Attendance,
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    QuizKind,
)
from cpd.models import User


def course_is_complete(*, user: User, course: Course) -> bool:
    """Every lesson done, enough sessions attended and, when the course asks
    for it, the post-test passed.

    Sessions count when they are linked to one of the course's modules.
    """
    lessons = Lesson.objects.filter(module__course=course).values("pk")
    done = LessonProgress.objects.filter(
        user=user, lesson__in=lessons, completed_at__isnull=False
    ).count()
    if done < lessons.count():
        return False
    if course.sessions_required and (
        Attendance.objects.filter(user=user, session__module__course=course).count()
        < course.sessions_required
    ):
        return False
    if (
        not course.requires_post_test
        or not course.quizzes.filter(kind=QuizKind.POST).exists()
    ):
        return True
    return any(
        a.passed
        for a in Attempt.objects.filter(
            user=user,
            quiz__course=course,
            quiz__kind=QuizKind.POST,
            submitted_at__isnull=False,
        ).select_related("quiz")
    )


def certificate_issue_if_complete(*, user: User, course: Course) -> Certificate | None:
    """Issue the course certificate once, when the course is complete."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing
    if not course_is_complete(user=user, course=course):
        return None
    certificate, _created = Certificate.objects.get_or_create(
        user=user, course=course, defaults={"hours": course.cpd_hours}
    )
    return certificate
