"""Demo mentor contact for the reports: replies that took hours, not seconds.

Seeding sends every message "now"; the reports' time to first mentor reply needs
a history, so the demo's messages are dated back here. Safe to run again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cpd.demo import DemoWorld
from mentoring.models import Message, Pairing
from mentoring.services import conversations

# (learner, their question, the mentor's answer, hours until the answer); "*" is
# another one-to-one mentee of the cohort (pairing picks whom the capacity holds)
THREADS = [
    (
        "faith",
        None,  # her question is in mentoring.demo
        "Give the second uterotonic if bleeding continues 15 minutes after "
        "oxytocin. Let us go through the PPH algorithm at the check-in.",
        3,
    ),
    (
        "*",
        "How often should I check the fundus after a normal birth?",
        "Every 15 minutes in the first hour, then every 30 minutes in the "
        "second. Note each check on the partograph.",
        7,
    ),
]


def seed_contact(world: DemoWorld, out: Any) -> None:
    """Each demo learner's question answered by their mentor some hours later."""
    cohort = world.cohorts["maternal"]
    start = timezone.now() - dt.timedelta(days=6)
    for day, (key, question, answer, hours) in enumerate(THREADS):
        pairs = Pairing.objects.filter(cohort=cohort, active=True).select_related(
            "learner", "mentor"
        )
        if key == "*":
            pair = (
                pairs.filter(mode="one_to_one")
                .exclude(learner=world.users["faith"])
                .order_by("learner__display_name", "pk")
                .first()
            )
        else:
            pair = pairs.filter(learner=world.users[key]).first()
        if pair is None:
            continue
        learner = pair.learner
        conversation = conversations.conversation_for_pairing(pairing=pair)
        messages = Message.objects.filter(conversation=conversation)
        if messages.filter(body=answer).exists():
            continue
        if question and not messages.filter(author=learner).exists():
            conversations.message_send(
                actor=learner, conversation=conversation, body=question
            )
        conversations.message_send(
            actor=pair.mentor, conversation=conversation, body=answer
        )
        # Date the thread back: the mentor's welcome, the question, the answer.
        asked = start + dt.timedelta(days=2 * day)
        for message in messages.order_by("id"):
            if message.body == answer:
                when = asked + dt.timedelta(hours=hours)
            elif message.author_id == learner.pk:
                when = asked
            else:
                when = asked - dt.timedelta(hours=12)
            messages.filter(pk=message.pk).update(created_at=when)
    out.write("mentoring: demo questions answered, with reply times.\n")
