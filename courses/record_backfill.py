"""Learning-record statements for what courses held before the record existed.

Registered in CoursesConfig.ready; run by ``manage.py record_backfill``. Each
statement carries the client_key its live statement would (cpd.record), so a
rerun adds nothing. Opening and reading have no key live (a statement per visit
and per flush window): the backfill gives a lesson one "opened" and one "read"
with the total, and only where the record holds none for that learner and lesson.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef

from courses.models import Attempt, Attendance, LessonProgress
from cpd.models import Activity, Verb


def lessons() -> Iterator[dict[str, Any]]:
    live = Activity.objects.filter(
        actor_id=OuterRef("user_id"),
        object_type="lesson",
        object_id=OuterRef("lesson_id"),
        verb__in=[Verb.OPENED, Verb.READ],
    )
    rows = (
        LessonProgress.objects.annotate(recorded=Exists(live))
        .values(
            "recorded",
            "pk",
            "user_id",
            "lesson_id",
            "lesson__module__course_id",
            "first_opened_at",
            "last_seen_at",
            "seconds_spent",
            "completed_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        common = {
            "actor_id": row["user_id"],
            "object_type": "lesson",
            "object_id": row["lesson_id"],
            "course_id": row["lesson__module__course_id"],
        }
        if not row["recorded"]:
            yield {
                **common,
                "client_key": f"backfill-open:{row['pk']}",
                "verb": Verb.OPENED,
                "timestamp": row["first_opened_at"],
            }
            if row["seconds_spent"]:
                yield {
                    **common,
                    "client_key": f"backfill-read:{row['pk']}",
                    "verb": Verb.READ,
                    "duration_seconds": row["seconds_spent"],
                    "timestamp": row["last_seen_at"],
                }
        if row["completed_at"]:
            yield {
                **common,
                "client_key": f"lesson:{row['lesson_id']}",
                "verb": Verb.COMPLETED,
                "timestamp": row["completed_at"],
            }


def attempts() -> Iterator[dict[str, Any]]:
    rows = (
        Attempt.objects.filter(submitted_at__isnull=False)
        .select_related("quiz")
        .iterator(chunk_size=2000)
    )
    for attempt in rows:
        yield {
            "client_key": f"attempt:{attempt.pk}",
            "actor_id": attempt.user_id,
            "verb": Verb.ANSWERED,
            "object_type": f"quiz-{attempt.quiz.kind}",
            "object_id": attempt.quiz_id,
            "course_id": attempt.quiz.course_id,
            "score": attempt.score_percent,
            "success": attempt.passed,
            "timestamp": attempt.submitted_at,
        }


def attendance() -> Iterator[dict[str, Any]]:
    rows = Attendance.objects.values(
        "pk", "user_id", "session_id", "session__cohort_id", "session__starts_at"
    ).iterator(chunk_size=2000)
    for row in rows:
        yield {
            "client_key": f"session:{row['session_id']}",
            "actor_id": row["user_id"],
            "verb": Verb.ATTENDED,
            "object_type": "session",
            "object_id": row["session_id"],
            "cohort_id": row["session__cohort_id"],
            "timestamp": row["session__starts_at"],
        }
