"""Drip opening: when each module of a course opens for a learner.

A cohort's course opens on its assignment's ``opens_on`` (or, without one,
on the cohort's start). Each module opens ``opens_after_days`` after that.
A learner in several cohorts taking the course gets the earliest date.
Mentors, administrators and anyone else who reads the course without being
one of its learners see every module: they preview, they are not held back.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import Course, CourseAssignment, Lesson
from cpd.models import Role
from cpd.policies import AnyUser


def course_opens_on(user: AnyUser, course: Course) -> dt.date | None:
    """The day the course opens for this learner; None if they are not one.

    A course read by ``selectors.course_get_for_user`` already carries it.
    """
    if not user.is_authenticated:
        return None
    if "learner_opens_on" in course.__dict__:
        return course.__dict__["learner_opens_on"]
    return CourseAssignment.objects.filter(
        course=course,
        cohort__memberships__user=user,
        cohort__memberships__role=Role.LEARNER,
    ).aggregate(day=Min(Coalesce("opens_on", "cohort__starts_on")))["day"]


def closed_modules(user: AnyUser, course: Course) -> dict[int, dt.date]:
    """Modules of the course not yet open for this learner, with their day."""
    start = course_opens_on(user, course)
    if start is None:
        return {}
    today = timezone.localdate()
    closed = {}
    for module in course.modules.all():  # prefetched on the outline
        day = start + dt.timedelta(days=module.opens_after_days)
        if day > today:
            closed[module.pk] = day
    return closed


def lesson_opens_on(user: AnyUser, lesson: Lesson) -> dt.date | None:
    """The day a closed lesson opens for this learner, or None when it is open."""
    return closed_modules(user, lesson.module.course).get(lesson.module_id)


def mark_closed_modules(user: AnyUser, course: Course) -> dict[int, dt.date]:
    """Set ``opens_on`` on the course's prefetched modules (None when open)."""
    closed = closed_modules(user, course)
    for module in course.modules.all():
        module.opens_on = closed.get(module.pk)  # type: ignore[attr-defined]
    return closed
