"""Demo course: postpartum haemorrhage, written for this demo (not clinical advice)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from courses.models import (
    Attempt,
    Attendance,
    Course,
    CourseAssignment,
    Lesson,
    LessonProgress,
    Question,
    Session,
)
from courses.services import progress, quizzes
from courses.services.exchange import course_import
from courses.services.survey import survey_attach_default, survey_respond
from cpd import services as cpd_services
from cpd.demo import DemoWorld
from cpd.models import Role, User

SLUG = "pph-first-hour"
# Written offline in the course Markdown format, as authors would.
SOURCE = Path(__file__).parent / "content" / f"{SLUG}.md"


def seed(world: DemoWorld, out: Any) -> None:
    """The course, assigned to the maternal cohort, with some learner progress."""
    course = Course.objects.filter(slug=SLUG).first() or course_import(
        text=SOURCE.read_text(encoding="utf-8")
    )
    course = _translations(course, SOURCE)
    CourseAssignment.objects.get_or_create(
        cohort=world.cohorts["maternal"], course=course
    )
    pre = course.quizzes.get(kind="pre")
    post = course.quizzes.get(kind="post")
    lessons = list(Lesson.objects.filter(module__course=course))
    faith, mercy = world.users["faith"], world.users["mercy"]
    if not pre.attempts.filter(user=faith).exists():
        progress.lesson_complete(user=faith, lesson=lessons[0])
        progress.lesson_visit(user=mercy, lesson=lessons[0], seconds=90)
        for user, right in ((faith, 1), (mercy, 2)):
            attempt = quizzes.attempt_start(user=user, quiz=pre)
            _answer(user, attempt, right)
        attempt = quizzes.attempt_start(user=faith, quiz=post)
        _answer(faith, attempt, 3)
    if not Session.objects.filter(cohort=world.cohorts["maternal"]).exists():
        start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
        Session.objects.create(
            cohort=world.cohorts["maternal"],
            module=lessons[0].module,
            title="PPH skills drill: bimanual compression",
            place="Kisumu County Referral Hospital, skills lab",
            starts_at=start + dt.timedelta(days=3),
            ends_at=start + dt.timedelta(days=3, hours=3),
            facilitator=world.users["amina"],
        )
        drill = Session.objects.create(
            cohort=world.cohorts["maternal"],
            module=lessons[0].module,
            title="PPH case review and oxytocin storage",
            place="Kisumu County Referral Hospital, seminar room",
            starts_at=start - dt.timedelta(days=6),
            ends_at=start - dt.timedelta(days=6, hours=-2),
            facilitator=world.users["amina"],
        )
        Attendance.objects.bulk_create(
            Attendance(session=drill, user=user, marked_by=world.users["amina"])
            for user in (faith, mercy)
        )
    _classmates(world, pre, post, lessons[:3])
    _finished_course(world)
    _course_report_history(world)
    out.write(
        "Courses: 'PPH: the first hour' with pre-test, post-test and progress; "
        "'Hand hygiene' finished by Faith, with a certificate; six more "
        "maternal learners, so the course reports and the survey show figures.\n"
    )


def _finished_course(world: DemoWorld) -> None:
    """A short course Faith has finished: her certificate and its public check."""
    source = Path(__file__).parent / "content" / "hand-hygiene.md"
    course = Course.objects.filter(slug="hand-hygiene").first() or course_import(
        text=source.read_text(encoding="utf-8")
    )
    CourseAssignment.objects.get_or_create(
        cohort=world.cohorts["maternal"], course=course
    )
    course = _translations(course, source)
    faith = world.users["faith"]
    post = course.quizzes.get(kind="post")
    if post.attempts.filter(user=faith).exists():
        return
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_visit(user=faith, lesson=lesson, seconds=150)
        progress.lesson_complete(user=faith, lesson=lesson)
    attempt = quizzes.attempt_start(user=faith, quiz=post)
    _answer(faith, attempt, 2)  # both right: the certificate is issued


def _translations(course: Course, source: Path) -> Course:
    """The course's French and Swahili versions, imported as translators would.

    Same slug and structure, a "language:" line: learners who read French or
    Swahili get them (idempotent).
    """
    for language in ("fr", "sw"):
        if language not in course.translated_languages:
            translation = source.with_suffix(f".{language}.md")
            course = course_import(text=translation.read_text(encoding="utf-8"))
    return course


# Per classmate: lessons read (of the first three), right answers of four on
# the pre-test and on the post-test. Days active and gains differ, so the
# report's scatter has points and a rank correlation.
CLASSMATE_PLAN = [(3, 1, 4), (1, 2, 3), (2, 1, 3), (3, 2, 4), (0, 2, 2), (2, 0, 2)]
CLASSMATE_PLAN += [(1, 1, 1), (3, 0, 3)]


def _classmates(world: DemoWorld, pre: Any, post: Any, lessons: list[Lesson]) -> None:
    """The classmates' reading and tests, spread over past days (idempotent)."""
    now = timezone.now()
    for i, (read, before, after) in enumerate(CLASSMATE_PLAN):
        user = world.users.get(f"classmate{i}")
        if user is None or pre.attempts.filter(user=user).exists():
            continue
        for j, lesson in enumerate(lessons[:read]):
            progress.lesson_visit(user=user, lesson=lesson, seconds=120 + 60 * j)
            progress.lesson_complete(user=user, lesson=lesson)
            day = now - dt.timedelta(days=15 - 3 * j, hours=i)
            LessonProgress.objects.filter(user=user, lesson=lesson).update(
                first_opened_at=day, last_seen_at=day, completed_at=day
            )
        for quiz, right, days_ago in ((pre, before, 18), (post, after, 2)):
            attempt = quizzes.attempt_start(user=user, quiz=quiz)
            _answer(user, attempt, right)
            day = now - dt.timedelta(days=days_ago, hours=i)
            Attempt.objects.filter(pk=attempt.pk).update(
                started_at=day, submitted_at=day
            )


