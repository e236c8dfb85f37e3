"""Course content in the reader's language: which text to serve, and saying so.

Each function takes rows already read for a page and puts the translation's
text in their own fields (marking them ``translated_to``, so they refuse to be
saved), in a fixed number of queries whatever the course's size. Where a
translation is missing the original text stays, and the returned
:class:`Served` says the page fell back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from courses.models import (
    ChoiceTranslation,
    Course,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    ModuleTranslation,
    Question,
    QuestionTranslation,
    Quiz,
    QuizTranslation,
)


def content_language(requested: str | None, fallback: str | None = None) -> str:
    """A language of settings.LANGUAGES for ``requested`` ("pt-br" → "pt")."""
    codes = [code for code, _name in settings.LANGUAGES]
    for candidate in (requested, fallback):
        code = (candidate or "").lower().split("-")[0]
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


@dataclass
class Served:
    """Which language a page's content came in, and which it could have."""

    requested: str
    original: str
    served: str
    fell_back: bool
    available: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return self.served != self.original

    @property
    def others(self) -> list[str]:
        """Languages the content also exists in, besides the one served."""
        return [code for code in self.available if code != self.served]


def _put(row: Any, translation: Any, fields: Sequence[str], language: str) -> bool:
    """Overlay ``translation``'s text on ``row``; False when there is none."""
    if translation is None:
        return False
    for name in fields:
        setattr(row, name, getattr(translation, name))
    row.translated_to = language
    return True


def _course_title(course: Course, language: str) -> set[str]:
    """Overlay the course's title and summary; the languages it is in.

    One query when the course has ``language`` as a translation, else none.
    """
    if language != course.language and language in course.translated_languages:
        row = CourseTranslation.objects.filter(course=course, language=language)
        _put(course, row.first(), ("title", "summary"), language)
    return {course.language, *course.translated_languages}


def _languages_of(original: str, codes: Iterable[str]) -> list[str]:
    order = [code for code, _name in settings.LANGUAGES]
    return sorted({original, *codes}, key=order.index)


def outline_in_language(course: Course, language: str) -> Served:
    """Overlay a course read by ``course_get_for_user`` (≤ 4 queries).

    The outline falls back when any lesson, module or quiz title has no
    translation. A language counts for a course once its title is translated.
    """
    available = _course_title(course, language)
    served = _served(course.language, language, available)
    if served.served == course.language:
        return served
    modules = list(course.modules.all())
    lessons = [lesson for m in modules for lesson in m.lessons.all()]
    quizzes = list(course.quizzes.all())
    found = {
        t.module_id: t
        for t in ModuleTranslation.objects.filter(
            module__course=course, language=language
        )
    }
    missing = [not _put(m, found.get(m.pk), ("title",), language) for m in modules]
    titles = {
        t.lesson_id: t
        for t in LessonTranslation.objects.filter(
            lesson__module__course=course, language=language
        ).only("lesson_id", "title")
    }
    missing += [not _put(x, titles.get(x.pk), ("title",), language) for x in lessons]
    quiz_titles = {
        t.quiz_id: t
        for t in QuizTranslation.objects.filter(quiz__course=course, language=language)
    }
    missing += [
        not _put(q, quiz_titles.get(q.pk), ("title",), language) for q in quizzes
    ]
    served.fell_back = any(missing)
    return served


def _served(original: str, language: str, available: set[str]) -> Served:
    """Served in ``language`` if the course has it, else in its original one."""
    has = language in available
    return Served(
        requested=language,
        original=original,
        served=language if has else original,
        fell_back=not has,
        available=_languages_of(original, available),
    )


def lesson_in_language(
    lesson: Lesson, neighbours: Sequence[Lesson | None], language: str
) -> Served:
    """Overlay a lesson (with its course) and its neighbours' titles (2 queries).

    ``available`` lists the languages this lesson itself exists in.
    """
    course = lesson.module.course
    in_course = _course_title(course, language)
    if in_course == {course.language}:
        return _served(course.language, language, in_course)
    ids = [x.pk for x in neighbours if x is not None]
    rows = list(
        LessonTranslation.objects.filter(
            Q(lesson=lesson) | Q(lesson_id__in=ids, language=language)
        ).defer("body")
    )
    mine = {t.language: t for t in rows if t.lesson_id == lesson.pk}
    available = {course.language, *(set(mine) & in_course)}
    served = _served(course.language, language, available)
    if served.served != course.language:
        _put(lesson, mine[language], ("title", "body_html"), language)
        near = {t.lesson_id: t for t in rows if t.language == language}
        for other in neighbours:
            if other is not None:
                _put(other, near.get(other.pk), ("title",), language)
    return served


def quiz_in_language(quiz: Quiz, language: str) -> Served:
    """Overlay a quiz's title and its course's (2 queries)."""
    course = quiz.course
    in_course = _course_title(course, language)
    if in_course == {course.language}:
        return _served(course.language, language, in_course)
    mine = {t.language: t for t in QuizTranslation.objects.filter(quiz=quiz)}
    served = _served(
        course.language, language, {course.language, *(set(mine) & in_course)}
    )
    if served.served != course.language:
        _put(quiz, mine[language], ("title",), language)
    return served


def questions_in_language(
    quiz: Quiz, questions: Sequence[Question], language: str
) -> Served:
    """Overlay a quiz and its questions with their options (≤ 4 queries).

    Options are the same rows in every language, so answers and scoring do
    not depend on the language a learner read. Falls back when any question
    or option shown has no translation.
    """
    served = quiz_in_language(quiz, language)
    if served.served == quiz.course.language:
        return served
    texts = {
        t.question_id: t
        for t in QuestionTranslation.objects.filter(
            question__in=[q.pk for q in questions], language=language
        )
    }
    options = {
        t.choice_id: t
        for t in ChoiceTranslation.objects.filter(
            choice__question__in=[q.pk for q in questions], language=language
        )
    }
    missing = []
    for q in questions:
        missing.append(not _put(q, texts.get(q.pk), ("text", "explanation"), language))
        missing.extend(
            not _put(choice, options.get(choice.pk), ("text",), language)
            for choice in q.choices.all()
        )
    served.fell_back = any(missing)
    return served


def course_titles_in_language(courses: Sequence[Course], language: str) -> None:
    """Overlay the titles and summaries of a page of courses (1 query)."""
    wanted = [
        c.pk
        for c in courses
        if c.language != language and language in c.translated_languages
    ]
    if not wanted:
        return
    rows = {
        t.course_id: t
        for t in CourseTranslation.objects.filter(course__in=wanted, language=language)
    }
    for course in courses:
        _put(course, rows.get(course.pk), ("title", "summary"), language)
