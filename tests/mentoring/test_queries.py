"""Query budgets: mentoring pages and API lists cost the same at 1x and 10x data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.models import Role
from mentoring.models import CheckIn, Conversation, PairingMode
from mentoring.services import conversations, pairing
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory


@pytest.fixture(autouse=True)
def _no_message_limit(settings):
    """Mentor A answers every mentee here: far more than the per-minute limit."""
    settings.RATE_LIMITS = {"mentor_message": (10_000, 60)}


def _grow(world, n: int) -> None:
    """Add n mentees for Mentor A, each with messages both ways and a check-in."""
    learners = UserFactory.create_batch(n)
    for u in learners:
        cpd_services.membership_add(cohort=world.cohort, user=u, role=Role.LEARNER)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={u.pk: world.mentor_of_cohort.pk for u in learners},
    )
    for u in learners:
        conv = Conversation.objects.get(cohort=world.cohort, learner=u)
        conversations.message_send(actor=u, conversation=conv, body="question")
        conversations.message_send(
            actor=world.mentor_of_cohort, conversation=conv, body="answer"
        )
        conversations.message_send(actor=u, conversation=conv, body="thanks")
        CheckIn.objects.create(
            conversation=conv,
            scheduled_for=timezone.now() - dt.timedelta(days=1),
            mode="call",
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    ("mentor_of_cohort", "mentoring-dashboard", True),
    ("mentor_of_cohort", "api-mentor-dashboard", True),
    ("mentor_of_cohort", "mentoring-home", False),
    ("mentor_of_cohort", "api-conversations", False),
    ("org_admin", "mentoring-admin", True),
    ("org_admin", "api-mentor-load", True),
    ("org_admin", "api-pairings", True),
]


@pytest.mark.parametrize(("who", "name", "per_cohort"), PAGES)
def test_query_count_is_constant_as_mentees_grow_tenfold(
    client, world, who, name, per_cohort
):
    # given a mentor with 3 mentees
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=100)
    _grow(world, 3)
    url = reverse(name, args=[world.cohort.pk] if per_cohort else [])
    client_as(client, getattr(world, who))
    small = _count(client, url)
    # when mentees grow tenfold
    _grow(world, 27)
    # then the page costs the same number of queries
    assert _count(client, url) == small


def test_conversation_page_query_count_is_constant_as_messages_grow(client, world):
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=100)
    _grow(world, 1)
    conv = Conversation.objects.get(cohort=world.cohort)
    client_as(client, world.mentor_of_cohort)
    url = reverse("mentoring-conversation", args=[conv.pk])
    small = _count(client, url)
    for i in range(30):
        conversations.message_send(
            actor=world.mentor_of_cohort, conversation=conv, body=f"m{i}"
        )
    assert _count(client, url) == small


def test_profile_and_checkin_lists_are_constant_as_rows_grow(client, world):
    from tests.factories.mentoring import SpecialtyFactory

    MentorProfileFactory(user=world.mentor_of_cohort, capacity=100)
    _grow(world, 1)
    conv = Conversation.objects.get(cohort=world.cohort)

    def add_mentors(n: int) -> None:
        for _ in range(n):
            mentor = UserFactory()
            cpd_services.membership_add(
                cohort=world.cohort, user=mentor, role=Role.MENTOR
            )
            profile = MentorProfileFactory(user=mentor)
            profile.specialties.add(SpecialtyFactory(), SpecialtyFactory())
            CheckIn.objects.create(
                conversation=conv, scheduled_for=timezone.now(), mode="call"
            )

    add_mentors(2)
    client_as(client, world.mentor_of_cohort)
    urls = [
        reverse("api-mentor-profiles"),
        reverse("api-conversation-checkins", args=[conv.pk]),
    ]
    small = [_count(client, u) for u in urls]
    add_mentors(20)
    assert [_count(client, u) for u in urls] == small


@pytest.mark.parametrize("mode", [PairingMode.ONE_TO_ONE, PairingMode.GROUP])
def test_saving_pairs_costs_the_same_for_3_and_30_learners(world, mode):
    from mentoring.models import ConversationMember, PairingChange

    mentors = UserFactory.create_batch(3)
    for m in mentors:
        cpd_services.membership_add(cohort=world.cohort, user=m, role=Role.MENTOR)
        MentorProfileFactory(user=m, capacity=40)

    def save(n: int) -> int:
        learners = UserFactory.create_batch(n)
        for u in learners:
            cpd_services.membership_add(cohort=world.cohort, user=u, role=Role.LEARNER)
        pairs = [(u, mentors[i % 3], "bulk") for i, u in enumerate(learners)]
        with CaptureQueriesContext(connection) as ctx:
            made = pairing.pairs_create(
                actor=world.org_admin, cohort=world.cohort, mode=mode, pairs=pairs
            )
        assert len(made) == n
        for u in learners:  # each learner is in exactly one conversation
            assert ConversationMember.objects.filter(user=u).count() == 1
        return len(ctx.captured_queries)

    few = save(3)
    assert few <= 6
    assert save(30) == few
    assert PairingChange.objects.filter(reason="bulk").count() == 33
    # one conversation per pair, or one per mentor's group
    expected = 33 if mode == PairingMode.ONE_TO_ONE else 3
    assert Conversation.objects.filter(cohort=world.cohort).count() == expected
    for m in mentors:  # each mentor is a member of their conversations, once
        mine = Conversation.objects.filter(cohort=world.cohort, mentor=m)
        assert (
            ConversationMember.objects.filter(user=m, conversation__in=mine).count()
            == mine.count()
        )
