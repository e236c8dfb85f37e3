"""Course → module → lesson, and which cohorts take which course."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.translation import ShownInLanguage
from cpd.models import Cohort
from cpd.rich_text import render_markdown


class Course(ShownInLanguage, models.Model):
    """A short course worth CPD hours, made of modules of lessons."""

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(unique=True, max_length=80)
    summary = models.TextField(_("summary"), blank=True)
    # The language the course was written in; translations hold the others.
    language = models.CharField(
        _("original language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    # Kept by the translation import: which languages have a translation, so
    # pages for an untranslated language know it without a query.
    translated_languages = models.JSONField(default=list, editable=False)
    cpd_hours = models.DecimalField(
        _("CPD credit hours"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    requires_post_test = models.BooleanField(
        _("completion needs a passed post-test"), default=True
    )
    sessions_required = models.PositiveSmallIntegerField(
        _("face-to-face sessions to attend"),
        default=0,
        help_text=_(
            "Completion needs attendance at this many of the course's sessions."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Module(ShownInLanguage, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=160)
    order = models.PositiveIntegerField(default=0)
    opens_after_days = models.PositiveSmallIntegerField(
        _("opens after (days)"),
        default=0,
        help_text=_(
            "Days after the cohort's course opening date (or its start) "
            "before learners can open this module."
        ),
    )

    class Meta:
        ordering = ["course", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Lesson(ShownInLanguage, models.Model):
    """A lesson short enough to read between shifts; HTML rendered on save."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=160)
    order = models.PositiveIntegerField(default=0)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(editable=False, default="")
    estimated_minutes = models.PositiveSmallIntegerField(default=5)
    media_url = models.URLField(_("audio or video link"), blank=True)

    class Meta:
        ordering = ["module__order", "module_id", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rendered and sanitised once here, never per request.
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class CourseAssignment(models.Model):
    """A cohort takes a course (from an optional date)."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="course_assignments"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="assignments"
    )
    opens_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "course"], name="course_assigned_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.cohort}"
