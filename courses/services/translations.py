"""Import a course's translation: per-language text on the course's own rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from courses import markdown_io, policies
from courses.models import (
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
)
from cpd.models import User
from cpd.rich_text import render_markdown


@dataclass
class _Pairs:
    """Original rows paired with the translation's parts, in reading order."""

    modules: list[tuple[Module, markdown_io.ModuleDoc]]
    lessons: list[tuple[Lesson, markdown_io.LessonDoc]]
    quizzes: list[tuple[Quiz, markdown_io.QuizDoc]]
    questions: list[tuple[Question, markdown_io.QuestionDoc]]
    choices: list[tuple[Choice, markdown_io.ChoiceDoc]]


def _course_rows(course: Course) -> Course:
    return Course.objects.prefetch_related(
        Prefetch("modules", queryset=Module.objects.prefetch_related("lessons")),
        Prefetch(
            "quizzes",
            queryset=Quiz.objects.prefetch_related(
                Prefetch(
                    "questions", queryset=Question.objects.prefetch_related("choices")
                )
            ),
        ),
    ).get(pk=course.pk)


def _by_kind(quizzes: list) -> dict[str, list]:
    # Pre- and post-tests are one each; practice quizzes pair in their order
    # (the course lists quizzes by kind, a file in the order written).
    groups: dict[str, list] = defaultdict(list)
    for quiz in quizzes:
        groups[quiz.kind].append(quiz)
    return groups


def _pair(course: Course, doc: markdown_io.CourseDoc) -> tuple[_Pairs, list[str]]:
    """Pair rows with the document's parts; every structural difference, listed."""
    pairs = _Pairs([], [], [], [], [])
    diff: list[str] = []
    modules = list(course.modules.all())
    if len(modules) != len(doc.modules):
        diff.append(
            _("Modules: %(a)s in the course, %(b)s in the file.")
            % {"a": len(modules), "b": len(doc.modules)}
        )
    for number, (module, m) in enumerate(
        zip(modules, doc.modules, strict=False), start=1
    ):
        pairs.modules.append((module, m))
        lessons = list(module.lessons.all())
        if len(lessons) != len(m.lessons):
            diff.append(
                _(
                    "Module %(n)s (“%(title)s”), lessons:"
                    " %(a)s in the course, %(b)s in the file."
                )
                % {
                    "n": number,
                    "title": module.title,
                    "a": len(lessons),
                    "b": len(m.lessons),
                }
            )
        pairs.lessons += zip(lessons, m.lessons, strict=False)
    rows = _by_kind(list(course.quizzes.all()))
    docs = _by_kind(doc.quizzes)
    for kind in sorted(set(rows) | set(docs)):
        if len(rows[kind]) != len(docs[kind]):
            diff.append(
                _("Quizzes of kind “%(kind)s”: %(a)s in the course, %(b)s in the file.")
                % {"a": len(rows[kind]), "b": len(docs[kind]), "kind": kind}
            )
        for quiz, qz in zip(rows[kind], docs[kind], strict=False):
            pairs.quizzes.append((quiz, qz))
            _pair_questions(quiz, qz, pairs, diff)
    return pairs, diff


def _pair_questions(
    quiz: Quiz, qz: markdown_io.QuizDoc, pairs: _Pairs, diff: list[str]
) -> None:
    questions = list(quiz.questions.all())
    where = {"quiz": quiz.title}
    if len(questions) != len(qz.questions):
        diff.append(
            _("Quiz “%(quiz)s”, questions: %(a)s in the course, %(b)s in the file.")
            % {**where, "a": len(questions), "b": len(qz.questions)}
        )
    for number, (question, q) in enumerate(
        zip(questions, qz.questions, strict=False), start=1
    ):
        at = {**where, "n": number}
        pairs.questions.append((question, q))
        choices = list(question.choices.all())
        if question.kind != q.kind:
            diff.append(
                _(
                    "Quiz “%(quiz)s”, question %(n)s, kind:"
                    " %(a)s in the course, %(b)s in the file."
                )
                % {**at, "a": question.kind, "b": q.kind}
            )
        if len(choices) != len(q.choices):
            diff.append(
                _(
                    "Quiz “%(quiz)s”, question %(n)s, options:"
                    " %(a)s in the course, %(b)s in the file."
                )
                % {**at, "a": len(choices), "b": len(q.choices)}
            )
        elif [c.is_correct for c in choices] != [c.correct for c in q.choices]:
            diff.append(
                _(
                    "Quiz “%(quiz)s”, question %(n)s"
                    ": the right options differ from the course's."
                )
                % at
            )
        if question.numeric_answer != q.answer or (
            question.numeric_answer is not None and question.tolerance != q.tolerance
        ):
            diff.append(
                _(
                    "Quiz “%(quiz)s”, question %(n)s"
                    ": the numeric answer differs from the course's."
                )
                % at
            )
        pairs.choices += zip(choices, q.choices, strict=False)


@transaction.atomic
def course_translation_import(
    *, course: Course, doc: markdown_io.CourseDoc, actor: User | None = None
) -> Course:
    """Store ``doc`` as the course's text in ``doc.language``, all or nothing.

    The file must have the course's structure (modules, lessons, quizzes,
    questions, options and right answers); otherwise a ValidationError lists
    every difference and nothing is written. A translation already in that
    language is replaced. ``actor`` None means the command line.
    """
    if actor is not None and not policies.can_author_courses(actor):
        raise PermissionDenied(_("Only course authors can import courses."))
    if doc.language == course.language:
        raise ValidationError(
            {
                "language": _(
                    "This is the course's original language, not a translation."
                )
            }
        )
    course = Course.objects.select_for_update().get(pk=course.pk)
    pairs, diff = _pair(_course_rows(course), doc)
    if diff:
        raise ValidationError(
            {
                "markdown": [
                    _("The file's structure differs from the course “%(slug)s”:")
                    % {"slug": course.slug},
                    *diff,
                ]
            }
        )
    lang = doc.language
    CourseTranslation.objects.update_or_create(
        course=course,
        language=lang,
        defaults={"title": doc.title, "summary": doc.summary},
    )
    ModuleTranslation.objects.filter(module__course=course, language=lang).delete()
    LessonTranslation.objects.filter(
        lesson__module__course=course, language=lang
    ).delete()
    QuizTranslation.objects.filter(quiz__course=course, language=lang).delete()
    QuestionTranslation.objects.filter(
        question__quiz__course=course, language=lang
    ).delete()
    ChoiceTranslation.objects.filter(
        choice__question__quiz__course=course, language=lang
    ).delete()
    ModuleTranslation.objects.bulk_create(
        ModuleTranslation(module=row, language=lang, title=m.title)
        for row, m in pairs.modules
    )
    LessonTranslation.objects.bulk_create(
        # bulk_create skips save(): render and sanitise here, once.
        LessonTranslation(
            lesson=row,
            language=lang,
            title=item.title,
            body=item.body,
            body_html=render_markdown(item.body),
        )
        for row, item in pairs.lessons
    )
    QuizTranslation.objects.bulk_create(
        QuizTranslation(quiz=row, language=lang, title=qz.title)
        for row, qz in pairs.quizzes
    )
    QuestionTranslation.objects.bulk_create(
        QuestionTranslation(
            question=row, language=lang, text=q.text, explanation=q.explanation
        )
        for row, q in pairs.questions
    )
    ChoiceTranslation.objects.bulk_create(
        ChoiceTranslation(choice=row, language=lang, text=c.text)
        for row, c in pairs.choices
    )
    course.translated_languages = sorted({*course.translated_languages, lang})
    course.save(update_fields=["translated_languages"])
    return course
