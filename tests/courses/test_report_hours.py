"""CPD hours in the reports and the courses' part of the learner report, against
hand-computed values, with revoked and other courses' certificates left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import learner_report, report_hours
from courses.models import Attempt, Certificate
from cpd import services
from cpd.models import Role, Verb
from cpd.record import record
from tests.conftest import client_as
from tests.factories.courses import CourseFactory, QuizFactory, course_for
from tests.factories.cpd import UserFactory


def _learner(world, name):
    user = UserFactory(display_name=name)
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    return user


def _certificate(user, course, hours, revoked=False):
    return Certificate.objects.create(
        user=user,
        course=course,
        hours=Decimal(hours),
        revoked_at=timezone.now() if revoked else None,
    )


@pytest.fixture
def hours(world):
    """A: 4 + 2.5 h; B: 4 h; C: a revoked certificate only. Course 3 is not the
    cohort's (A's certificate for it does not count)."""
    one = course_for(world.cohort, cpd_hours=Decimal("4"), title="Course One")
    two = course_for(world.cohort, cpd_hours=Decimal("2.5"), title="Course Two")
    three = CourseFactory(cpd_hours=Decimal("9"))
    a = world.learner
    b, c = _learner(world, "Learner B4"), _learner(world, "Learner C4")
    _certificate(a, one, "4")
    _certificate(a, two, "2.5")
    _certificate(a, three, "9")
    _certificate(b, one, "4")
    _certificate(c, two, "2.5", revoked=True)
    _certificate(world.other_learner, one, "4")  # not a learner of this cohort
    return one, two, (a, b, c)


def test_cohort_hours_match_hand_computed_values(world, hours):
    summary = report_hours.cohort_hours(world.cohort)
    assert summary.learners == 3
    assert summary.certificates == 3
    assert summary.learners_certified == 2
    assert summary.total_hours == 10.5
    assert summary.median_hours == 4.0  # 6.5, 4, 0


def test_learner_hours_match_hand_computed_values(world, hours):
    a = hours[2][0]
    part = report_hours.learner_hours(world.cohort, a.pk)
    assert part["hours"] == 6.5
    assert part["hours_available"] == 6.5
    assert sorted(c["course"] for c in part["certificates"]) == [
        "Course One",
        "Course Two",
    ]
    c = hours[2][2]
    assert report_hours.learner_hours(world.cohort, c.pk)["certificates"] == []


def test_learner_hours_cost_one_query_whatever_the_certificates(world, hours):
    one, two, (a, _b, _c) = hours
    with CaptureQueriesContext(connection) as ctx:
        part = report_hours.learner_hours(world.cohort, a.pk)
    assert len(ctx.captured_queries) == 1
    # newest first, each with its own hours
    assert [(c["course"], c["hours"]) for c in part["certificates"]] == [
        ("Course Two", 2.5),
        ("Course One", 4.0),
    ]
    assert part["certificates"][0]["issued_at"] >= part["certificates"][1]["issued_at"]


def test_pages_show_hours_or_say_there_are_none(client, world, hours):
    # the cohort report's panels show once someone has used the platform
    record(actor=world.learner, verb=Verb.READ, object_type="x", duration_seconds=60)
    client_as(client, world.org_admin)
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    assert "3 certificates issued: 10.5 h of CPD in all" in body
    assert "Median per learner: 4 h (n = 3)" in body
    c = hours[2][2]
    page = client.get(reverse("learner-report", args=[world.cohort.pk, c.pk]))
    assert "No certificate yet: no CPD hours awarded" in page.content.decode()


def test_a_cohort_without_certificates_says_not_enough_data(client, world):
    client_as(client, world.org_admin)
    record(actor=world.learner, verb=Verb.READ, object_type="x", duration_seconds=60)
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    assert "no certificate has been issued to this cohort" in body


def test_cohort_hours_cost_the_same_for_more_learners(world, hours):
    with CaptureQueriesContext(connection) as small:
        report_hours.cohort_hours(world.cohort)
    for n in range(10):
        _certificate(_learner(world, f"More {n}"), hours[0], "4")
    with CaptureQueriesContext(connection) as large:
        summary = report_hours.cohort_hours(world.cohort)
    assert len(small.captured_queries) == len(large.captured_queries) == 1
    assert summary.certificates == 13


def _attempt(quiz, user, score):
    now = timezone.now()
    return Attempt.objects.create(
        quiz=quiz,
        user=user,
        started_at=now - dt.timedelta(minutes=5),
        submitted_at=now,
        score_percent=Decimal(score),
    )


def test_the_learner_courses_part_has_pre_post_and_gain(world, hours):
    one = hours[0]
    a, b = hours[2][0], hours[2][1]
    _attempt(QuizFactory(course=one, kind="pre"), a, "40")
    post = QuizFactory(course=one, kind="post")
    _attempt(post, a, "70")
    _attempt(post, a, "80")  # the best attempt counts
    _attempt(post, b, "90")  # B: a post-test only
    part = learner_report.learner_courses(world.cohort, a.pk)
    assert (part["pre_percent"], part["post_percent"]) == (40.0, 80.0)
    assert part["gain"] == 40.0
    assert part["normalised_gain"] == 0.67  # 40 / (100 - 40)
    assert part["lessons_total"] == 4
    only_post = learner_report.learner_courses(world.cohort, b.pk)
    assert only_post["gain"] is None


def test_one_test_only_shows_not_enough_data(client, world, hours):
    b = hours[2][1]
    _attempt(QuizFactory(course=hours[0], kind="post"), b, "90")
    client_as(client, b)
    page = client.get(reverse("learner-report", args=[world.cohort.pk, b.pk]))
    assert "not enough data: it needs both a pre-test and a post-test" in (
        page.content.decode()
    )


def test_the_cohort_report_api_carries_hours(client, world, hours):
    client_as(client, world.org_admin)
    data = client.get(reverse("api-cohort-report", args=[world.cohort.pk])).json()
    part = data["parts"]["cpd_hours"]
    assert (part["certificates"], part["total_hours"]) == (3, 10.5)
    assert part["median_hours"] == 4.0
