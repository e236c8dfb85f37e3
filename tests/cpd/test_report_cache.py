"""The cohort report's kept parts (cpd.report_cache): counted once, then kept;
forgotten at once when who or what the report covers changes; never keeping
demographics (a consent withdrawn counts at once)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import reports, services
from cpd.models import Role, User, Verb
from cpd.record import record
from cpd.report_cache import report_cache_forget, report_cached
from tests.conftest import client_as
from tests.factories.cpd import UserFactory


@pytest.fixture(autouse=True)
def kept(settings):
    settings.REPORT_CACHE_SECONDS = 120


def _call(calls: list[int]) -> int:
    calls.append(1)
    return len(calls)


def _read(user, seconds=60):
    record(actor=user, verb=Verb.READ, object_type="x", duration_seconds=seconds)


def test_the_record_is_counted_once_then_kept(
    world, django_capture_on_commit_callbacks
):
    _read(world.learner)
    first = reports.cohort_report(world.cohort)
    _read(world.learner, 600)  # a new statement: shown at the next refresh
    with CaptureQueriesContext(connection) as ctx:
        again = reports.cohort_report(world.cohort)
    # the learners and the gains are read; the record is not
    assert not any("cpd_activity" in q["sql"] for q in ctx.captured_queries)
    assert again.rows[0].minutes == first.rows[0].minutes == 1
    assert again.counted_at == first.counted_at
    with django_capture_on_commit_callbacks(execute=True):
        report_cache_forget([world.cohort.pk])
    assert reports.cohort_report(world.cohort).rows[0].minutes == 11


def test_a_report_for_a_given_moment_is_always_counted(world):
    from django.utils import timezone

    _read(world.learner)
    reports.cohort_report(world.cohort)
    _read(world.learner, 600)
    assert reports.cohort_report(world.cohort, now=timezone.now()).rows[0].minutes == 11


def test_a_new_member_forgets_the_cohorts_parts(
    world, django_capture_on_commit_callbacks
):
    _read(world.learner)
    reports.cohort_report(world.cohort)
    newcomer = UserFactory(display_name="Newcomer")
    _read(newcomer, 300)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(cohort=world.cohort, user=newcomer, role=Role.LEARNER)
    rows = {r.name: r for r in reports.cohort_report(world.cohort).rows}
    assert rows["Newcomer"].minutes == 5  # counted again, not kept


def test_other_cohorts_keep_their_parts(world, django_capture_on_commit_callbacks):
    calls: list[int] = []

    def compute():
        calls.append(1)
        return len(calls)

    assert report_cached(world.other_cohort.pk, "x", compute) == 1
    with django_capture_on_commit_callbacks(execute=True):
        report_cache_forget([world.cohort.pk])
    assert report_cached(world.other_cohort.pk, "x", compute) == 1
    assert len(calls) == 1


def test_a_withdrawn_consent_counts_at_once(world):
    user = UserFactory(display_name="W0")
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    User.objects.filter(pk=user.pk).update(demographics_consent=True, gender="female")
    _read(user)

    def row():
        return next(
            r for r in reports.cohort_report(world.cohort).rows if r.user_id == user.pk
        )

    assert (row().demographics_consent, row().gender) == (True, "female")
    User.objects.filter(pk=user.pk).update(demographics_consent=False)
    with CaptureQueriesContext(connection) as ctx:
        after = row()
    assert not any("cpd_activity" in q["sql"] for q in ctx.captured_queries)
    # the record's part was kept; the person's consent is read live
    assert (after.demographics_consent, after.gender, after.minutes) == (False, "", 1)


def test_the_page_says_when_it_was_counted_and_a_kept_page_costs_fewer_queries(
    client, world
):
    _read(world.learner)
    client_as(client, world.org_admin)
    url = reverse("cohort-report", args=[world.cohort.pk])
    with CaptureQueriesContext(connection) as cold:
        page = client.get(url)
    assert "the figures refresh every 2 minutes" in page.content.decode()
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm.captured_queries) < len(cold.captured_queries)
    # kept: the record, the test scores, mentor contact, the forum's replies
    # and the engagement ranks; read live: who the learners are (consent)
    read = " ".join(q["sql"] for q in warm.captured_queries)
    for table in (
        "cpd_activity",
        "courses_attempt",
        "mentoring_message",
        "forums_post",
    ):
        assert f'"{table}"' in " ".join(q["sql"] for q in cold.captured_queries)
        assert f'"{table}"' not in read, table
    assert '"cpd_membership"' in read


def test_course_changes_forget_the_cohorts_parts(
    world, django_capture_on_commit_callbacks
):
    from courses.services.assignments import cohort_courses_set
    from tests.factories.courses import CourseFactory

    calls: list[int] = []
    report_cached(world.cohort.pk, "x", lambda: _call(calls))
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        cohort_courses_set(
            actor=world.org_admin, cohort=world.cohort, course_ids=[course.pk]
        )
    report_cached(world.cohort.pk, "x", lambda: _call(calls))
    assert len(calls) == 2


def test_an_erasure_forgets_the_persons_cohorts(
    world, django_capture_on_commit_callbacks
):
    from cpd.privacy import services as privacy

    calls: list[int] = []
    report_cached(world.cohort.pk, "x", lambda: _call(calls))
    eraser = privacy._erase_people_part
    with django_capture_on_commit_callbacks(execute=True):
        eraser(world.learner)
    report_cached(world.cohort.pk, "x", lambda: _call(calls))
    assert len(calls) == 2
