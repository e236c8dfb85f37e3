# ruff: noqa: E501 - lesson prose and question banks read better unwrapped
"""Demo course: postpartum haemorrhage, written for this demo (not clinical advice)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from courses.models import (
    Choice,
    Course,
    CourseAssignment,
    Lesson,
    Module,
    Question,
    Quiz,
    Session,
)
from courses.services import progress, quizzes
from cpd.demo import DemoWorld

SLUG = "pph-first-hour"

LESSONS = [
    (
        "Recognising PPH",
        4,
        (
            "**Postpartum haemorrhage (PPH)** is blood loss of 500 ml or more within 24 "
            "hours of birth — or any loss that makes the woman unstable.\n\n"
            "- Weigh or measure: visual estimates miss up to half the loss.\n"
            "- Watch the pulse and blood pressure: a rising pulse comes first.\n"
            "- The four Ts: **Tone**, **Trauma**, **Tissue**, **Thrombin**."
        ),
    ),
    (
        "The first five minutes",
        5,
        (
            "1. Call for help and note the time.\n"
            "2. Massage the uterus until it is firm.\n"
            "3. Give **oxytocin 10 IU IM** (or IV infusion).\n"
            "4. Two large-bore IV lines; start warm crystalloids.\n"
            "5. Empty the bladder; check that the placenta is complete."
        ),
    ),
    (
        "Tranexamic acid and referral",
        4,
        (
            "Give **tranexamic acid 1 g IV** over 10 minutes as soon as PPH is "
            "diagnosed and within 3 hours of birth.\n\n"
            "If bleeding continues: bimanual compression, keep her warm, and refer "
            "with a companion and a written note of doses and times."
        ),
    ),
]

QUESTIONS = [
    ("single", "Which is the most common cause of PPH?", "Uterine atony (tone) causes most PPH.",
     [("Uterine atony", True), ("Retained tissue", False), ("Clotting disorder", False)]),
    ("multiple", "Which are first steps for PPH? (choose all that apply)",
     "Help, uterine massage and oxytocin come first; fluids restriction is wrong.",
     [("Call for help", True), ("Massage the uterus", True), ("Give oxytocin", True),
      ("Restrict IV fluids", False)]),
    ("true_false", "Tranexamic acid works best within 3 hours of birth.",
     "Its benefit falls with every 15 minutes of delay; after 3 hours it may not help.",
     [("True", True), ("False", False)]),
    ("numeric", "PPH is blood loss of at least how many ml within 24 hours?",
     "500 ml, or any amount that makes the woman unstable.", []),
]  # fmt: skip


def _quiz(course: Course, kind: str, title: str) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        course=course, kind=kind, defaults={"title": title, "pass_percent": 70}
    )
    if created:
        for order, (qkind, text, why, choices) in enumerate(QUESTIONS):
            question = Question.objects.create(
                quiz=quiz, kind=qkind, text=text, explanation=why, order=order,
                numeric_answer=Decimal(500) if qkind == "numeric" else None,
            )  # fmt: skip
            Choice.objects.bulk_create(
                Choice(question=question, text=t, is_correct=ok) for t, ok in choices
            )
    return quiz


def seed(world: DemoWorld, out: Any) -> None:
    """The course, assigned to the maternal cohort, with some learner progress."""
    course, created = Course.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "PPH: the first hour",
            "summary": "Recognise postpartum haemorrhage early and act in the right order.",
            "cpd_hours": Decimal("2.0"),
        },
    )
    if created:
        module = Module.objects.create(course=course, title="Act early", order=1)
        for order, (title, minutes, body) in enumerate(LESSONS):
            Lesson.objects.create(
                module=module,
                title=title,
                order=order,
                estimated_minutes=minutes,
                body=body,
            )
    CourseAssignment.objects.get_or_create(
        cohort=world.cohorts["maternal"], course=course
    )
    pre = _quiz(course, "pre", "PPH pre-test")
    post = _quiz(course, "post", "PPH post-test")
    _quiz(course, "practice", "PPH practice quiz")
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
    out.write("Courses: 'PPH: the first hour' with pre-test, post-test and progress.\n")


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
