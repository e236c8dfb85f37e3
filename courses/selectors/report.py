"""The course report: per lesson, per quiz question, knowledge gain, satisfaction.

Every figure is computed in the database over the learners of the cohorts in
scope (the viewer's cohorts taking the course, or one of them), a constant
number of queries whatever their number:

1. the lessons in course order;
2. the learners in scope (a count);
3. one aggregate row per lesson: reach, completions, and how many of its
   readers also reached the lesson before it;
4. the median reading time per lesson, as the one or two middle rows of a
   window over each lesson's readers (``ROW_NUMBER``/``COUNT`` windows);
5. the course's questions;
6. one aggregate row per question over each learner's first submitted attempt
   of each quiz: n, correct answers and the sums a point-biserial correlation
   needs (never one row per answer in Python);
7. the knowledge gain (``knowledge_gain``, shared with the cohort report);
8. the survey's results (``courses.selectors.survey``, 3–4 queries).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.http import Http404
from django.utils.translation import gettext as _

from courses import policies
from courses.models import (
    Answer,
    Attempt,
    Course,
    Lesson,
    LessonProgress,
    Question,
)
from courses.selectors.catalogue import cohorts_taking, course_list_for_user
from courses.selectors.progress import CohortGain, knowledge_gain
from courses.selectors.survey import SurveyResults, survey_results
from cpd.models import Cohort, Membership, Role
from cpd.policies import AnyUser
from cpd.reports import SMALL_CELL

# The per-question sums, in the order the query returns them.
SUMS = ("sx", "sy", "sxy", "syy")
# Questions most often failed, listed apart.
MOST_FAILED = 5
# A question's difficulty and discrimination need this many answers.
MIN_ANSWERS = SMALL_CELL


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a viewer reads: the cohorts in scope, and for comments."""

    course: Course
    cohorts: list[Cohort]  # every cohort the viewer may report on, by name
    cohort: Cohort | None  # the one chosen with ?cohort=, else None (all)
    comment_cohort_ids: list[int]  # of those in scope, the viewer administers
    # Of all ``cohorts`` (whatever is chosen), those the viewer administers.
    all_comment_cohort_ids: list[int] = field(default_factory=list)

    @property
    def cohort_ids(self) -> list[int]:
        return [self.cohort.pk] if self.cohort else [c.pk for c in self.cohorts]

    @property
    def reads_comments(self) -> bool:
        return bool(self.comment_cohort_ids)


def course_report_scope(
    user: AnyUser, course_id: int, cohort_param: str | None = None
) -> ReportScope:
    """The course and the cohorts whose figures ``user`` may read, or an error.

    Http404 for a course the user cannot see or a ``cohort`` outside their
    scope; PermissionDenied (403) for a learner who sees the course but reports
    on none of its cohorts; ValidationError (400) for a ``cohort`` that is not
    an id.
    """
    course = course_list_for_user(user).filter(pk=course_id).first()
    if course is None:
        raise Http404("No such course.")
    if not policies.can_view_course_report(user, cohorts_taking(user, course)):
        raise PermissionDenied(_("Only the mentors and administrators of its cohorts."))
    cohorts = list(
        Cohort.objects.filter(policies.course_report_cohorts(user, course)).order_by(
            "name", "pk"
        )
    )
    chosen = None
    if cohort_param not in (None, ""):
        raw = str(cohort_param)
        # isdigit() alone admits "²" and other digits int() refuses (a 500).
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            raise ValidationError({"cohort": _("Give a cohort id (a number).")})
        chosen = next((c for c in cohorts if c.pk == int(raw)), None)
        if chosen is None:
            raise Http404("No such cohort for this course.")
    readable = [c.pk for c in cohorts if policies.can_read_survey_comments(user, c)]
    return ReportScope(
        course=course,
        cohorts=cohorts,
        cohort=chosen,
        comment_cohort_ids=[
            cid for cid in readable if chosen is None or cid == chosen.pk
        ],
        all_comment_cohort_ids=readable,
    )


@dataclass
class LessonRow:
    lesson_id: int
    title: str
    module_id: int
    module_title: str
    position: int  # 1-based, in course order
    # None: fewer than SMALL_CELL learners reached it (figures not shown).
    reach: int | None = None
    reach_share: float | None = None  # of the learners in scope, %
    median_seconds: float | None = None
    completed: int | None = None
    completion_share: float | None = None  # of those who reached it, %
    # Of those who reached the previous lesson, % who never reached this one;
    # None for the first lesson or when the previous one is suppressed.
    drop_off: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.reach is None

    @property
    def median_minutes(self) -> float | None:
        return (
            None if self.median_seconds is None else round(self.median_seconds / 60, 1)
        )


@dataclass
class ModuleFunnel:
    module_id: int
    title: str
    lessons: list[LessonRow]
    # SVG bars: one per lesson, width in % of the learners in scope.
    bars: list[dict[str, Any]] = field(default_factory=list)
    height: int = 0


