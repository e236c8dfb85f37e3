"""Reads for case rooms, scoped through forums.rooms.policies."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, QuerySet, Value, When
from django.http import Http404

from cpd.policies import AnyUser
from forums.rooms.models import Room, RoomMessage, RoomPresence, RoomState
from forums.rooms.policies import rooms_visible_to

HISTORY = 50  # messages a joining client gets


def room_list_for_user(user: AnyUser) -> QuerySet[Room]:
    """Rooms the user may see, open ones first, with their cohort.

    Then the standing room before case rooms, newest first. (Ordering by the
    state's text put "archived" and "closed" before "open".)
    """
    open_first = Case(When(state=RoomState.OPEN, then=Value(0)), default=Value(1))
    return (
        Room.objects.filter(rooms_visible_to(user))
        .select_related("cohort")
        .order_by(open_first, "-kind", "-created_at")
    )


def room_get_for_user(user: AnyUser, room_id: int) -> Room:
    """One visible room, or Http404 (missing and forbidden alike)."""
    room = room_list_for_user(user).filter(pk=room_id).first()
    if room is None:
        raise Http404("No such room.")
    return room


def room_messages_after(
    room: Room, after_seq: int, limit: int = 200
) -> list[RoomMessage]:
    """Messages numbered after ``after_seq``, oldest first: catch-up and polling."""
    return list(
        RoomMessage.objects.filter(room=room, seq__gt=max(after_seq, 0))
        .select_related("author", "reply_to")
        .order_by("seq")[:limit]
    )


def room_recent(room: Room, count: int = HISTORY) -> list[RoomMessage]:
    """The last ``count`` messages, oldest first (what a newcomer sees)."""
    latest = list(
        RoomMessage.objects.filter(room=room)
        .select_related("author", "reply_to")
        .order_by("-seq")[:count]
    )
    return latest[::-1]


def room_message_get(room: Room, seq: int) -> RoomMessage:
    """One message of a room by number, or Http404."""
    message = (
        RoomMessage.objects.filter(room=room, seq=seq).select_related("room").first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def room_present_people(room_id: int, since: dt.datetime) -> dict[int, str]:
    """Display names by user id of people with a live socket on the room.

    One row per person however many tabs or server processes hold their
    sockets; a socket not refreshed since ``since`` no longer counts.
    """
    return dict(
        RoomPresence.objects.filter(room_id=room_id, seen_at__gte=since)
        .values_list("user_id", "user__display_name")
        .distinct()
    )
