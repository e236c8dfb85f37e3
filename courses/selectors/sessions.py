"""Session reads: visible sessions, attendance, a cohort's modules and facilitators."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.models import Attendance, Module, Session
from courses.policies import sessions_open_to_check_in
from cpd.models import Cohort, Membership, Role, User
from cpd.policies import AnyUser, cohorts_visible_to


def session_get_for_user(user: AnyUser, session_id: int) -> Session:
    """A face-to-face session of a cohort the user can see, or Http404."""
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


def cohort_modules(cohort: Cohort) -> QuerySet[Module]:
    """Modules of the courses a cohort takes (to link a session to)."""
    return (
        Module.objects.filter(course__assignments__cohort=cohort)
        .select_related("course")
        .order_by("course__title", "order", "pk")
    )


def cohort_facilitators(cohort: Cohort) -> QuerySet:
    """The cohort's mentors and its organisation's administrators."""
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


def sessions_for_check_in(
    user: AnyUser, *, starts_before: dt.datetime, ends_after: dt.datetime
) -> list[Session]:
    """Sessions the user may check in to that overlap the given span (one query)."""
    return list(
        Session.objects.filter(
            sessions_open_to_check_in(user),
            starts_at__lte=starts_before,
            ends_at__gte=ends_after,
        )
        .select_related("cohort", "module")
        .order_by("-starts_at")[:20]
    )


def session_checked_in(session: Session) -> list[Attendance]:
    """Who is marked present at the session, earliest first, with their names."""
    return list(session.attendance.select_related("user").order_by("marked_at", "pk"))


def session_learner_count(session: Session) -> int:
    """How many learners the session's cohort has (the register's length)."""
    return Membership.objects.filter(
        cohort_id=session.cohort_id, role=Role.LEARNER
    ).count()
