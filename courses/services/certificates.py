"""Completion and certificates (with CPD hours)."""

from __future__ import annotations

from courses.completion import completion_for
from courses.models import Certificate, Course
from cpd.models import User


def course_is_complete(*, user: User, course: Course) -> bool:
    """See ``courses.completion`` for the rule."""
    return completion_for(user, course, fresh=True).complete


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
