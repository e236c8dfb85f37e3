"""Documents a course produces: its Markdown export and the certificates it issues."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from courses import markdown_io
from courses.models import Certificate, Course, Module, Question, Quiz
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


def course_document(course: Course) -> markdown_io.CourseDoc:
    """The whole course as a document to write out as Markdown."""
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
    md = markdown_io
    return md.CourseDoc(
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
    )


def course_markdown(course: Course) -> str:
    """The course as one Markdown file (``course_import`` reads it back)."""
    return markdown_io.render(course_document(course))


def course_for_authoring(course_id: int) -> Course | None:
    """Any course by id, drafts included, for an author (caller checks the policy)."""
    return Course.objects.filter(pk=course_id).first()
