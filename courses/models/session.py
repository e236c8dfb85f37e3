"""Face-to-face sessions per cohort and who attended."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.course import Module
from cpd.models import Cohort


def new_checkin_salt() -> str:
    """A fresh random salt for a session's check-in codes."""
    return secrets.token_hex(16)


class Session(models.Model):
    """A face-to-face session of a cohort, optionally linked to a module."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="course_sessions"
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Mixed into the signature of the session's QR check-in codes with the
    # SECRET_KEY: the codes of one session prove nothing about another.
    checkin_salt = models.CharField(
        max_length=32, default=new_checkin_salt, editable=False
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """One learner attended one session (marked by a mentor or administrator)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="attended_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.user_id}"
