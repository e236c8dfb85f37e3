"""A learner in two organisations' cohorts: each cohort's reports count the
learner's work on that cohort's courses only (and sign-ins, which belong to no
course), never the other organisation's course."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cpd import reports, services
from cpd.learner_report import selectors as lr
from cpd.models import Activity, Role, Verb
from cpd.record import record
from tests.factories.courses import course_for

NOW = timezone.now()


def test_another_organisations_course_stays_out_of_the_cohort_reports(world):
    mine = course_for(world.cohort)
    theirs = course_for(world.other_cohort)
    learner = world.learner
    services.membership_add(cohort=world.other_cohort, user=learner, role=Role.LEARNER)
    Activity.objects.all().delete()
    yesterday = NOW - dt.timedelta(days=1)
    record(actor=learner, verb=Verb.SIGNED_IN, object_type="site", session_key="s1",
           timestamp=yesterday)  # fmt: skip
    record(actor=learner, verb=Verb.READ, object_type="lesson", course_id=mine.pk,
           duration_seconds=10 * 60, timestamp=yesterday)  # fmt: skip
    record(actor=learner, verb=Verb.READ, object_type="lesson", course_id=theirs.pk,
           duration_seconds=50 * 60, timestamp=yesterday)  # fmt: skip
    record(actor=learner, verb=Verb.COMPLETED, object_type="lesson",
           course_id=theirs.pk, client_key="lesson:9", timestamp=yesterday)  # fmt: skip

    row_a = next(
        r for r in reports.cohort_report(world.cohort).rows if r.user_id == learner.pk
    )
    assert (row_a.minutes, row_a.sessions, row_a.lessons_completed) == (10, 1, 0)
    row_b = next(
        r
        for r in reports.cohort_report(world.other_cohort).rows
        if r.user_id == learner.pk
    )
    assert (row_b.minutes, row_b.sessions, row_b.lessons_completed) == (50, 1, 1)

    assert lr.learner_report(world.cohort, learner).minutes == 10
    assert lr.learner_report(world.other_cohort, learner).minutes == 50
    entries, _more = lr.learner_timeline(world.cohort, learner.pk)
    assert sorted(e.verb for e in entries) == [Verb.READ, Verb.SIGNED_IN]
