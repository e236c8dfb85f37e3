"""Who may see courses, take quizzes and read learners' progress.

Members of a cohort (and its organisation's administrators) see the courses
assigned to it; learners take quizzes and earn certificates; the cohort's
mentors and administrators read its learners' progress. Anyone else: 404.
"""

from __future__ import annotations

from django.db.models import Q

from courses.models import Attempt, Certificate, Course, CourseAssignment, Session
from cpd import policies as cpd_policies
from cpd.models import Cohort, Membership, Role
from cpd.policies import (
    AnyUser,
    can_manage_cohort,
    can_moderate_cohort,
    cohorts_visible_to,
    roles_of,
)


def courses_visible_to(user: AnyUser) -> Q:
    """Courses assigned to a cohort the user can see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    cohorts = Cohort.objects.filter(cohorts_visible_to(user)).values("pk")
    return Q(
        pk__in=CourseAssignment.objects.filter(cohort__in=cohorts).values("course_id")
    )


def can_view_course(user: AnyUser, course: Course) -> bool:
    """Object form of ``courses_visible_to``."""
    return Course.objects.filter(courses_visible_to(user), pk=course.pk).exists()


def can_view_progress(user: AnyUser, cohort: Cohort) -> bool:
    """A cohort's mentors and administrators read its learners' progress."""
    return can_moderate_cohort(user, cohort)


def attempts_visible_to(user: AnyUser) -> Q:
    """Your own attempts only (mentors see scores through progress tables)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(user=user)


def can_view_attempt(user: AnyUser, attempt: Attempt) -> bool:
    return bool(user.is_authenticated) and attempt.user_id == user.pk


def certificates_visible_to(user: AnyUser) -> Q:
    """Your own certificates; anyone may verify one by its code (public page)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(user=user)


def can_view_certificate(user: AnyUser, certificate: Certificate) -> bool:
    return bool(user.is_authenticated) and certificate.user_id == user.pk


def can_take_attendance(user: AnyUser, cohort: Cohort) -> bool:
    """Mentors and administrators of the cohort take attendance."""
    return can_moderate_cohort(user, cohort)


def can_show_check_in_code(user: AnyUser, session: Session) -> bool:
    """The session's facilitators (cohort mentors and administrators) show its code."""
    return can_take_attendance(user, session.cohort)


def sessions_open_to_check_in(user: AnyUser) -> Q:
    """Sessions of the cohorts where the user is a learner (who attendance counts)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(
        cohort__in=Membership.objects.filter(user=user, role=Role.LEARNER).values(
            "cohort_id"
        )
    )


def can_check_in(user: AnyUser, session: Session) -> bool:
    """Only the learners of the session's cohort check themselves in.

    Mentors and administrators run the register; anyone else is not on it.
    """
    return roles_of(user).by_cohort.get(session.cohort_id) == Role.LEARNER


def can_author_courses(user: AnyUser) -> bool:
    """Course content is shared between organisations: staff author it."""
    return bool(user.is_authenticated and user.is_staff)


def archived_cohort_taking(user: AnyUser, course: Course) -> Cohort | None:
    """An archived cohort of the user's taking the course, if all of them are.

    None when one of the user's cohorts that takes the course is open (or the
    user takes it through no cohort): their quizzes stay open to them.
    """
    if not user.is_authenticated:
        return None
    cohorts = list(
        Cohort.objects.filter(
            memberships__user=user, course_assignments__course=course
        ).distinct()
    )
    if not cohorts or any(c.archived_at is None for c in cohorts):
        return None
    return cohorts[0]


# --- Course report and survey --------------------------------------------------------


def _role_in(user: AnyUser, cohort: Cohort) -> str | None:
    """The user's role in the cohort, from ``cohorts_taking``'s annotations if
    the cohort carries them (no query), else from the cached roles."""
    if hasattr(cohort, "viewer_role"):
        if getattr(cohort, "viewer_admins_org", False):
            return Role.ADMIN
        return getattr(cohort, "viewer_role", None)
    return roles_of(user).role_in(cohort)


def _reports_on(user: AnyUser, cohort: Cohort) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    return _role_in(user, cohort) in (Role.ADMIN, Role.MENTOR)


def course_report_cohorts(user: AnyUser, course: Course) -> Q:
    """Cohorts taking the course whose learners' figures the user may read.

    Administrators of the cohort's organisation (or of the cohort) and its
    mentors; a superuser, every cohort. Another organisation's cohorts taking
    the same (shared) course never count in the user's report.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    taking = Q(
        pk__in=CourseAssignment.objects.filter(course=course).values("cohort_id")
    )
    if user.is_superuser:
        return taking
    roles = roles_of(user)
    mine = [
        cid
        for cid, role in roles.by_cohort.items()
        if role in (Role.ADMIN, Role.MENTOR)
    ]
    return taking & (Q(pk__in=mine) | Q(organisation_id__in=roles.admin_org_ids))


def can_view_course_report(user: AnyUser, cohorts: list[Cohort]) -> bool:
    """The course report is open to whoever may read one of its cohorts' part.

    ``cohorts`` are the user's cohorts taking the course (``cohorts_taking``);
    roles are cached, so this costs no query. A learner only: 403; someone who
    cannot see the course at all: 404 (by the course's own lookup).
    """
    return any(_reports_on(user, cohort) for cohort in cohorts)


def can_read_survey_comments(user: AnyUser, cohort: Cohort) -> bool:
    """Free-text survey comments: the cohort's administrators only, never mentors."""
    return can_manage_cohort(user, cohort)


def courses_with_survey_managed_by(user: AnyUser) -> Q:
    """Courses whose survey the user attaches, edits, closes and detaches.

    A survey is part of the course (one per course), and course content is
    shared between organisations: a statement reworded by one organisation's
    administrator would be reworded for every other organisation's learners
    and reports. So the course's authors manage it (``can_author_courses``),
    as they manage its lessons and quizzes, and across every course.
    """
    return Q() if can_author_courses(user) else Q(pk__in=[])


def can_manage_survey(user: AnyUser, course: Course) -> bool:
    """Object form of ``courses_with_survey_managed_by`` (no query)."""
    return can_author_courses(user)


def can_answer_survey(user: AnyUser, course: Course) -> bool:
    """Learners of a cohort taking the course answer its survey (once, at its end)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        role=Role.LEARNER,
        cohort__in=CourseAssignment.objects.filter(course=course).values("cohort_id"),
    ).exists()


def is_learner_in_any(user: AnyUser, cohorts: list[Cohort]) -> bool:
    """Object form of ``can_answer_survey`` over the cohorts already read (no query)."""
    return any(_membership_role(user, c) == Role.LEARNER for c in cohorts)


def _membership_role(user: AnyUser, cohort: Cohort) -> str | None:
    if hasattr(cohort, "viewer_role"):
        return getattr(cohort, "viewer_role", None)
    return roles_of(user).by_cohort.get(cohort.pk)


# --- The cohort report's engagement against gain ---------------------------------


def can_view_engagement_gain(user: AnyUser, cohort: Cohort) -> bool:
    """Rank correlation and banded table: as the cohort report (mentors, admins)."""
    return cpd_policies.can_view_cohort_report(user, cohort)


def can_view_engagement_points(user: AnyUser, cohort: Cohort) -> bool:
    """The scatter's points, one per learner (anonymous): administrators only.

    As the report's per-learner rows: a mentor who knows a mentee's days active
    could pick out their point, so mentors get the aggregates.
    """
    return cpd_policies.can_view_learner_rows(user, cohort)
