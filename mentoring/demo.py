"""Demo mentoring: specialties, profiles, pairings, a conversation and a check-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cpd.demo import DemoWorld
from mentoring.demo_report import seed_contact
from mentoring.models import CheckIn, CheckInMode, Message, PairingMode, Specialty
from mentoring.services import checkins, conversations, pairing, profiles

SPECIALTIES = [
    ("Maternal & newborn health", "maternal-newborn", ["midwife", "nurse"]),
    (
        "Emergency obstetric care",
        "emergency-obstetric",
        ["midwife", "clinical_officer", "doctor"],
    ),
    ("Community health", "community-health", ["chw", "nurse"]),
]


def seed(world: DemoWorld, out: Any) -> None:
    """Create or refresh the mentoring demo; safe to run again."""
    specialties = {}
    for name, slug, cadres in SPECIALTIES:
        specialties[slug], _created = Specialty.objects.update_or_create(
            slug=slug, defaults={"name": name, "cadres": cadres}
        )
    admin = world.users["admin"]
    amina, joseph = world.users["amina"], world.users["joseph"]
    profiles.mentor_profile_save(
        actor=amina,
        user=amina,
        specialties=[specialties["maternal-newborn"]],
        languages=["en", "sw"],
        districts=["Kisumu"],
        capacity=4,
        availability="Weekdays after 4 pm; Saturday mornings",
    )
    profiles.mentor_profile_save(
        actor=joseph,
        user=joseph,
        specialties=[
            specialties["emergency-obstetric"],
            specialties["community-health"],
        ],
        languages=["sw", "en"],
        districts=["Siaya"],
        capacity=3,
        availability="Night shifts Mon–Wed; call after 10 am",
    )
    for key, mode in (
        ("maternal", PairingMode.ONE_TO_ONE),
        ("emergency", PairingMode.GROUP),
    ):
        cohort = world.cohorts[key]
        proposal = pairing.pairing_preview(actor=admin, cohort=cohort, mode=mode)
        if proposal.new_pairs:
            pairing.pairing_confirm(
                actor=admin,
                cohort=cohort,
                mode=mode,
                assignments=dict(proposal.new_pairs),
                reason="demo",
            )
    faith = world.users["faith"]
    maternal = world.cohorts["maternal"]
    from mentoring.models import Pairing

    pair = Pairing.objects.filter(cohort=maternal, learner=faith, active=True).first()
    if pair is None:
        out.write("mentoring: Faith is not paired; no demo conversation.")
        return
    conversation = conversations.conversation_for_pairing(pairing=pair)
    if not Message.objects.filter(conversation=conversation).exists():
        conversations.message_send(
            actor=pair.mentor,
            conversation=conversation,
            body="Welcome, Faith! I am your mentor for this cohort. "
            "Tell me which lessons feel hardest.",
        )
        conversations.message_send(
            actor=faith,
            conversation=conversation,
            body="Thank you. The **PPH** module: when do we start the second "
            "uterotonic?",
        )
    if not CheckIn.objects.filter(conversation=conversation).exists():
        checkins.checkin_schedule(
            actor=pair.mentor,
            conversation=conversation,
            scheduled_for=timezone.now() + dt.timedelta(days=3),
            mode=CheckInMode.CALL,
            agreed_actions="Finish the PPH lessons and the post-test before the call.",
        )
    out.write("mentoring: profiles, pairings, a conversation and a check-in ready.\n")
    seed_contact(world, out)
