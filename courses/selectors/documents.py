"""Documents a course produces: its Markdown export and the certificates it issues."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from courses import markdown_io
from courses.models import (
    Certificate,
    Choice,
    ChoiceTranslation,
    Course,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Question,
    QuestionTranslation,
    Quiz,
    QuizTranslation,
    Survey,
    SurveyItem,
)
from courses.policies import certificates_visible_to
from cpd.policies import AnyUser


def certificates_for(user: AnyUser) -> QuerySet[Certificate]:
    """The user's transcript: certificates with their courses."""
    return Certificate.objects.filter(certificates_visible_to(user)).select_related(
        "course"
    )


def certificate_of_holder(user: AnyUser, code: str) -> Certificate | None:
    """The user's own certificate with this code (for its page and PDF)."""
    return (
        certificates_for(user).select_related("user").filter(code=code.upper()).first()
    )


def certificate_by_code(code: str) -> Certificate | None:
    """Public verification: the certificate with this code, or None."""
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 16:
        return None
    return (
        Certificate.objects.select_related("user", "course").filter(code=code).first()
    )


def course_document(
    course: Course, language: str | None = None
) -> markdown_io.CourseDoc:
    """The whole course as a document to write out as Markdown.

    With a ``language`` other than the course's, the document is that
    translation: translated text where there is some, the original elsewhere
    (a template for the translator), and ``language`` in its front matter.
    """
    course = (
        Course.objects.prefetch_related(
            Prefetch("modules", queryset=Module.objects.prefetch_related("lessons")),
            Prefetch(
                "quizzes",
                queryset=Quiz.objects.prefetch_related(
                    Prefetch(
                        "questions",
                        queryset=Question.objects.prefetch_related("choices"),
                    )
                ),
            ),
        )
    ).get(pk=course.pk)
    if language is not None and language != course.language:
        _overlay_all(course, language)
    md = markdown_io
    return md.CourseDoc(
        language=language or course.language,
        title=course.title,
        slug=course.slug,
        summary=course.summary,
        cpd_hours=course.cpd_hours,
        requires_post_test=course.requires_post_test,
        sessions_required=course.sessions_required,
        modules=[
            md.ModuleDoc(
                title=m.title,
                opens_after_days=m.opens_after_days,
                lessons=[
                    md.LessonDoc(
                        title=item.title,
                        body=item.body,
                        minutes=item.estimated_minutes,
                        media=item.media_url,
                    )
                    for item in m.lessons.all()
                ],
            )
            for m in course.modules.all()
        ],
        quizzes=[
            md.QuizDoc(
                title=qz.title,
                kind=qz.kind,
                pass_percent=qz.pass_percent,
                max_attempts=qz.max_attempts,
                time_limit_minutes=qz.time_limit_minutes,
                draw=qz.draw,
                questions=[
                    md.QuestionDoc(
                        kind=q.kind,
                        text=q.text,
                        explanation=q.explanation,
                        choices=[
                            md.ChoiceDoc(c.text, c.is_correct) for c in q.choices.all()
                        ],
                        answer=q.numeric_answer.normalize()
                        if q.numeric_answer is not None
                        else None,
                        tolerance=q.tolerance.normalize(),
                    )
                    for q in qz.questions.all()
                ],
            )
            for qz in course.quizzes.all()
        ],
        survey=_survey_document(course),
    )


def _survey_document(course: Course) -> markdown_io.SurveyDoc | None:
    """The survey's items that are asked (a retired item only keeps its
    answers, which a file does not carry). One query."""
    survey = (
        Survey.objects.filter(course=course)
        .prefetch_related(
            Prefetch("items", queryset=SurveyItem.objects.filter(retired=False))
        )
        .first()
    )
    if survey is None:
        return None
    return markdown_io.SurveyDoc(
        is_open=survey.is_open,
        items=[
            markdown_io.SurveyItemDoc(kind=item.kind, text=item.text)
            for item in survey.items.all()
        ],
    )


def course_markdown(course: Course, language: str | None = None) -> str:
    """The course as one Markdown file (``course_import`` reads it back)."""
    return markdown_io.render(course_document(course, language))


