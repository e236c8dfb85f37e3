"""Progress reads: lessons done, quiz attempts, cohort progress and knowledge gain."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.models import (
    Attempt,
    Attendance,
    Certificate,
    Course,
    CourseAssignment,
    Lesson,
    LessonProgress,
    Question,
    Quiz,
    QuizKind,
    Session,
)
from courses.policies import attempts_visible_to, courses_visible_to
from cpd.models import Cohort, Membership, Role
from cpd.policies import AnyUser


def completed_lesson_ids(user: AnyUser, course: Course) -> set[int]:
    return set(
        LessonProgress.objects.filter(
            user_id=user.pk or 0,
            lesson__module__course=course,
            completed_at__isnull=False,
        ).values_list("lesson_id", flat=True)
    )


def continue_lesson_for(user: AnyUser) -> Lesson | None:
    """The lesson the learner last opened and has not finished, else None."""
    if not user.is_authenticated:
        return None
    progress = (
        LessonProgress.objects.filter(
            user=user,
            completed_at__isnull=True,
            lesson__module__course__in=Course.objects.filter(courses_visible_to(user)),
        )
        .select_related("lesson__module__course")
        .order_by("-last_seen_at")
        .first()
    )
    return progress.lesson if progress else None


def attempt_get_for_user(user: AnyUser, attempt_id: int) -> Attempt:
    attempt = (
        Attempt.objects.filter(attempts_visible_to(user), pk=attempt_id)
        .select_related("quiz__course")
        .prefetch_related("answers")
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def attempts_for(user: AnyUser, quiz: Quiz) -> list[Attempt]:
    return list(
        Attempt.objects.filter(attempts_visible_to(user), quiz=quiz).select_related(
            "quiz"
        )
    )


def attempt_questions(attempt: Attempt) -> list:
    """The attempt's questions with their options, in the drawn order."""
    by_id = {
        q.pk: q
        for q in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related(
            "choices"
        )
    }
    return [by_id[i] for i in attempt.question_ids if i in by_id]


@dataclass(frozen=True)
class LearnerProgress:
    user_id: int
    lessons_completed: int
    lessons_total: int
    last_activity: dt.datetime | None
    latest_quiz_percent: float | None
    pre_percent: float | None
    post_percent: float | None
    knowledge_gain: float | None
    credits_earned: Decimal
    sessions_attended: int = 0
    sessions_held: int = 0


def _best(values: list[tuple[dt.datetime, Decimal]]) -> float | None:
    return float(max(v for _t, v in values)) if values else None


def learner_progress_for_cohort(
    *, cohort: Cohort, user_ids: Collection[int]
) -> dict[int, LearnerProgress]:
    """Progress over all courses assigned to the cohort, for the given learners, in a constant number of queries.

    Pre and post scores are each learner's best submitted attempt at the
    course's pre-test and post-test; gain is post minus pre in percentage
    points, and only when both exist.
    """  # noqa: E501
    ids = list(user_ids)
    courses = CourseAssignment.objects.filter(cohort=cohort).values("course_id")
    total = Lesson.objects.filter(module__course__in=courses).count()
    done: dict[int, int] = defaultdict(int)
    last: dict[int, dt.datetime] = {}
    for row in (
        LessonProgress.objects.filter(
            user_id__in=ids, lesson__module__course__in=courses
        )
        .values("user_id")
        .annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)),
            seen=Max("last_seen_at"),
        )
    ):
        done[row["user_id"]] = row["done"]
        last[row["user_id"]] = row["seen"]
    pre: dict[int, list] = defaultdict(list)
    post: dict[int, list] = defaultdict(list)
    latest: dict[int, tuple[dt.datetime, Decimal]] = {}
    for uid, kind, when, score in Attempt.objects.filter(
        user_id__in=ids, quiz__course__in=courses, submitted_at__isnull=False
    ).values_list("user_id", "quiz__kind", "submitted_at", "score_percent"):
        if score is None or when is None:
            continue
        if kind == QuizKind.PRE:
            pre[uid].append((when, score))
        elif kind == QuizKind.POST:
            post[uid].append((when, score))
        if uid not in latest or when > latest[uid][0]:
            latest[uid] = (when, score)
        if uid not in last or when > last[uid]:
            last[uid] = when
    attended: dict[int, int] = dict(
        Attendance.objects.filter(user_id__in=ids, session__cohort=cohort)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    held = Session.objects.filter(cohort=cohort, starts_at__lte=timezone.now()).count()
    credits: dict[int, Decimal] = defaultdict(Decimal)
    for uid, hours in Certificate.objects.filter(
        user_id__in=ids, course__in=courses, revoked_at__isnull=True
    ).values_list("user_id", "hours"):
        credits[uid] += hours
    result = {}
    for uid in ids:
        pre_p, post_p = _best(pre[uid]), _best(post[uid])
        result[uid] = LearnerProgress(
            user_id=uid,
            lessons_completed=done[uid],
            lessons_total=total,
            last_activity=last.get(uid),
            latest_quiz_percent=float(latest[uid][1]) if uid in latest else None,
            pre_percent=pre_p,
            post_percent=post_p,
            knowledge_gain=(post_p - pre_p)
            if pre_p is not None and post_p is not None
            else None,
            credits_earned=credits[uid],
            sessions_attended=attended.get(uid, 0),
            sessions_held=held,
        )
    return result


def cohort_learners(cohort: Cohort) -> QuerySet[Membership]:
    """A cohort's learner memberships with their users, by name."""
    return (
        Membership.objects.filter(cohort=cohort, role=Role.LEARNER)
        .select_related("user")
        .order_by("user__display_name")
    )


@dataclass(frozen=True)
class CohortGain:
    """Mean knowledge gain over learners with both a pre- and a post-test."""

    mean_gain: float | None
    with_both: int
    pre_only: int
    post_only: int


def cohort_knowledge_gain(progress: dict[int, LearnerProgress]) -> CohortGain:
    """Summarise gain; learners with only one test are counted, not averaged."""
    gains = [
        p.knowledge_gain for p in progress.values() if p.knowledge_gain is not None
    ]
    return CohortGain(
        mean_gain=round(sum(gains) / len(gains), 1) if gains else None,
        with_both=len(gains),
        pre_only=sum(
            1
            for p in progress.values()
            if p.pre_percent is not None and p.post_percent is None
        ),
        post_only=sum(
            1
            for p in progress.values()
            if p.post_percent is not None and p.pre_percent is None
        ),
    )