def _answer(user: Any, attempt: Any, right: int) -> None:
    """Answer the first ``right`` questions correctly, the rest wrongly."""
    answers: dict[int, Any] = {}
    for i, qid in enumerate(attempt.question_ids):
        question = Question.objects.get(pk=qid)
        good = i < right
        if question.kind == "numeric":
            answers[qid] = "500" if good else "250"
        else:
            answers[qid] = [
                c.pk for c in question.choices.all() if c.is_correct == good
            ][:1]
    quizzes.attempt_submit(user=user, attempt=attempt, answers=answers)


# More learners of the maternal cohort, so the course reports show figures
# (a lesson or question read by fewer than 5 is not shown): how far each read
# "PPH: the first hour", their pre-test and post-test rights, and their survey.
EXTRA: list[tuple[str, str, str, int, int, int | None, tuple[int, ...]]] = [
    # name, cadre, district, lessons read (of the 3 open), pre and post right,
    # survey scores
    ("Achieng Odhiambo", "nurse", "Kisumu", 3, 1, 3, (5, 4, 3, 4, 5, 5)),
    ("Brenda Chebet", "midwife", "Kisumu", 3, 2, 3, (4, 4, 2, 3, 4, 4)),
    ("Caroline Wafula", "midwife", "Siaya", 3, 0, 2, (5, 5, 4, 4, 3, 5)),
    ("Daniel Kiprono", "clinical_officer", "Siaya", 3, 1, None, (3, 4, 2, 2, 4, 3)),
    ("Esther Nduta", "nurse", "Kisumu", 3, 2, 2, (4, 3, 3, 5, 4, 4)),
    ("Felix Omondi", "nurse", "Siaya", 1, 1, None, (4, 4, 1, 3, 2, 3)),
]
COMMENTS = [
    "Short lessons I could read on the night shift. More pictures please.",
    "",
    "The quiz on blood loss was hard: a video of weighing pads would help.",
    "",
    "Please add a Swahili version.",
    "",
]


def _course_report_history(world: DemoWorld) -> None:
    """Six more learners' reading, quizzes and survey answers (idempotent)."""
    maternal = world.cohorts["maternal"]
    pph = Course.objects.get(slug=SLUG)
    hygiene = Course.objects.get(slug="hand-hygiene")
    admin = world.users["admin"]
    survey = survey_attach_default(actor=admin, course=hygiene)
    pph_lessons = list(Lesson.objects.filter(module__course=pph))
    hygiene_lessons = list(Lesson.objects.filter(module__course=hygiene))
    pre = pph.quizzes.get(kind="pre")
    post = pph.quizzes.get(kind="post")
    hygiene_post = hygiene.quizzes.get(kind="post")
    for n, (name, cadre, district, read, pre_right, post_right, scores) in enumerate(
        EXTRA
    ):
        email = f"reader{n + 1}@demo.cpd"
        user = User.objects.filter(email=email).first()
        if user is not None:
            continue  # seeded before
        user = User.objects.create_user(
            email, None, display_name=name, cadre=cadre, district=district
        )
        cpd_services.membership_add(cohort=maternal, user=user, role=Role.LEARNER)
        for i, lesson in enumerate(pph_lessons[:read]):
            progress.lesson_visit(user=user, lesson=lesson, seconds=60 + 20 * n + i)
            if i + 1 < read or read == 3:
                progress.lesson_complete(user=user, lesson=lesson)
        _sit(user, pre, pre_right)
        if post_right is not None:
            _sit(user, post, post_right)
        for lesson in hygiene_lessons:
            progress.lesson_visit(user=user, lesson=lesson, seconds=100 + 10 * n)
            progress.lesson_complete(user=user, lesson=lesson)
        _sit(user, hygiene_post, 2)
        items = list(survey.items.all())
        answers: dict[int, Any] = {
            item.pk: str(score) for item, score in zip(items, scores, strict=False)
        }
        answers[items[-1].pk] = COMMENTS[n]
        survey_respond(actor=user, survey=survey, answers=answers)


def _sit(user: Any, quiz: Any, right: int) -> None:
    """One attempt: the first ``right`` questions in the quiz's order right (all
    their right options), the others wrong, so stronger learners also get the
    harder questions and the report's discrimination reads as it would."""
    attempt = quizzes.attempt_start(user=user, quiz=quiz)
    ordered = list(quiz.questions.order_by("order", "pk"))
    answers: dict[int, Any] = {}
    for i, question in enumerate(ordered):
        good = i < right
        if question.kind == "numeric":
            answers[question.pk] = "500" if good else "250"
        else:
            choices = [c.pk for c in question.choices.all() if c.is_correct == good]
            answers[question.pk] = (
                choices if question.kind == "multiple" else choices[:1]
            )
    quizzes.attempt_submit(user=user, attempt=attempt, answers=answers)
