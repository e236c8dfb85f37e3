"""End-of-course satisfaction and acceptability surveys, answered anonymously.

Who answered and what they answered are kept apart on purpose:

- ``SurveyResponded`` names the person (one row per person and survey, which
  is what stops a second answer);
- ``SurveyResponse`` and its ``SurveyAnswer`` rows hold the answers with no
  user, no timestamp and a random key, so neither a foreign key, nor a time,
  nor an insertion-ordered id links an answer back to a ``SurveyResponded``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.course import Course
from cpd.models import Cohort

# A short survey (the editor and the Markdown format refuse more).
MAX_SURVEY_ITEMS = 20
SURVEY_TEXT_MAX = 200


class SurveyItemKind(models.TextChoices):
    LIKERT = "likert", _("Agree or disagree (1–5)")
    TEXT = "text", _("Free text (optional)")


class Survey(models.Model):
    """The short survey a course's learners are invited to answer at its end."""

    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="survey"
    )
    is_open = models.BooleanField(_("open for answers"), default=True)
    # Raised by every change a respondent would see (wording, kind, an item
    # added, removed, retired or restored): an answer sent from a page of an
    # earlier revision is refused, so nobody's score lands on a statement
    # reworded while they were reading it (courses.services.survey).
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.course}"


class SurveyItem(models.Model):
    """One statement to rate from 1 (disagree) to 5 (agree), or a free-text box."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(
        max_length=10, choices=SurveyItemKind.choices, default=SurveyItemKind.LIKERT
    )
    text = models.CharField(_("statement or question"), max_length=SURVEY_TEXT_MAX)
    order = models.PositiveSmallIntegerField(default=0)
    # Retired: no longer asked, still reported (it has answers, so it is kept
    # rather than deleted; see courses.services.survey for the rule).
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyResponded(models.Model):
    """This person has answered this survey (the answers are elsewhere, unlinked)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responded"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A day, not a time: a time could be matched against the answers' arrival.
    responded_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], name="survey_answered_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.user_id}"


class SurveyResponse(models.Model):
    """One anonymous set of answers: no user, no time, a random primary key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses"
    )
    # The respondent's cohort taking the course, so a report can be scoped to
    # one cohort (its figures are suppressed under five answers).
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The response's batch of five in its cohort (0 for the first five, ...):
    # results count full batches only, so they change five answers at a time
    # (courses.selectors.survey). It places an answer among five, no closer.
    batch = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.id)


class SurveyAnswer(models.Model):
    """One item's answer in a response: a score 1–5 or a comment."""

    # Random, like the response's: a numbered id would list the answers in the
    # order they came, the order of ``SurveyResponded``'s ids (who answered).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(SurveyItem, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"], name="survey_item_answered_once"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True)
                | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.item_id}"
