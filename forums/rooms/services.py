"""Writes for case rooms: save first (numbered), broadcast after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cpd.limits import rate_limit_hit
from cpd.models import Cohort, Image, Membership, User, Verb
from cpd.notifications.services import notify_many
from cpd.policies import ensure_cohort_writable
from cpd.realtime import publish_on_commit
from cpd.record import record
from cpd.rich_text import render_markdown
from cpd.services import image_files_delete
from forums.rooms import events, policies, selectors
from forums.rooms.models import Room, RoomKind, RoomMessage, RoomPresence, RoomState

MAX_MESSAGE_CHARS = 2000
PRESENCE_TTL = dt.timedelta(seconds=75)  # heartbeats come every 25 s


KIND_CASE_ROOM = "rooms.case_opened"


def room_standing_for_cohort(*, cohort: Cohort) -> Room:
    """The cohort's standing room, created on first use (safe to call at once)."""
    room = Room.objects.filter(cohort=cohort, kind=RoomKind.STANDING).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return Room.objects.create(
                cohort=cohort, kind=RoomKind.STANDING, title=cohort.name
            )
    except IntegrityError:  # created by a concurrent request
        return Room.objects.get(cohort=cohort, kind=RoomKind.STANDING)


def rooms_ensure_standing(*, cohorts: list[Cohort]) -> None:
    """Create missing standing rooms for these cohorts in two queries."""
    have = set(
        Room.objects.filter(cohort__in=cohorts, kind=RoomKind.STANDING).values_list(
            "cohort_id", flat=True
        )
    )
    missing = [
        Room(cohort=c, kind=RoomKind.STANDING, title=c.name)
        for c in cohorts
        if c.pk not in have
    ]
    if missing:
        Room.objects.bulk_create(missing, ignore_conflicts=True)


def room_open_case(
    *, actor: User, cohort: Cohort, title: str, case_summary: str = ""
) -> Room:
    """A mentor or administrator opens an ad-hoc room for one clinical case."""
    if not policies.can_open_case_room(actor, cohort):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    ensure_cohort_writable(cohort)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the case a short title.")})
    room = Room(
        cohort=cohort,
        kind=RoomKind.CASE,
        title=title[:160],
        case_summary=case_summary.strip(),
        created_by=actor,
    )
    room.full_clean()
    room.save()
    members = Membership.objects.filter(cohort=cohort).exclude(user=actor)
    notify_many(
        user_ids=list(members.values_list("user_id", flat=True)),
        kind=KIND_CASE_ROOM,
        message=gettext_noop("A case room opened in %(cohort)s: %(title)s"),
        params={"cohort": cohort.name, "title": room.title},
        url=reverse("rooms-room", args=[room.pk]),
        dedupe_prefix=f"room:{room.pk}",
        cohort=cohort.pk,
    )
    return room