@dataclass
class QuestionRow:
    question_id: int
    quiz_title: str
    quiz_kind: str
    text: str
    n: int = 0
    correct: int = 0
    # Share of first attempts answered fully right, %; None under MIN_ANSWERS.
    difficulty: float | None = None
    # Point-biserial correlation of "answered right" with the rest of the
    # attempt's score; None under MIN_ANSWERS or without spread.
    discrimination: float | None = None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_ANSWERS

    @property
    def failed_share(self) -> float | None:
        return None if self.difficulty is None else round(100 - self.difficulty, 1)


@dataclass
class CourseReport:
    scope: ReportScope
    learners: int
    lessons: list[LessonRow]
    modules: list[ModuleFunnel]
    questions: list[QuestionRow]
    most_failed: list[QuestionRow]
    gain: CohortGain
    survey: SurveyResults | None

    @property
    def course(self) -> Course:
        return self.scope.course

    @property
    def enough_data(self) -> bool:
        """Anyone in scope opened a lesson (a report of zeros says nothing)."""
        return any(row.reach for row in self.lessons) or any(
            row.n for row in self.questions
        )


class Median(Aggregate):
    """PostgreSQL's median (``percentile_cont(0.5)``, interpolating two middles)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _float(value: Any) -> float:
    return float(value or 0)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _learners(scope: ReportScope) -> QuerySet:
    return Membership.objects.filter(
        cohort_id__in=scope.cohort_ids, role=Role.LEARNER
    ).values("user_id")


def _lesson_rows(scope: ReportScope, learner_count: int) -> list[LessonRow]:
    lessons = list(
        Lesson.objects.filter(module__course=scope.course)
        .select_related("module")
        .only("pk", "title", "module__id", "module__title")
    )
    if not lessons:
        return []
    rows = [
        LessonRow(
            lesson_id=lesson.pk,
            title=lesson.title,
            module_id=lesson.module.pk,
            module_title=lesson.module.title,
            position=i + 1,
        )
        for i, lesson in enumerate(lessons)
    ]
    previous = {lessons[i].pk: lessons[i - 1].pk for i in range(1, len(lessons))}
    progress = LessonProgress.objects.filter(
        lesson__module__course=scope.course, user_id__in=_learners(scope)
    )
    # Each row's previous lesson in course order, so one EXISTS per row says
    # whether its reader also reached that one (the funnel's step).
    previous_of = (
        Case(
            *[When(lesson_id=lid, then=Value(pid)) for lid, pid in previous.items()],
            default=Value(None),
            output_field=IntegerField(),
        )
        if previous
        else Value(None, output_field=IntegerField())
    )
    postgres = connections[progress.db].vendor == "postgresql"
    medians = {"median": Median("seconds_spent")} if postgres else {}
    per_lesson: dict[int, dict[str, Any]] = {
        row["lesson_id"]: dict(row)
        for row in progress.annotate(
            previous_lesson=previous_of,
            had_previous=Exists(
                LessonProgress.objects.filter(
                    user_id=OuterRef("user_id"), lesson_id=OuterRef("previous_lesson")
                )
            ),
        )
        .values("lesson_id")
        .annotate(
            reach=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            continued=Count("pk", filter=Q(had_previous=True)),
            **medians,
        )
        .order_by()
    }
    window_medians = {} if postgres else _window_medians(progress)
    reach_of: dict[int, int] = {}
    for i, row in enumerate(rows):
        agg = per_lesson.get(row.lesson_id)
        reach = agg["reach"] if agg else 0
        reach_of[row.lesson_id] = reach
        if reach < SMALL_CELL:
            continue  # suppressed: fewer than five readers
        row.reach = reach
        row.reach_share = _share(reach, learner_count)
        row.completed = agg["completed"] if agg else 0
        row.completion_share = _share(row.completed, reach)
        row.median_seconds = (
            (agg or {}).get("median") if postgres else window_medians.get(row.lesson_id)
        )
        # Both this lesson and the one before have five readers or more (a
        # drop-off to a suppressed lesson would give its reach away).
        if i and reach_of[rows[i - 1].lesson_id] >= SMALL_CELL:
            before = reach_of[rows[i - 1].lesson_id]
            continued = agg["continued"] if agg else 0
            row.drop_off = _share(before - continued, before)
    return rows


def _window_medians(progress: QuerySet) -> dict[int, float]:
    """Each lesson's median reading time without ``percentile_cont`` (SQLite).

    The middle row (odd count) or two (even) of each lesson's readers ordered
    by time, found by a window in the database: at most two rows per lesson
    come back.
    """
    middle: dict[int, list[int]] = {}
    for lesson_id, seconds in (
        progress.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("lesson_id")],
                order_by=[F("seconds_spent").asc(), F("pk").asc()],
            ),
            readers=Window(Count("pk"), partition_by=[F("lesson_id")]),
        )
        .filter(rank__gte=(F("readers") + 1) / 2, rank__lte=(F("readers") + 2) / 2)
        .values_list("lesson_id", "seconds_spent")
    ):
        middle.setdefault(lesson_id, []).append(seconds)
    return {lesson_id: sum(v) / len(v) for lesson_id, v in middle.items()}


def _funnels(rows: list[LessonRow]) -> list[ModuleFunnel]:
    modules: list[ModuleFunnel] = []
    for row in rows:
        if not modules or modules[-1].module_id != row.module_id:
            modules.append(ModuleFunnel(row.module_id, row.module_title, []))
        modules[-1].lessons.append(row)
    for module in modules:
        for i, row in enumerate(module.lessons):
            width = row.reach_share or 0.0
            module.bars.append(
                {
                    "y": 14 * i + 1,
                    "width": round(width, 1),
                    "label_y": 14 * i + 11,
                    "row": row,
                }
            )
        module.height = 14 * len(module.lessons) + 2
    return modules


def _question_rows(scope: ReportScope) -> list[QuestionRow]:
    questions = list(
        Question.objects.filter(quiz__course=scope.course)
        .select_related("quiz")
        .order_by("quiz__kind", "quiz_id", "order", "pk")
        .only("pk", "text", "quiz__title", "quiz__kind")
    )
    if not questions:
        return []
    # Each learner's first submitted, unexpired attempt at each quiz: retakes
    # after the feedback would make every question look easy.
    first_attempts = (
        Attempt.objects.filter(
            quiz__course=scope.course,
            user_id__in=_learners(scope),
            submitted_at__isnull=False,
            expired=False,
        )
        .values("user_id", "quiz_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    # One row per answer inside the database only: whether it is right, and
    # the rest of its attempt's score (the attempt's total, a window over its
    # answers, minus this one). The ORM cannot aggregate over a window, so the
    # sums per question are taken by an outer query around the ORM's SQL.
    credit = Cast("credit", FloatField())
    per_answer = (
        Answer.objects.filter(attempt_id__in=first_attempts)
        .annotate(
            qid=F("question_id"),
            x=Case(
                When(credit__gte=1, then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            ),
            rest=Window(Sum(credit), partition_by=[F("attempt_id")]) - credit,
        )
        .order_by()
        .values("qid", "x", "rest")
    )
    sql, params = per_answer.query.sql_with_params()
    with connections[per_answer.db].cursor() as cursor:
        cursor.execute(
            "SELECT qid, COUNT(*), SUM(x), SUM(rest), SUM(x * rest), "  # noqa: S608
            f"SUM(rest * rest) FROM ({sql}) AS per_answer GROUP BY qid",
            params,
        )
        # (PostgreSQL sums the 0/1 literals as numeric: all made floats.)
        per_question = {
            qid: {"n": n, **dict(zip(SUMS, map(_float, sums), strict=True))}
            for qid, n, *sums in cursor.fetchall()
        }
    rows = []
    for q in questions:
        row = QuestionRow(
            question_id=q.pk,
            quiz_title=q.quiz.title,
            quiz_kind=q.quiz.kind,
            text=q.text,
        )
        agg = per_question.get(q.pk)
        if agg:
            row.n = agg["n"]
            row.correct = round(agg["sx"] or 0)
            if row.n >= MIN_ANSWERS:
                row.difficulty = _share(row.correct, row.n)
                row.discrimination = point_biserial(
                    n=row.n,
                    sx=agg["sx"] or 0.0,
                    sy=agg["sy"] or 0.0,
                    sxy=agg["sxy"] or 0.0,
                    syy=agg["syy"] or 0.0,
                )
        rows.append(row)
    return rows


def point_biserial(
    *, n: int, sx: float, sy: float, sxy: float, syy: float
) -> float | None:
    """Pearson's r of a 0/1 item x with a score y, from the sums of x, y, xy, y².

    For a 0/1 item, the sum of x² is the sum of x. None when either has no
    spread (everyone right, or every rest score equal).
    """
    spread_x = n * sx - sx * sx
    spread_y = n * syy - sy * sy
    if spread_x <= 1e-9 or spread_y <= 1e-9:
        return None
    return round((n * sxy - sx * sy) / math.sqrt(spread_x * spread_y), 2)


def course_report(scope: ReportScope) -> CourseReport:
    """The course's report over the learners of the cohorts in scope."""
    learner_count = _learners(scope).distinct().count()
    lessons = _lesson_rows(scope, learner_count)
    questions = _question_rows(scope)
    failed = sorted(
        (q for q in questions if q.enough and q.correct < q.n),
        key=lambda q: (q.difficulty or 0, -q.n, q.question_id),
    )[:MOST_FAILED]
    return CourseReport(
        scope=scope,
        learners=learner_count,
        lessons=lessons,
        modules=_funnels(lessons),
        questions=questions,
        most_failed=failed,
        gain=knowledge_gain(
            learners=_learners(scope),
            courses=Course.objects.filter(pk=scope.course.pk).values("pk"),
        ),
        survey=survey_results(
            course=scope.course,
            cohort_ids=scope.cohort_ids,
            comment_cohort_ids=scope.comment_cohort_ids,
            scope_cohort_ids=[c.pk for c in scope.cohorts],
            scope_comment_cohort_ids=scope.all_comment_cohort_ids,
        ),
    )