def _overlay_all(course: Course, language: str) -> None:
    """Put the text of ``course`` in ``language`` on its rows (6 queries)."""
    modules = list(course.modules.all())
    lessons = [x for m in modules for x in m.lessons.all()]
    quizzes = list(course.quizzes.all())
    questions = [q for qz in quizzes for q in qz.questions.all()]
    choices = [c for q in questions for c in q.choices.all()]
    parts: list[tuple[list[Any], Any, str, tuple[str, ...]]] = [
        (
            [course],
            CourseTranslation.objects.filter(course=course),
            "course_id",
            ("title", "summary"),
        ),
        (
            modules,
            ModuleTranslation.objects.filter(module__course=course),
            "module_id",
            ("title",),
        ),
        (
            lessons,
            LessonTranslation.objects.filter(lesson__module__course=course),
            "lesson_id",
            ("title", "body"),
        ),
        (
            quizzes,
            QuizTranslation.objects.filter(quiz__course=course),
            "quiz_id",
            ("title",),
        ),
        (
            questions,
            QuestionTranslation.objects.filter(question__quiz__course=course),
            "question_id",
            ("text", "explanation"),
        ),
        (
            choices,
            ChoiceTranslation.objects.filter(choice__question__quiz__course=course),
            "choice_id",
            ("text",),
        ),
    ]
    for rows, translations, key, names in parts:
        found = {getattr(t, key): t for t in translations.filter(language=language)}
        for row in rows:
            translation = found.get(row.pk)
            if translation is not None:
                for name in names:
                    setattr(row, name, getattr(translation, name))
                row.translated_to = language


@dataclass
class TranslationStatus:
    """Per language, which lessons and quizzes are translated (for authors)."""

    original: str
    languages: list[str]
    # (title, {language: complete?}) in reading order
    lessons: list[tuple[str, dict[str, bool]]]
    quizzes: list[tuple[str, dict[str, bool]]]


def course_translation_status(course: Course) -> TranslationStatus:
    """Which lessons and quizzes each language has in full (7 queries)."""
    languages = [code for code, _name in settings.LANGUAGES if code != course.language]
    lesson_langs = _pairs(
        LessonTranslation.objects.filter(lesson__module__course=course), "lesson_id"
    )
    quiz_langs = _pairs(QuizTranslation.objects.filter(quiz__course=course), "quiz_id")
    question_langs = _pairs(
        QuestionTranslation.objects.filter(question__quiz__course=course), "question_id"
    )
    choice_langs = _pairs(
        ChoiceTranslation.objects.filter(choice__question__quiz__course=course),
        "choice_id",
    )
    lessons = Lesson.objects.filter(module__course=course).values_list("pk", "title")
    questions = defaultdict(list)
    for pk, quiz_id in Question.objects.filter(quiz__course=course).values_list(
        "pk", "quiz_id"
    ):
        questions[quiz_id].append(("q", pk))
    for pk, quiz_id in Choice.objects.filter(question__quiz__course=course).values_list(
        "pk", "question__quiz_id"
    ):
        questions[quiz_id].append(("c", pk))
    quizzes = Quiz.objects.filter(course=course).values_list("pk", "title")

    def quiz_done(quiz_id: int, code: str) -> bool:
        parts = questions[quiz_id]
        return (quiz_id, code) in quiz_langs and all(
            (pk, code) in (question_langs if kind == "q" else choice_langs)
            for kind, pk in parts
        )

    return TranslationStatus(
        original=course.language,
        languages=languages,
        lessons=[
            (title, {c: (pk, c) in lesson_langs for c in languages})
            for pk, title in lessons
        ],
        quizzes=[
            (title, {c: quiz_done(pk, c) for c in languages}) for pk, title in quizzes
        ],
    )


def _pairs(rows: QuerySet[Any], key: str) -> set[tuple[int, str]]:
    return set(rows.values_list(key, "language"))


def course_for_authoring(course_id: int) -> Course | None:
    """Any course by id, drafts included, for an author (caller checks the policy)."""
    return Course.objects.filter(pk=course_id).first()