def message_post(
    *,
    actor: User,
    room: Room,
    body: str,
    client_key: str,
    reply_to_seq: int | None = None,
    image: Image | None = None,
) -> RoomMessage:
    """Store a message with the room's next number, then broadcast it.

    A re-send with the same client key (after a reconnect or a lost response)
    returns the stored message and broadcasts nothing new.
    """
    client_key = (client_key or "").strip()
    if not client_key or len(client_key) > 64 or "\x00" in client_key:
        raise ValidationError(
            {
                "client_key": ValidationError(
                    _("A message needs a client key."), code="client_key"
                )
            }
        )
    if not policies.can_view_room(actor, room):
        raise PermissionDenied(_("You are not in this room."))
    ensure_cohort_writable(room.cohort)
    existing = RoomMessage.objects.filter(
        room=room, author=actor, client_key=client_key
    ).first()
    if existing is not None:
        return existing
    if not room.is_open:
        raise ValidationError(
            _("This room is closed: messages can be read, not sent."),
            code="room_closed",
        )
    body = (body or "").strip()
    if not body and image is None:
        raise ValidationError(
            {"body": ValidationError(_("Write a message."), code="required")}
        )
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {
                "body": ValidationError(
                    _("Keep messages under %(n)d characters.")
                    % {"n": MAX_MESSAGE_CHARS},
                    code="too_long",
                )
            }
        )
    if "\x00" in body:
        # PostgreSQL refuses NUL in text (a ValueError, a 500); every path
        # checks its input, and this is the last line.
        raise ValidationError(
            {
                "body": ValidationError(
                    _("Remove the NUL character and send again."), code="nul_byte"
                )
            }
        )
    if image is not None and (
        image.cohort_id != room.cohort_id
        or image.owner_id != actor.pk
        or image.private  # mentor-conversation photos stay private
    ):
        raise ValidationError(
            {
                "image": ValidationError(
                    _("Attach one of your own photos of this cohort."), code="image"
                )
            }
        )
    rate_limit_hit(user_id=actor.pk, action="room_message")
    try:
        with transaction.atomic():
            # The row lock serialises numbering: no two messages share a seq and
            # none is skipped, whichever server process stores them.
            locked = Room.objects.select_for_update().get(pk=room.pk)
            if not locked.is_open:  # closed or archived meanwhile
                raise ValidationError(
                    _("This room is closed: messages can be read, not sent."),
                    code="room_closed",
                )
            reply_to = (
                RoomMessage.objects.filter(room=locked, seq=reply_to_seq).first()
                if reply_to_seq
                else None
            )
            locked.last_seq += 1
            locked.save(update_fields=["last_seq"])
            message = RoomMessage.objects.create(
                room=locked,
                seq=locked.last_seq,
                author=actor,
                body=body,
                body_html=render_markdown(body),
                client_key=client_key,
                reply_to=reply_to,
                image=image,
            )
            record(
                actor=actor,
                verb=Verb.ROOM_MESSAGE,
                object_type="room",
                object_id=room.pk,
                cohort=locked.cohort_id,
                client_key=f"room-message:{message.pk}",
                timestamp=message.created_at,
            )
            publish_on_commit(
                events.room_group(room.pk), events.message_created(message)
            )
    except IntegrityError:  # the same key raced in from another connection
        return RoomMessage.objects.get(room=room, author=actor, client_key=client_key)
    room.last_seq = message.seq
    return message


def _set_state(*, actor: User, room: Room, state: str) -> Room:
    if not policies.can_control_room(actor, room):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    if room.state == RoomState.ARCHIVED:
        raise ValidationError(_("This room is archived."))
    room.state = state
    room.closed_at = None if state == RoomState.OPEN else timezone.now()
    room.save(update_fields=["state", "closed_at"])
    publish_on_commit(events.room_group(room.pk), events.room_state(room))
    return room


def room_close(*, actor: User, room: Room) -> Room:
    """Make the room read-only."""
    return _set_state(actor=actor, room=room, state=RoomState.CLOSED)


def room_reopen(*, actor: User, room: Room) -> Room:
    """Let members post again."""
    return _set_state(actor=actor, room=room, state=RoomState.OPEN)


def message_hide(*, actor: User, message: RoomMessage, reason: str) -> RoomMessage:
    """A moderator hides a message (e.g. one naming a patient); clients drop it."""
    if not policies.can_control_room(actor, message.room):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the message is hidden.")})
    message.hidden_at = timezone.now()
    message.hidden_by = actor
    message.hidden_reason = reason.strip()[:200]
    message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    publish_on_commit(
        events.room_group(message.room_id), events.message_hidden(message)
    )
    return message


@transaction.atomic
def room_archive(*, actor: User, room: Room, title: str = "") -> Room:
    """Turn the discussion into a forum thread tagged *case*; the room goes read-only.

    Visible messages become posts in order, with their authors and times, so the
    case joins the searchable library of the same cohort.
    """
    from forums.services.posting import ImportedPost, thread_import

    if not policies.can_control_room(actor, room):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.state == RoomState.ARCHIVED:
        raise ValidationError(_("This room is already archived."))
    messages = list(
        RoomMessage.objects.filter(room=room, hidden_at__isnull=True)
        .select_related("author")
        .order_by("seq")
    )
    posts = [
        ImportedPost(author=m.author, body=m.body, created_at=m.created_at)
        for m in messages
    ]
    if room.case_summary:
        posts.insert(
            0,
            ImportedPost(
                author=room.created_by,
                body=room.case_summary,
                created_at=room.created_at,
            ),
        )
    thread = thread_import(
        actor=actor,
        cohort=room.cohort,
        title=title or room.title,
        tags=["case"],
        posts=posts,
    )
    room.state = RoomState.ARCHIVED
    room.archived_thread_id = thread.pk
    room.closed_at = room.closed_at or timezone.now()
    room.save(update_fields=["state", "archived_thread_id", "closed_at"])
    publish_on_commit(events.room_group(room.pk), events.room_state(room))
    return room


