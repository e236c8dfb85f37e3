"""Completion and certificates (with CPD hours)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from courses.completion import completion_for
from courses.models import Certificate, Course
from cpd.models import User
from cpd.notifications.services import notify

KIND_CERTIFICATE = "courses.certificate"


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
    certificate, created = Certificate.objects.get_or_create(
        user=user, course=course, defaults={"hours": course.cpd_hours}
    )
    if created:
        notify(
            user=user,
            kind=KIND_CERTIFICATE,
            text=lambda: (
                _("Your certificate for %(course)s is ready.")
                % {"course": course.title}
            ),
            url=reverse("courses-certificate", args=[certificate.code]),
            dedupe_key=f"certificate:{certificate.pk}",
        )
    return certificate
