"""Course content in other languages: text only, tied to the original rows.

A translation never has a structure of its own: each row holds the text of one
course, module, lesson, quiz, question or choice in one language, so progress,
attempts and scoring stay on the single set of original rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpd.rich_text import render_markdown


class _Translation(models.Model):
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        abstract = True


class CourseTranslation(_Translation):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "language"], name="course_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class ModuleTranslation(_Translation):
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=160)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["module", "language"], name="module_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class LessonTranslation(_Translation):
    """A lesson's title and body in one language; HTML rendered on save."""

    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(editable=False, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "language"], name="lesson_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rendered and sanitised once here, as the original lesson is.
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class QuizTranslation(_Translation):
    quiz = models.ForeignKey(
        "courses.Quiz", on_delete=models.CASCADE, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=160)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "language"], name="quiz_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class QuestionTranslation(_Translation):
    question = models.ForeignKey(
        "courses.Question", on_delete=models.CASCADE, related_name="translations"
    )
    text = models.TextField()
    explanation = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language"], name="question_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text[:60]} [{self.language}]"


class ChoiceTranslation(_Translation):
    choice = models.ForeignKey(
        "courses.Choice", on_delete=models.CASCADE, related_name="translations"
    )
    text = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["choice", "language"], name="choice_translated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} [{self.language}]"


class ShownInLanguage:
    """Mixin: an instance whose text a selector replaced by a translation.

    Such an instance carries the translation in its original fields (so pages
    and serializers read one attribute); saving it would overwrite the
    original text, so it refuses.
    """

    translated_to: str | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.translated_to is not None:
            raise RuntimeError("A translated instance is for display; re-fetch it.")
        super().save(*args, **kwargs)  # type: ignore[misc]
