"""Quizzes drawn from a question bank, attempts and their answers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.course import Course
from courses.models.translation import ShownInLanguage


class QuizKind(models.TextChoices):
    PRACTICE = "practice", _("Practice quiz")
    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    NUMERIC = "numeric", _("Number")


class Quiz(ShownInLanguage, models.Model):
    """A quiz of a course; pre- and post-tests of one course measure gain."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(max_length=10, choices=QuizKind.choices)
    pass_percent = models.PositiveSmallIntegerField(default=70)
    max_attempts = models.PositiveSmallIntegerField(
        default=0, help_text=_("0 means no limit.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    draw = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Draw this many questions at random.")
    )

    class Meta:
        ordering = ["course", "kind", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(ShownInLanguage, models.Model):
    """A bank question with its explanation shown after submitting."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    text = models.TextField()
    explanation = models.TextField(blank=True)
    numeric_answer = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True
    )
    tolerance = models.DecimalField(
        max_digits=12, decimal_places=3, default=Decimal("0")
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(ShownInLanguage, models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "pk"]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """One sitting: the questions drawn (in order), then the score once submitted."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    question_ids = models.JSONField(default=list)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score_percent = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    expired = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "quiz", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.quiz_id} · {self.user_id} · {self.started_at:%Y-%m-%d}"

    @property
    def passed(self) -> bool:
        return (
            self.score_percent is not None
            and self.score_percent >= self.quiz.pass_percent
        )


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice_ids = models.JSONField(default=list)
    numeric = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True
    )
    credit = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"
