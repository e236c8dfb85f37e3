"""Reads for courses, progress, quizzes and knowledge gain (policy-scoped)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses import markdown_io
from courses.models import (
    Attempt,
    Attendance,
    Certificate,
    Course,
    CourseAssignment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizKind,
    Session,
)
from courses.policies import (
    attempts_visible_to,
    certificates_visible_to,
    courses_visible_to,
)
from cpd.models import Cohort, Membership, Role
from cpd.policies import AnyUser


def course_list_for_user(user: AnyUser) -> QuerySet[Course]:
    """Courses the user may see, with lesson counts and the user's completions."""
    uid = user.pk if user.is_authenticated else 0
    done = LessonProgress.objects.filter(
        user_id=uid, completed_at__isnull=False
    ).values("lesson_id")
    return (
        Course.objects.filter(courses_visible_to(user))
        .annotate(
            lesson_count=Count("modules__lessons", distinct=True),
            done_count=Count(
                "modules__lessons",
                filter=Q(modules__lessons__in=done),
                distinct=True,
            ),
        )
        .order_by("title")
    )


def course_get_for_user(user: AnyUser, course_id: int) -> Course:
    """One visible course with its modules, lessons and quizzes, or Http404."""
    course = (
        course_list_for_user(user)
        .prefetch_related(
            Prefetch("modules", queryset=Module.objects.prefetch_related("lessons")),
            "quizzes",
        )
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404("No such course.")
    return course


def lesson_get_for_user(user: AnyUser, lesson_id: int) -> Lesson:
    """One lesson of a visible course, or Http404."""
    lesson = (
        Lesson.objects.filter(
            module__course__in=Course.objects.filter(courses_visible_to(user))
        )
        .select_related("module__course")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def cohorts_taking(user: AnyUser, course: Course) -> list[Cohort]:
    """The user's cohorts that take this course."""
    from cpd.policies import cohorts_visible_to

    return list(
        Cohort.objects.filter(
            cohorts_visible_to(user),
            pk__in=CourseAssignment.objects.filter(course=course).values("cohort_id"),
        ).order_by("name")
    )


def course_lessons(course: Course) -> list[Lesson]:
    """Lessons of a course in reading order."""
    return list(Lesson.objects.filter(module__course=course).select_related("module"))


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


def quiz_get_for_user(user: AnyUser, quiz_id: int) -> Quiz:
    quiz = (
        Quiz.objects.filter(course__in=Course.objects.filter(courses_visible_to(user)))
        .select_related("course")
        .filter(pk=quiz_id)
        .first()
    )
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz


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


# --- Progress for mentors, administrators and the mentoring dashboard ---------------


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


def session_get_for_user(user: AnyUser, session_id: int) -> Session:
    """A face-to-face session of a cohort the user can see, or Http404."""
    from cpd.policies import cohorts_visible_to

    session = (
        Session.objects.filter(
            cohort__in=Cohort.objects.filter(cohorts_visible_to(user))
        )
        .select_related("cohort", "module", "facilitator")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def upcoming_sessions_for(user: AnyUser) -> list[Session]:
    """Sessions not yet over in the user's cohorts, soonest first."""
    from cpd.policies import cohorts_visible_to

    return list(
        Session.objects.filter(
            cohort__in=Cohort.objects.filter(cohorts_visible_to(user)),
            ends_at__gte=timezone.now(),
        )
        .select_related("cohort")
        .order_by("starts_at")[:10]
    )


def attended_user_ids(session: Session) -> set[int]:
    """Who attended the session."""
    return set(session.attendance.values_list("user_id", flat=True))


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


def cohort_modules(cohort: Cohort) -> QuerySet[Module]:
    """Modules of the courses a cohort takes (to link a session to)."""
    return (
        Module.objects.filter(course__assignments__cohort=cohort)
        .select_related("course")
        .order_by("course__title", "order", "pk")
    )


def cohort_facilitators(cohort: Cohort) -> QuerySet:
    """The cohort's mentors and its organisation's administrators."""
    from cpd.models import User

    return (
        User.objects.filter(
            Q(
                memberships__cohort=cohort,
                memberships__role__in=[Role.MENTOR, Role.ADMIN],
            )
            | Q(administered_organisations=cohort.organisation_id)
        )
        .distinct()
        .order_by("display_name")
    )
