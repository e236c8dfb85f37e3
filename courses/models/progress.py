"""What each learner has read, for how long, and the certificates they earned."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from courses.models.course import Course, Lesson


class LessonProgress(models.Model):
    """One learner's visits to one lesson: time spent and completion."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    seconds_spent = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_once")
        ]
        # No index on last_seen_at: an indexed column that changes makes the
        # update non-HOT, so PostgreSQL writes a new entry in every index. The
        # "continue where you left off" read finds the learner's rows through
        # the (user, lesson) unique index and sorts those few hundred at most.

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id}"


def _code() -> str:
    return secrets.token_hex(5).upper()


class Certificate(models.Model):
    """Proof of completion; its code is checked publicly at /courses/verify/CODE/."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True, default=_code)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificate_once")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
