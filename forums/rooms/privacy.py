"""The case-rooms section of a person's data: export (read) and erasure (write).

Registered with ``cpd.privacy.registry`` in ``RoomsConfig.ready()``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cpd.models import User
from cpd.privacy.registry import ErasureContext, ExportPart
from forums.rooms.models import Room, RoomMessage, RoomPresence


def rooms_export(user: User) -> ExportPart:
    """The person's room messages, with the room and any photo."""
    messages = (
        RoomMessage.objects.filter(author=user)
        .select_related("room__cohort", "image")
        .order_by("created_at", "pk")
    )
    rows = []
    images = []
    for m in messages:
        if m.image is not None:
            images.append(m.image)
        rows.append(
            {
                "id": m.pk,
                "cohort": m.room.cohort.name,
                "room": m.room.title,
                "seq": m.seq,
                "body": m.body,
                "created_at": m.created_at,
                "image": f"images/{m.image_id}.jpg" if m.image_id else None,
            }
        )
    return ExportPart(data={"room_messages": rows}, images=images)


def rooms_erase(user: User, context: ErasureContext) -> dict[str, int]:
    """Messages someone else replied to lose their author; the rest are deleted.

    The deleted messages leave gaps in a room's numbering; catch-up asks for
    messages after an id, so a gap reads as nothing missed.
    """
    replied = RoomMessage.objects.filter(reply_to_id=OuterRef("pk")).filter(
        Q(author__isnull=True) | ~Q(author=user)
    )
    mine = RoomMessage.objects.filter(author=user)
    kept_ids = list(mine.filter(Exists(replied)).values_list("pk", flat=True))
    # client_key is the person's device key: not needed once anonymous.
    kept = RoomMessage.objects.filter(pk__in=kept_ids).update(
        author=None, client_key=""
    )
    deleted = mine.exclude(pk__in=kept_ids).delete()[0]
    RoomMessage.objects.filter(hidden_by=user).update(hidden_by=None)
    Room.objects.filter(created_by=user).update(created_by=None)
    return {
        "room_messages_kept_anonymous": kept,
        "room_messages_deleted": deleted,
        "presence": RoomPresence.objects.filter(user=user).delete()[0],
    }
