"""Mentor contact in the reports: per learner and per cohort, against hand-computed
values; not enough data; a mentor reads their mentees' reports only; constant
queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import policies, services
from cpd.models import Role, Verb
from cpd.record import record
from mentoring import report
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import (
    CheckInFactory,
    ConversationFactory,
    MessageFactory,
    PairingFactory,
)

T0 = timezone.now() - dt.timedelta(days=5)


def _learner(world, name):
    user = UserFactory(display_name=name)
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    return user


def _msg(conversation, author, hours):
    return MessageFactory(
        conversation=conversation,
        author=author,
        created_at=T0 + dt.timedelta(hours=hours),
    )


@pytest.fixture
def contact(world):
    """A: 2 messages, 2 from the mentor, first reply after 2 h, 1 check-in held.
    B: 1 and 1, reply after 4 h. C: no mentor, nothing. D: paired, 1 message,
    no reply yet. A also writes in another cohort (not counted)."""
    m = world.mentor_of_cohort
    a = world.learner
    b, c, d = (_learner(world, n) for n in ("Learner B3", "Learner C3", "Learner D3"))
    for learner in (a, b, d):
        PairingFactory(cohort=world.cohort, mentor=m, learner=learner)
    conv_a = ConversationFactory(cohort=world.cohort, mentor=m, learner=a)
    _msg(conv_a, m, -10)  # the mentor's welcome comes first: not a reply
    _msg(conv_a, a, 0)
    _msg(conv_a, m, 2)
    _msg(conv_a, a, 3)
    CheckInFactory(conversation=conv_a, done_at=T0)
    CheckInFactory(conversation=conv_a)  # scheduled, not held
    conv_b = ConversationFactory(cohort=world.cohort, mentor=m, learner=b)
    _msg(conv_b, b, 1)
    _msg(conv_b, m, 5)
    conv_d = ConversationFactory(cohort=world.cohort, mentor=m, learner=d)
    _msg(conv_d, d, 1)
    other = ConversationFactory(
        cohort=world.other_cohort, mentor=world.other_mentor, learner=a
    )
    _msg(other, a, 0)
    return a, b, c, d


def test_per_learner_figures_match_hand_computed_values(world, contact):
    a, b, c, d = contact
    rows = report.mentor_contact_rows(world.cohort)
    assert (rows[a.pk].from_learner, rows[a.pk].from_mentor) == (2, 2)
    assert rows[a.pk].checkins == 1
    assert rows[a.pk].reply_hours == 2.0
    assert rows[b.pk].reply_hours == 4.0
    assert rows[c.pk].has_mentor is False
    assert (rows[c.pk].messages, rows[c.pk].reply_hours) == (0, None)
    assert rows[d.pk].awaiting_reply
    assert rows[d.pk].reply_hours is None


def test_cohort_figures_match_hand_computed_values(world, contact):
    summary = report.cohort_mentor_contact(world.cohort)
    assert summary.learners == 4
    assert summary.with_mentor == 3
    assert summary.with_mentor_share == 75.0
    assert summary.median_messages == 1.5  # 4, 2, 0, 1
    assert summary.median_checkins == 0  # 1, 0, 0, 0
    # 2 h and 4 h: two replies are not enough for a median (five are)
    assert summary.median_reply_hours is None
    assert summary.replied == 2
    assert summary.awaiting_reply == 1


def _answered(world, hours):
    """One more paired learner, answered ``hours`` after their first message."""
    learner = _learner(world, f"Answered {hours}")
    m = world.mentor_of_cohort
    PairingFactory(cohort=world.cohort, mentor=m, learner=learner)
    conv = ConversationFactory(cohort=world.cohort, mentor=m, learner=learner)
    _msg(conv, learner, 0)
    _msg(conv, m, hours)


def test_five_answered_learners_give_the_median_reply_time(world, contact):
    for hours in (1, 6, 8):
        _answered(world, hours)
    summary = report.cohort_mentor_contact(world.cohort)
    assert summary.replied == 5
    assert summary.median_reply_hours == 4.0  # 1, 2, 4, 6, 8 h


def test_one_answered_learner_is_not_enough_for_a_median(world, contact):
    a, b, _c, _d = contact
    from mentoring.models import Message

    Message.objects.filter(conversation__learner=b).delete()
    summary = report.cohort_mentor_contact(world.cohort)
    assert summary.replied == 1
    assert summary.median_reply_hours is None


def test_the_cohort_report_shows_mentor_contact(client, world, contact):
    # the cohort report's panels show once someone has used the platform
    record(actor=world.learner, verb=Verb.READ, object_type="x", duration_seconds=60)
    client_as(client, world.org_admin)
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    assert "75.0% of learners have a mentor (3 of 4)" in body
    assert "it needs 5 answered learners" in body  # two replies: not enough
    for hours in (1, 6, 8):
        _answered(world, hours)
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    assert "Median time to first mentor reply: 4 h (n = 5)" in body
    assert "1 learner is still waiting for a first reply" in body


def test_a_learners_mentor_contact_costs_one_query(world, contact):
    a, _b, c, _d = contact
    with CaptureQueriesContext(connection) as ctx:
        part = report.learner_mentor_contact(world.cohort, a.pk)
    assert len(ctx.captured_queries) == 1
    assert part["mentors"] == ["Mentor A"]
    assert report.learner_mentor_contact(world.cohort, c.pk)["mentors"] == []


def test_the_learner_report_shows_their_mentor_contact(client, world, contact):
    client_as(client, world.mentor_of_cohort)
    url = reverse("api-learner-report", args=[world.cohort.pk, world.learner.pk])
    part = client.get(url).json()["parts"]["mentor_contact"]
    assert part["mentors"] == ["Mentor A"]
    assert (part["messages_from_learner"], part["messages_from_mentor"]) == (2, 2)
    assert (part["checkins"], part["first_reply_hours"]) == (1, 2.0)
    page = client.get(
        reverse("learner-report", args=[world.cohort.pk, world.learner.pk])
    ).content.decode()
    assert "2.0 h" in page


def test_a_learner_without_a_mentor_sees_not_enough_data(client, world, contact):
    c = contact[2]
    client_as(client, c)
    page = client.get(reverse("learner-report", args=[world.cohort.pk, c.pk]))
    assert "no mentor and no mentor contact in this cohort" in page.content.decode()


def test_the_mentee_rule(world, contact):
    a, _b, c, _d = contact
    m = world.mentor_of_cohort
    assert report.is_mentor_of(m, world.cohort, a.pk)
    assert not report.is_mentor_of(m, world.cohort, c.pk)
    assert not report.is_mentor_of(world.other_mentor, world.cohort, a.pk)
    assert policies.is_mentor_of(m, world.cohort, a.pk)
    # a pairing in the cohort does not make an administrator "the mentor"
    PairingFactory(cohort=world.cohort, mentor=world.org_admin, learner=c)
    assert report.is_mentor_of(world.org_admin, world.cohort, c.pk)
    assert not policies.is_mentor_of(world.org_admin, world.cohort, c.pk)


def test_cohort_contact_costs_one_query_whatever_the_size(world, contact):
    with CaptureQueriesContext(connection) as small:
        report.cohort_mentor_contact(world.cohort)
    for n in range(12):
        learner = _learner(world, f"More {n}")
        PairingFactory(
            cohort=world.cohort, mentor=world.mentor_of_cohort, learner=learner
        )
        conv = ConversationFactory(
            cohort=world.cohort, mentor=world.mentor_of_cohort, learner=learner
        )
        _msg(conv, learner, n)
        _msg(conv, world.mentor_of_cohort, n + 1)
    with CaptureQueriesContext(connection) as large:
        summary = report.cohort_mentor_contact(world.cohort)
    assert len(small.captured_queries) == len(large.captured_queries) == 1
    assert summary.replied == 14


def test_the_demo_has_reply_times_but_too_few_for_a_median(db):
    from django.core.management import call_command

    from cpd.models import Cohort

    call_command("seed_demo", stdout=__import__("io").StringIO())
    cohort = Cohort.objects.get(name__icontains="maternal")
    summary = report.cohort_mentor_contact(cohort)
    assert summary.replied >= 2
    # the demo's cohort pairs four learners: fewer than the five replies a
    # median reply time needs, so it says "not enough data"
    assert summary.replied < report.MIN_REPLY_TIMES
    assert summary.median_reply_hours is None


def test_the_cohort_report_api_carries_mentor_contact(client, world, contact):
    client_as(client, world.mentor_of_cohort)
    data = client.get(reverse("api-cohort-report", args=[world.cohort.pk])).json()
    part = data["parts"]["mentor_contact"]
    assert (part["learners"], part["with_mentor"]) == (4, 3)
    assert (part["median_reply_hours"], part["replied"]) == (None, 2)
