"""Daily reminders for learners: a face-to-face session tomorrow, a module that
opened today. Beat runs them; each person hears of each event once (the
notification's dedupe key), so a rerun, or two runs a day, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from courses.models import CourseAssignment, Module, Session
from cpd.models import Membership, Role
from cpd.notifications.services import notify_many

KIND_SESSION = "courses.session_tomorrow"
KIND_MODULE = "courses.module_opened"


def sessions_tomorrow(*, now: dt.datetime | None = None) -> int:
    """Remind each cohort's learners of the sessions starting in 12 to 36 hours."""
    now = now or timezone.now()
    sessions = Session.objects.filter(
        starts_at__gte=now + dt.timedelta(hours=12),
        starts_at__lt=now + dt.timedelta(hours=36),
    ).select_related("cohort")
    count = 0
    for session in sessions:
        learners = Membership.objects.filter(
            cohort=session.cohort_id, role=Role.LEARNER
        ).values_list("user_id", flat=True)
        when = timezone.localtime(session.starts_at).strftime("%d %b %H:%M")
        notify_many(
            user_ids=list(learners),
            kind=KIND_SESSION,
            message=gettext_noop("Tomorrow: %(title)s at %(place)s, %(when)s"),
            params={"title": session.title, "place": session.place, "when": when},
            url=reverse("courses-session", args=[session.pk]),
            dedupe_prefix=f"session:{session.pk}",
            cohort=session.cohort_id,
        )
        count += 1
    return count


def modules_opened(*, today: dt.date | None = None) -> int:
    """Tell each cohort's learners of the modules that opened for them today."""
    today = today or timezone.localdate()
    assignments = CourseAssignment.objects.annotate(
        start=Coalesce("opens_on", "cohort__starts_on")
    ).select_related("course")
    count = 0
    for assignment in assignments:
        opened = Module.objects.filter(
            course=assignment.course_id, opens_after_days__gt=0
        ).filter(opens_after_days=today.toordinal() - assignment.start.toordinal())
        for module in opened:
            learners = Membership.objects.filter(
                cohort=assignment.cohort_id, role=Role.LEARNER
            ).values_list("user_id", flat=True)
            notify_many(
                user_ids=list(learners),
                kind=KIND_MODULE,
                message=gettext_noop("New in %(course)s: %(module)s is open"),
                params={"course": assignment.course.title, "module": module.title},
                url=reverse("courses-course", args=[assignment.course_id]),
                dedupe_prefix=f"module:{module.pk}:{assignment.cohort_id}",
                cohort=assignment.cohort_id,
            )
            count += 1
    return count
