"""The wire schema of case rooms: group names and event payloads.

The same payloads go to WebSocket clients (minus ``type``) and to the HTTP poll
and API as JSON, so a client handles one shape whichever way it is connected.
"""

from __future__ import annotations

from typing import Any

from forums.rooms.models import Room, RoomMessage

MESSAGE = "room.message"  # handler: CaseRoomConsumer.room_message
STATE = "room.state"  # handler: CaseRoomConsumer.room_state
HIDDEN = "room.hidden"  # handler: CaseRoomConsumer.room_hidden
PRESENCE = "room.presence"  # handler: CaseRoomConsumer.room_presence


def room_group(room_id: int) -> str:
    """Channel-layer group of every socket open on one room."""
    return f"room.{room_id}"


def message_payload(message: RoomMessage) -> dict[str, Any]:
    """A message as clients see it; hidden bodies are withheld."""
    author = message.author
    return {
        "kind": "message",
        "id": message.pk,
        "seq": message.seq,
        "author": str(author) if author else None,
        "author_id": message.author_id,
        "html": "" if message.is_hidden else message.body_html,
        "hidden": message.is_hidden,
        "reply_to": message.reply_to_id,
        "image": message.image_id if not message.is_hidden else None,
        "client_key": message.client_key,
        "created_at": message.created_at.isoformat(),
    }


def message_created(message: RoomMessage) -> dict[str, Any]:
    """Channel-layer event for a stored message."""
    return {"type": MESSAGE, **message_payload(message)}


def message_hidden(message: RoomMessage) -> dict[str, Any]:
    """Channel-layer event: a moderator hid a message."""
    return {"type": HIDDEN, "kind": "hidden", "seq": message.seq}


def room_state(room: Room) -> dict[str, Any]:
    """Channel-layer event: the room was closed, reopened or archived."""
    return {"type": STATE, "kind": "state", "state": room.state}


PRESENCE_LIST_CAP = 50  # names sent to a joiner; larger rooms show the count


def presence(*, count: int, joined: list[str], left: list[str]) -> dict[str, Any]:
    """Channel-layer event: how many are here now and who came or went since the
    last presence frame (one frame per room and process every few seconds)."""
    return {
        "type": PRESENCE,
        "kind": "presence",
        "count": count,
        "joined": joined,
        "left": left,
    }


def presence_snapshot(*, count: int, names: list[str]) -> dict[str, Any]:
    """Frame for one joining socket only: who is here (capped), and how many."""
    return {
        "kind": "presence",
        "count": count,
        "here": names[:PRESENCE_LIST_CAP],
        "joined": [],
        "left": [],
    }