def presence_join(*, room: Room, user: User, channel_name: str) -> None:
    """Record an open socket with one upsert; nothing is read or broadcast here.

    Joins are announced by :func:`presence_flush`, called by each server
    process at most once per room every ``ROOM_PRESENCE_INTERVAL`` seconds, so
    a room that everyone joins at once costs O(members) frames, not O(members²).
    """
    RoomPresence.objects.bulk_create(
        [
            RoomPresence(
                room=room, user=user, channel_name=channel_name, seen_at=timezone.now()
            )
        ],
        update_conflicts=True,
        unique_fields=["channel_name"],
        update_fields=["room", "user", "seen_at"],
    )


def presence_touch(*, channel_name: str) -> None:
    """A heartbeat keeps the socket counted as present."""
    RoomPresence.objects.filter(channel_name=channel_name).update(
        seen_at=timezone.now()
    )


def presence_leave(*, channel_name: str) -> None:
    """Forget a closed socket (announced by the next :func:`presence_flush`)."""
    RoomPresence.objects.filter(channel_name=channel_name).delete()


@dataclass(frozen=True)
class PresenceNow:
    """Who is in a room now (distinct people, not sockets), and one flush's changes."""

    count: int
    names: list[str]  # sorted, capped at events.PRESENCE_LIST_CAP
    joined: list[str]
    left: list[str]


def presence_flush(
    *, room_id: int, joined: dict[int, str], left: dict[int, str]
) -> PresenceNow:
    """Publish one presence frame for the changes one process saw since its last flush.

    ``joined`` and ``left`` map user ids to display names of sockets that opened
    or closed here. One query reads everyone present (across all processes);
    a person is announced as joined only if still present and as left only if
    no socket of theirs remains, so several tabs count once.
    """
    present = selectors.room_present_people(room_id, timezone.now() - PRESENCE_TTL)
    came = sorted(name for uid, name in joined.items() if uid in present)
    went = sorted(
        name for uid, name in {**joined, **left}.items() if uid not in present
    )
    names = sorted(present.values())[: events.PRESENCE_LIST_CAP]
    if came or went:
        publish_on_commit(
            events.room_group(room_id),
            events.presence(count=len(present), joined=came, left=went),
        )
    return PresenceNow(count=len(present), names=names, joined=came, left=went)


def _files_delete(images: list[Image]) -> None:
    for image in images:
        image_files_delete(image=image)


def retention_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the messages and photos of rooms past their cohort's retention.

    A room's clock starts when it closes (or is archived: the forum thread the
    mentor curated stays). Each room is emptied in its own transaction and
    marked purged, so a rerun does nothing; photo files go after commit.
    Returns the number of rooms emptied.
    """
    now = now or timezone.now()
    due = (
        Room.objects.filter(
            purged_at__isnull=True,
            closed_at__isnull=False,
            cohort__room_retention_days__isnull=False,
        )
        .exclude(state=RoomState.OPEN)
        .select_related("cohort")
    )
    emptied = 0
    for room in due:
        keep = dt.timedelta(days=room.cohort.room_retention_days or 0)
        if room.closed_at is None or room.closed_at + keep > now:
            continue
        with transaction.atomic():
            images = list(
                Image.objects.filter(
                    pk__in=RoomMessage.objects.filter(
                        room=room, image__isnull=False
                    ).values("image_id")
                )
            )
            RoomMessage.objects.filter(room=room).delete()
            Image.objects.filter(pk__in=[i.pk for i in images]).delete()
            Room.objects.filter(pk=room.pk).update(purged_at=now)
            # Files go once the rows are gone for good (a rollback keeps both).
            transaction.on_commit(partial(_files_delete, images))
        emptied += 1
    return emptied
