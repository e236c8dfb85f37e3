"""Payload builders for mentoring events sent to a user's notification socket."""

from __future__ import annotations

from typing import Any

from cpd.events import NOTIFY
from mentoring.models import CheckIn, Message


def message_created(message: Message) -> dict[str, Any]:
    """Tell a participant a new private message arrived (no body: it stays private)."""
    return {
        "type": NOTIFY,
        "kind": "mentoring.message",
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
        "author": str(message.author) if message.author else "",
    }


def checkin_reminder(checkin: CheckIn) -> dict[str, Any]:
    """Remind a participant of a check-in that is due soon."""
    return {
        "type": NOTIFY,
        "kind": "mentoring.checkin_reminder",
        "checkin_id": checkin.pk,
        "conversation_id": checkin.conversation_id,
        "scheduled_for": checkin.scheduled_for.isoformat(),
        "mode": checkin.mode,
    }
