"""The course report at programme scale: 5,000 learners, 20 lessons, 30 questions.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_course_report``), migrates it and loads one cohort of ``--learners``
learners taking one course of 4 modules of 5 lessons. Each learner read a
random number of lessons in order (about 53,000 progress rows for 5,000) and
sat a pre-test, a practice quiz and a post-test of 10 questions each (150,000
answers). 200 of them answered the end-of-course survey.

Then it requests the course report page, its JSON API and its CSV through
Django's test client (full middleware, no network) 5 times after a warm-up, and
prints the median time and the SQL statement count.

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_course_report \\
    .venv/bin/python bench/course_report.py [--learners 5000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import out, recreate_database, time_get  # noqa: E402

DB_NAME = "cpd_bench_course_report"
BATCH = 5000
REPEAT = 5
RESPONDENTS = 200


def load(learners: int) -> tuple[Any, Any]:
    """The cohort, course, reading, attempts and survey answers; (admin, course)."""
    from django.db import connection
    from django.utils import timezone

    from courses.models import (
        Answer,
        Attempt,
        Choice,
        Course,
        CourseAssignment,
        Lesson,
        LessonProgress,
        Module,
        Question,
        Quiz,
        SurveyAnswer,
        SurveyResponded,
        SurveyResponse,
    )
    from courses.services.survey import survey_attach_default
    from cpd.models import Cohort, Membership, Organisation, Role, User

    rng = random.Random(7)
    now = timezone.now()
    org = Organisation.objects.create(name="National CPD", slug="national")
    admin = User(email="admin@course.test", display_name="Admin", is_staff=True)
    admin.set_unusable_password()
    admin.save()
    org.admins.add(admin)
    cohort = Cohort.objects.create(
        organisation=org, name="National cohort", starts_on=now.date()
    )
    course = Course.objects.create(title="PPH", slug="pph")
    CourseAssignment.objects.create(cohort=cohort, course=course)
    lessons: list[Any] = []
    for m in range(4):
        module = Module.objects.create(course=course, title=f"Module {m}", order=m)
        lessons.extend(
            Lesson.objects.create(
                module=module, title=f"Lesson {m}.{n}", order=n, body="Text."
            )
            for n in range(5)
        )
    people = User.objects.bulk_create(
        (
            User(email=f"l{n}@course.test", display_name=f"Learner {n:05}")
            for n in range(learners)
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (Membership(cohort=cohort, user=u, role=Role.LEARNER) for u in people),
        batch_size=BATCH,
    )
    LessonProgress.objects.bulk_create(
        (
            LessonProgress(
                user=u,
                lesson=lesson,
                first_opened_at=now,
                last_seen_at=now,
                seconds_spent=rng.randint(0, 900),
                completed_at=now if rng.random() < 0.8 else None,
            )
            for u in people
            for lesson in lessons[: rng.randint(1, len(lessons))]
        ),
        batch_size=BATCH,
    )
    quizzes = []
    for kind in ("pre", "practice", "post"):
        quiz = Quiz.objects.create(course=course, title=kind, kind=kind)
        questions = []
        for n in range(10):
            question = Question.objects.create(
                quiz=quiz, kind="single", text=f"{kind} {n}?", order=n
            )
            Choice.objects.create(question=question, text="right", is_correct=True)
            Choice.objects.create(question=question, text="wrong")
            questions.append(question)
        quizzes.append((quiz, questions))
    attempts = Attempt.objects.bulk_create(
        (
            Attempt(
                quiz=quiz,
                user=u,
                question_ids=[q.pk for q in questions],
                started_at=now,
                submitted_at=now,
                score_percent=Decimal(50),
            )
            for u in people
            for quiz, questions in quizzes
        ),
        batch_size=BATCH,
    )
    Answer.objects.bulk_create(
        (
            Answer(attempt=a, question_id=qid, credit=Decimal(rng.random() < 0.6))
            for a in attempts
            for qid in a.question_ids
        ),
        batch_size=BATCH,
    )
    survey = survey_attach_default(actor=admin, course=course)
    items = list(survey.items.all())
    for user in people[:RESPONDENTS]:
        SurveyResponded.objects.create(survey=survey, user=user, responded_on=now)
        response = SurveyResponse.objects.create(survey=survey, cohort=cohort)
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                response=response,
                item=item,
                score=rng.randint(1, 5) if item.kind == "likert" else None,
                comment="" if item.kind == "likert" else rng.choice(["", "Good."]),
            )
            for item in items
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin, course


def measure(admin: Any, course: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    for name in ("courses-report", "api-course-report", "courses-report-csv"):
        median, queries, size = time_get(
            client, reverse(name, args=[course.pk]), REPEAT
        )
        out(f"{name:20} {median:7.0f} ms  {queries:2} queries  {size / 1024:6.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    recreate_database(os.environ["DATABASE_URL"], DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    admin, course = load(args.learners)
    out(f"loaded {args.learners} learners in {time.perf_counter() - started:.0f} s")
    measure(admin, course)


if __name__ == "__main__":
    main()
