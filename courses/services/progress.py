"""Lesson visits, time spent and completion."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import drip, policies
from courses.models import Lesson, LessonProgress
from courses.services.certificates import certificate_issue_if_complete
from cpd.models import User

# One heartbeat may add at most this much reading time: a phone left open on a
# lesson overnight does not count as study.
MAX_SECONDS_PER_BEAT = 120


class LessonClosed(PermissionDenied):
    """The lesson's module has not opened for this learner yet (drip)."""

    def __init__(self, opens_on: dt.date) -> None:
        super().__init__(
            _("This lesson opens on %(day)s.") % {"day": date_format(opens_on)}
        )
        self.opens_on = opens_on


def lesson_visit(*, user: User, lesson: Lesson, seconds: int = 0) -> LessonProgress:
    """Record an open of the lesson, plus reading time reported by the page."""
    if not policies.can_view_course(user, lesson.module.course):
        raise PermissionDenied(_("This lesson is not in your courses."))
    opens_on = drip.lesson_opens_on(user, lesson)
    if opens_on is not None:
        raise LessonClosed(opens_on)
    now = timezone.now()
    seconds = max(0, min(int(seconds), MAX_SECONDS_PER_BEAT))
    with transaction.atomic():
        progress, created = LessonProgress.objects.select_for_update().get_or_create(
            user=user,
            lesson=lesson,
            defaults={
                "first_opened_at": now,
                "last_seen_at": now,
                "seconds_spent": seconds,
            },
        )
        if not created:
            progress.last_seen_at = now
            progress.seconds_spent += seconds
            progress.save(update_fields=["last_seen_at", "seconds_spent"])
    return progress


def lesson_complete(*, user: User, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done (once) and issue the course certificate if now complete."""
    progress = lesson_visit(user=user, lesson=lesson)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    certificate_issue_if_complete(user=user, course=lesson.module.course)
    return progress
