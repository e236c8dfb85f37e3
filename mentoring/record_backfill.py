"""Learning-record statements for mentoring history (see cpd.record).

Each statement carries its live statement's client_key, so a rerun, or a
backfill after live recording, adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cpd.models import Verb
from mentoring.models import ConversationMember, Message


def messages() -> Iterator[dict[str, Any]]:
    rows = (
        Message.objects.filter(author__isnull=False)
        .values(
            "pk",
            "author_id",
            "conversation_id",
            "conversation__cohort_id",
            "created_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        yield {
            "client_key": f"message:{row['pk']}",
            "actor_id": row["author_id"],
            "verb": Verb.MENTOR_MESSAGE,
            "object_type": "conversation",
            "object_id": row["conversation_id"],
            "cohort_id": row["conversation__cohort_id"],
            "timestamp": row["created_at"],
        }


def checkins() -> Iterator[dict[str, Any]]:
    rows = (
        ConversationMember.objects.filter(conversation__checkins__done_at__isnull=False)
        .values(
            "user_id",
            "conversation__cohort_id",
            "conversation__checkins__pk",
            "conversation__checkins__done_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        checkin_id = row["conversation__checkins__pk"]
        yield {
            "client_key": f"checkin:{checkin_id}",
            "actor_id": row["user_id"],
            "verb": Verb.CHECKED_IN,
            "object_type": "checkin",
            "object_id": checkin_id,
            "cohort_id": row["conversation__cohort_id"],
            "timestamp": row["conversation__checkins__done_at"],
        }
