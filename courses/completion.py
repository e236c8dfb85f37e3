"""What completes a course, and how far one learner is (one read, no writes).

A course is complete when every lesson is done, the learner attended at least
``sessions_required`` face-to-face sessions linked to the course's modules, and
— when the course requires it and has one — a post-test is passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

from courses.models import (
    Attempt,
    Attendance,
    Course,
    Lesson,
    LessonProgress,
    QuizKind,
)
from cpd.policies import AnyUser


@dataclass(frozen=True)
class Completion:
    lessons_done: int
    lessons_total: int
    post_test_required: bool
    post_test_passed: bool
    sessions_required: int
    sessions_attended: int

    @property
    def complete(self) -> bool:
        return (
            self.lessons_done >= self.lessons_total
            and self.sessions_attended >= self.sessions_required
            and (self.post_test_passed or not self.post_test_required)
        )


def post_test_passes(user_id: Any) -> QuerySet[Attempt]:
    """The user's submitted attempts that pass a post-test."""
    return Attempt.objects.filter(
        user_id=user_id,
        quiz__kind=QuizKind.POST,
        submitted_at__isnull=False,
        score_percent__gte=F("quiz__pass_percent"),
    )


def completion_for(user: AnyUser, course: Course, *, fresh: bool = False) -> Completion:
    """The learner's standing against each completion rule of the course.

    A course read through ``selectors.course_list_for_user`` carries its
    lesson counts and prefetched quizzes, which are used instead of queries;
    writers pass ``fresh=True`` so a decision never rests on an earlier read.
    """
    uid = user.pk or 0
    known = {} if fresh else course.__dict__
    if "lesson_count" in known and "done_count" in known:
        total, done = known["lesson_count"], known["done_count"]
    else:
        lessons = Lesson.objects.filter(module__course=course)
        total = lessons.count()
        done = LessonProgress.objects.filter(
            user_id=uid, lesson__in=lessons.values("pk"), completed_at__isnull=False
        ).count()
    quizzes = (
        course.quizzes.filter(kind=QuizKind.POST) if fresh else course.quizzes.all()
    )
    post_tests = [q.pk for q in quizzes if q.kind == QuizKind.POST]
    required = course.requires_post_test and bool(post_tests)
    if not required:
        passed = False
    elif "post_test_passed" in known:
        passed = known["post_test_passed"]
    else:
        passed = post_test_passes(uid).filter(quiz__in=post_tests).exists()
    return Completion(
        lessons_done=done,
        lessons_total=total,
        post_test_required=required,
        post_test_passed=passed,
        sessions_required=course.sessions_required,
        sessions_attended=Attendance.objects.filter(
            user_id=uid, session__module__course=course
        ).count()
        if course.sessions_required
        else 0,
    )
