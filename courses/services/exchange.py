"""Import a course written offline as Markdown (see courses.markdown_io)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses import markdown_io, policies
from courses.models import (
    Attempt,
    Certificate,
    Choice,
    Course,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    Session,
    Survey,
    SurveyResponded,
    SurveyResponse,
)
from courses.services.survey import survey_create_from_document
from courses.services.translations import course_translation_import
from cpd.models import User


def _has_learner_records(course: Course) -> bool:
    return (
        LessonProgress.objects.filter(lesson__module__course=course).exists()
        or Attempt.objects.filter(quiz__course=course).exists()
        or Certificate.objects.filter(course=course).exists()
        # Sessions linked to its modules carry attendance that counts for it.
        or Session.objects.filter(module__course=course).exists()
        # Anonymous survey answers would go with its survey.
        or SurveyResponse.objects.filter(survey__course=course).exists()
        or SurveyResponded.objects.filter(survey__course=course).exists()
    )


@transaction.atomic
def course_import(
    *, text: str, actor: User | None = None, replace: bool = False
) -> Course:
    """Create a course from Markdown, all or nothing.

    A file in another language than the existing course with its slug is
    that course's translation (see ``course_translation_import``). A course
    whose slug exists is otherwise refused unless ``replace`` is set, and even
    then only while no learner has progress, attempts or a certificate in it
    (replacing would delete their records). ``actor`` None means the command
    line, which runs with the server's own rights.
    """
    if actor is not None and not policies.can_author_courses(actor):
        raise PermissionDenied(_("Only course authors can import courses."))
    try:
        doc = markdown_io.parse(text)
    except markdown_io.FormatError as exc:
        raise ValidationError({"markdown": exc.errors}) from exc
    course = Course.objects.select_for_update().filter(slug=doc.slug).first()
    if course is not None and doc.language != course.language:
        # Same slug, another language: the file is a translation of the course.
        return course_translation_import(course=course, doc=doc, actor=actor)
    if course is not None and not replace:
        raise ValidationError(
            {
                "slug": _(
                    "A course with the slug “%(slug)s” exists: change the slug, "
                    "or replace it."
                )
                % {"slug": doc.slug}
            }
        )
    if course is not None:
        if _has_learner_records(course):
            raise ValidationError(
                {
                    "slug": _(
                        "“%(slug)s” has learners' progress, attempts, certificates "
                        "or sessions; import it under a new slug instead."
                    )
                    % {"slug": doc.slug}
                }
            )
        course.modules.all().delete()
        course.quizzes.all().delete()
        # Lesson and quiz translations went with their rows; the title's too.
        course.translations.all().delete()
        course.translated_languages = []
        # The file is the whole course: its survey too (or none).
        Survey.objects.filter(course=course).delete()
    else:
        course = Course(slug=doc.slug)
    course.title = doc.title
    course.language = doc.language
    course.summary = doc.summary
    course.cpd_hours = doc.cpd_hours
    course.requires_post_test = doc.requires_post_test
    course.sessions_required = doc.sessions_required
    course.full_clean()
    course.save()
    _create_content(course, doc)
    if doc.survey is not None:
        survey_create_from_document(
            course=course,
            is_open=doc.survey.is_open,
            items=[(item.kind, item.text) for item in doc.survey.items],
        )
    return course


def _create_content(course: Course, doc: markdown_io.CourseDoc) -> None:
    for m_order, m in enumerate(doc.modules, start=1):
        module = Module.objects.create(
            course=course,
            title=m.title,
            order=m_order,
            opens_after_days=m.opens_after_days,
        )
        for l_order, item in enumerate(m.lessons, start=1):
            # save() renders and sanitises the body once.
            Lesson.objects.create(
                module=module,
                title=item.title,
                order=l_order,
                body=item.body,
                estimated_minutes=item.minutes,
                media_url=item.media,
            )
    for qz in doc.quizzes:
        quiz = Quiz.objects.create(
            course=course,
            title=qz.title,
            kind=qz.kind,
            pass_percent=qz.pass_percent,
            max_attempts=qz.max_attempts,
            time_limit_minutes=qz.time_limit_minutes,
            draw=qz.draw,
        )
        for q_order, q in enumerate(qz.questions, start=1):
            question = Question.objects.create(
                quiz=quiz,
                kind=q.kind,
                text=q.text,
                explanation=q.explanation,
                numeric_answer=q.answer,
                tolerance=q.tolerance,
                order=q_order,
            )
            Choice.objects.bulk_create(
                Choice(question=question, text=c.text, is_correct=c.correct)
                for c in q.choices
            )
