"""seed_demo adds mentoring data and can run again without duplicating it."""

from __future__ import annotations

import io

from django.core.management import call_command

from mentoring.models import (
    CheckIn,
    Conversation,
    MentorProfile,
    Message,
    Pairing,
    PairingChange,
)


def _counts():
    return [
        m.objects.count()
        for m in (MentorProfile, Pairing, PairingChange, Conversation, Message, CheckIn)
    ]


def test_seed_demo_pairs_both_cohorts_and_is_idempotent(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    # Amina takes four of the maternal cohort's eleven: her capacity
    assert Pairing.objects.filter(mode="one_to_one").count() == 4
    assert Pairing.objects.filter(mode="group").count() == 2
    assert Message.objects.count() == 5  # and the reports' answered questions
    assert CheckIn.objects.count() == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
