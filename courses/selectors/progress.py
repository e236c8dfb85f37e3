"""Progress reads: lessons done, quiz attempts, cohort progress and knowledge gain."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
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
        .order_by("user__display_name", "pk")
    )


# How the progress table can be sorted: the key in ``?sort=`` and its label.
PROGRESS_SORTS = ("name", "active", "lessons")


def cohort_learners_sorted(cohort: Cohort, sort: str) -> QuerySet[Membership]:
    """The cohort's learners in the table's order, ready to be paged.

    ``name`` sorts by display name. ``active`` (most recently active first)
    and ``lessons`` (most lessons finished first) sort on one correlated
    subquery per learner over the ``(user, lesson)`` index, so a page of a
    cohort of thousands costs one ordered scan of its memberships and never
    loads every learner's progress.  Ties fall back to the name, then the
    membership id, so pages neither repeat nor skip rows.
    """
    learners = cohort_learners(cohort)
    if sort not in PROGRESS_SORTS or sort == "name":
        return learners
    cohort_progress = LessonProgress.objects.filter(
        user_id=OuterRef("user_id"),
        lesson__module__course__in=CourseAssignment.objects.filter(
            cohort=cohort
        ).values("course_id"),
    )
    if sort == "active":
        return learners.annotate(
            sort_key=Subquery(
                cohort_progress.order_by("-last_seen_at").values("last_seen_at")[:1]
            )
        ).order_by(F("sort_key").desc(nulls_last=True), "user__display_name", "pk")
    return learners.annotate(
        sort_key=Coalesce(
            Subquery(
                cohort_progress.filter(completed_at__isnull=False)
                .order_by()
                .values("user_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    ).order_by("-sort_key", "user__display_name", "pk")


def best_scores(
    *, learners: QuerySet, courses: QuerySet
) -> dict[int, dict[str, float]]:
    """Each learner's best submitted pre-test and post-test score (one query).

    ``learners`` and ``courses`` are subqueries of user ids and course ids (a
    cohort's, or one course and the learners of the cohorts in scope). As in
    :func:`learner_progress_for_cohort`, grouped in the database so only two
    numbers per learner come back: ``{user_id: {"pre": 40.0, "post": 75.0}}``
    (a kind absent if not taken).
    """
    best: dict[int, dict[str, float]] = defaultdict(dict)
    for uid, kind, score in (
        Attempt.objects.filter(
            user_id__in=learners,
            quiz__course__in=courses,
            quiz__kind__in=(QuizKind.PRE, QuizKind.POST),
            submitted_at__isnull=False,
            score_percent__isnull=False,
        )
        .values("user_id", "quiz__kind")
        .annotate(best=Max("score_percent"))
        .values_list("user_id", "quiz__kind", "best")
    ):
        best[uid][kind] = float(score)
    return dict(best)


def _cohort_scope(cohort: Cohort) -> dict[str, QuerySet]:
    return {
        "learners": Membership.objects.filter(cohort=cohort, role=Role.LEARNER).values(
            "user_id"
        ),
        "courses": CourseAssignment.objects.filter(cohort=cohort).values("course_id"),
    }


def learner_best_scores(cohort: Cohort) -> dict[int, dict[str, float]]:
    """:func:`best_scores` over the cohort's learners and courses."""
    return best_scores(**_cohort_scope(cohort))


def learner_gains(cohort: Cohort) -> dict[int, float]:
    """Post-test minus pre-test per learner who has both (one query)."""
    return {
        uid: b[QuizKind.POST] - b[QuizKind.PRE]
        for uid, b in learner_best_scores(cohort).items()
        if QuizKind.PRE in b and QuizKind.POST in b
    }


def cohort_gain_summary(cohort: Cohort) -> CohortGain:
    """The whole cohort's knowledge gain in one query, however many learners.

    Over the cohort's learners and courses; see :func:`knowledge_gain`.
    """
    return knowledge_gain(**_cohort_scope(cohort))


def knowledge_gain(*, learners: QuerySet, courses: QuerySet) -> CohortGain:
    """Pre/post knowledge gain of some learners on some courses, in one query.

    Each learner's best pre-test and post-test (:func:`best_scores`), summarised:
    the mean raw and normalised gain with n and the paired 95% interval.
    """
    return summarise_gain(best_scores(learners=learners, courses=courses))


def summarise_gain(best: dict[int, dict[str, float]]) -> CohortGain:
    """:func:`knowledge_gain` of already read best scores (no query)."""
    gains = [
        b[QuizKind.POST] - b[QuizKind.PRE]
        for b in best.values()
        if QuizKind.PRE in b and QuizKind.POST in b
    ]
    normalised = [
        (b[QuizKind.POST] - b[QuizKind.PRE]) / (100 - b[QuizKind.PRE])
        for b in best.values()
        if QuizKind.PRE in b and QuizKind.POST in b and b[QuizKind.PRE] < 100
    ]
    return CohortGain(
        mean_gain=round(sum(gains) / len(gains), 1) if gains else None,
        with_both=len(gains),
        pre_only=sum(1 for b in best.values() if set(b) == {QuizKind.PRE}),
        post_only=sum(1 for b in best.values() if set(b) == {QuizKind.POST}),
        mean_normalised_gain=(
            round(sum(normalised) / len(normalised), 2) if normalised else None
        ),
        interval=paired_interval(gains),
    )


# Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def paired_interval(differences: list[float]) -> tuple[float, float] | None:
    """95% confidence interval of the mean of paired differences (n >= 2)."""
    n = len(differences)
    if n < 2:
        return None
    mean = statistics.fmean(differences)
    sd = statistics.stdev(differences)
    t = _T975[n - 2] if n - 1 <= len(_T975) else statistics.NormalDist().inv_cdf(0.975)
    half = t * sd / math.sqrt(n)
    return (round(mean - half, 1), round(mean + half, 1))


# Learners per batch of the CSV export: each batch costs the same few queries.
EXPORT_BATCH = 500

PROGRESS_CSV_HEADER = (
    "learner", "cadre", "district", "lessons_completed", "lessons_total",
    "last_activity", "latest_quiz_percent", "pre_percent", "post_percent",
    "knowledge_gain", "sessions_attended", "sessions_held", "cpd_hours",
)  # fmt: skip


def progress_export_rows(cohort: Cohort) -> Iterator[tuple]:
    """The CSV export's rows, header first, produced batch by batch.

    Only the learners' ids and names are held for the whole cohort; progress
    is read :data:`EXPORT_BATCH` learners at a time, so a cohort of 10,000
    costs 20 batches of a constant number of queries and the response can be
    streamed while it is read.
    """
    yield PROGRESS_CSV_HEADER
    people = list(
        cohort_learners(cohort).values_list(
            "user_id", "user__display_name", "user__cadre", "user__district"
        )
    )
    for start in range(0, len(people), EXPORT_BATCH):
        batch = people[start : start + EXPORT_BATCH]
        rows = learner_progress_for_cohort(
            cohort=cohort, user_ids=[uid for uid, *_ in batch]
        )
        for uid, name, cadre, district in batch:
            p = rows[uid]
            yield (
                name, cadre, district, p.lessons_completed, p.lessons_total,
                p.last_activity.isoformat() if p.last_activity else "",
                p.latest_quiz_percent, p.pre_percent, p.post_percent,
                p.knowledge_gain, p.sessions_attended, p.sessions_held,
                p.credits_earned,
            )  # fmt: skip


@dataclass(frozen=True)
class CohortGain:
    """Mean knowledge gain over learners with both a pre- and a post-test."""

    mean_gain: float | None
    with_both: int
    pre_only: int
    post_only: int
    # Mean of each learner's normalised gain (post - pre) / (100 - pre), over
    # learners whose pre-test left room to gain (pre < 100).
    mean_normalised_gain: float | None = None
    # 95% interval of the mean paired difference (t distribution; n >= 2).
    interval: tuple[float, float] | None = None


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
