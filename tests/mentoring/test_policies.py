"""Who sees which mentoring data, for every role."""

from __future__ import annotations

import pytest

from mentoring import policies
from mentoring.models import CheckIn, Conversation, Message, Pairing
from tests.conftest import ROLES

CONVERSATION_A_SEEN_BY = {"learner", "mentor_of_cohort"}
PAIRINGS_A_SEEN_BY = {"learner", "mentor_of_cohort", "org_admin"}
LOAD_A_SEEN_BY = {"org_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_a_private_conversation_is_visible_to_its_participants_only(
    world, paired, role
):
    user = world.user(role)
    conv_a, _conv_b = paired
    visible = Conversation.objects.filter(policies.conversations_visible_to(user))
    assert (conv_a in visible) == (role in CONVERSATION_A_SEEN_BY)
    assert Message.objects.filter(
        conversation__in=visible, body__contains="SECRET question from A"
    ).exists() == (role in CONVERSATION_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_pairings_are_visible_to_the_pair_and_the_cohort_admins(world, paired, role):
    user = world.user(role)
    visible = Pairing.objects.filter(policies.pairings_visible_to(user))
    pair_a = Pairing.objects.get(cohort=world.cohort)
    assert (pair_a in visible) == (role in PAIRINGS_A_SEEN_BY)
    assert policies.can_view_pairing(user, pair_a) == (role in PAIRINGS_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_mentor_load_is_for_cohort_admins(world, role):
    allowed = policies.can_view_mentor_load(world.user(role), world.cohort)
    assert allowed == (role in LOAD_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_is_for_the_cohorts_mentors(world, role):
    allowed = policies.can_view_dashboard(world.user(role), world.cohort)
    assert allowed == (role == "mentor_of_cohort")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_mentor_schedules_check_ins(world, paired, role):
    conv_a, _ = paired
    allowed = policies.can_schedule_checkin(world.user(role), conv_a)
    assert allowed == (role == "mentor_of_cohort")


@pytest.mark.parametrize("role", ROLES)
def test_check_ins_are_visible_to_participants_only(world, paired, role):
    conv_a, _ = paired
    checkin = CheckIn.objects.create(
        conversation=conv_a, scheduled_for=conv_a.created_at, mode="call"
    )
    visible = CheckIn.objects.filter(policies.checkins_visible_to(world.user(role)))
    assert (checkin in visible) == (role in CONVERSATION_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_reported_bodies_show_to_cohort_admins_only(world, paired, role):
    conv_a, _ = paired
    message = conv_a.messages.get(body__contains="SECRET")
    visible = Message.objects.filter(
        policies.reported_messages_visible_to(world.user(role))
    )
    assert message not in visible  # not reported yet: nobody outside sees it
    Message.objects.filter(pk=message.pk).update(
        reported_at=message.created_at, reported_by=world.mentor_of_cohort
    )
    visible = Message.objects.filter(
        policies.reported_messages_visible_to(world.user(role))
    )
    assert (message in visible) == (role == "org_admin")
