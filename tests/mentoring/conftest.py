"""Mentoring fixtures: the role matrix with pairs and conversations made by services."""

from __future__ import annotations

import pytest

from mentoring.models import Conversation, Message, PairingMode
from mentoring.services import conversations, pairing
from tests.factories.images import jpeg_with_gps


@pytest.fixture
def paired(world):
    """Learner A paired with Mentor A (cohort A); Learner B with Mentor B (cohort B).

    Returns (conversation A, conversation B), each with one message per side.
    """
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={world.learner.pk: world.mentor_of_cohort.pk},
    )
    pairing.pairing_confirm(
        actor=world.other_org_admin,
        cohort=world.other_cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={world.other_learner.pk: world.other_mentor.pk},
    )
    conv_a = Conversation.objects.get(cohort=world.cohort)
    conv_b = Conversation.objects.get(cohort=world.other_cohort)
    conversations.message_send(
        actor=world.mentor_of_cohort, conversation=conv_a, body="Welcome, A"
    )
    conversations.message_send(
        actor=world.learner, conversation=conv_a, body="SECRET question from A"
    )
    conversations.message_send(
        actor=world.other_learner, conversation=conv_b, body="SECRET from B"
    )
    return conv_a, conv_b


@pytest.fixture
def photo_message(world, paired) -> Message:
    """The mentee sends their mentor a photo in conversation A."""
    conv_a, _ = paired
    return conversations.message_send(
        actor=world.learner,
        conversation=conv_a,
        body="Is this rash measles?",
        photo=jpeg_with_gps(),
        no_identifiers_confirmed=True,
    )
