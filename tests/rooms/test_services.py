"""Room services: numbering, idempotency, limits, moderation, archive, presence."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpd import services as cpd_services
from cpd.limits import RateLimited
from cpd.models import Activity, Verb
from forums.models import Post, Thread
from forums.rooms import events, selectors, services
from forums.rooms.models import Room, RoomKind, RoomMessage, RoomState
from tests.factories.images import png
from tests.factories.rooms import RoomFactory


@pytest.fixture
def room(world):
    return RoomFactory(cohort=world.cohort, case_summary="Seizure at 34 weeks.")


def post(world, room, body="hello", key=None, who="learner"):
    post.n = getattr(post, "n", 0) + 1
    return services.message_post(
        actor=world.user(who), room=room, body=body, client_key=key or f"k{post.n}"
    )


def test_messages_are_numbered_without_gaps(world, room):
    seqs = [post(world, room).seq for _ in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    room.refresh_from_db()
    assert room.last_seq == 5


def test_same_client_key_is_stored_once(world, room):
    first = post(world, room, key="same")
    again = post(world, room, body="changed", key="same")
    assert again.pk == first.pk
    assert RoomMessage.objects.filter(room=room).count() == 1


def test_a_retry_after_the_room_closed_gets_the_stored_message(world, room):
    """The answer to the first send was lost; the room closed before the retry.

    The retry must get the stored message, not "room closed" (the client would
    then drop a message that was in fact delivered). Without the replay check
    before the closed check, this is the only test that fails.
    """
    first = post(world, room, key="lost")
    services.room_close(actor=world.mentor_of_cohort, room=room)
    room.refresh_from_db()
    assert post(world, room, key="lost").pk == first.pk


def test_the_same_key_in_two_rooms_is_two_messages(world, room):
    """Found by mutation testing: the replay lookup without its room went unseen
    (a client's key in one room would have returned a message of another)."""
    other = RoomFactory(cohort=world.cohort)
    first = post(world, room, key="k")
    second = post(world, other, body="elsewhere", key="k")
    assert second.pk != first.pk
    assert (second.room, second.body, second.seq) == (other, "elsewhere", 1)


def test_the_same_key_from_two_people_is_two_messages(world, room):
    post(world, room, key="k", who="learner")
    post(world, room, key="k", who="mentor_of_cohort")
    assert RoomMessage.objects.filter(room=room).count() == 2


def test_markdown_is_sanitised_on_save(world, room):
    message = post(world, room, body="**PPH** <script>alert(1)</script>")
    assert "<strong>PPH</strong>" in message.body_html
    assert "<script" not in message.body_html


@pytest.mark.parametrize(
    ("body", "match"), [("", "Write a message"), ("x" * 2001, "under 2000")]
)
def test_empty_and_oversized_messages_are_refused(world, room, body, match):
    with pytest.raises(ValidationError, match=match):
        post(world, room, body=body)


def test_outsider_cannot_post(world, room):
    # the reason reaches the socket's error frame: found unchecked by mutmut
    with pytest.raises(PermissionDenied, match=r"^You are not in this room\.$"):
        post(world, room, who="outsider")


def test_closed_room_is_read_only_until_reopened(world, room):
    services.room_close(actor=world.mentor_of_cohort, room=room)
    with pytest.raises(ValidationError) as refused:
        post(world, room)
    # exact text and code: mutants of both survived a match on "closed"
    assert (refused.value.code, refused.value.messages) == (
        "room_closed",
        ["This room is closed: messages can be read, not sent."],
    )
    services.room_reopen(actor=world.mentor_of_cohort, room=room)
    assert post(world, room).seq == 1


def test_learner_cannot_close(world, room):
    with pytest.raises(PermissionDenied):
        services.room_close(actor=world.learner, room=room)


def test_rate_limit_stops_a_flood(world, room, settings):
    settings.RATE_LIMITS = {"room_message": (3, 60)}
    for _ in range(3):
        post(world, room)
    with pytest.raises(RateLimited, match="Wait 60 seconds"):
        post(world, room)


def test_image_must_be_own_and_of_the_same_cohort(world, room):
    foreign = cpd_services.image_upload(
        actor=world.other_learner,
        cohort=world.other_cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    with pytest.raises(ValidationError, match="own photos"):
        services.message_post(
            actor=world.learner, room=room, body="see", client_key="i", image=foreign
        )
    own = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    message = services.message_post(
        actor=world.learner, room=room, body="", client_key="j", image=own
    )
    assert message.image == own


def test_reply_refers_to_a_message_of_the_room(world, room):
    first = post(world, room)
    reply = services.message_post(
        actor=world.mentor_of_cohort,
        room=room,
        body="yes",
        client_key="r",
        reply_to_seq=1,
    )
    assert reply.reply_to == first


def test_hide_needs_a_moderator_and_a_reason(world, room):
    message = post(world, room)
    with pytest.raises(PermissionDenied):
        services.message_hide(actor=world.learner, message=message, reason="x")
    with pytest.raises(ValidationError):
        services.message_hide(actor=world.mentor_of_cohort, message=message, reason=" ")
    services.message_hide(actor=world.mentor_of_cohort, message=message, reason="name")
    assert message.is_hidden


def test_catch_up_returns_exactly_what_came_after(world, room):
    for _ in range(6):
        post(world, room)
    assert [m.seq for m in selectors.room_messages_after(room, 3)] == [4, 5, 6]
    assert selectors.room_messages_after(room, 6) == []


def test_archive_keeps_content_order_authors_and_cohort(world, room):
    # given a discussion with a hidden message
    post(world, room, body="First: what now?", who="learner")
    hidden = post(world, room, body="Patient Jane Doe", who="learner")
    post(world, room, body="Give **oxytocin**.", who="mentor_of_cohort")
    services.message_hide(actor=world.mentor_of_cohort, message=hidden, reason="name")
    # when the mentor archives it
    archived = services.room_archive(actor=world.mentor_of_cohort, room=room)
    # then the room is read-only and linked to a thread in the same cohort
    assert archived.state == RoomState.ARCHIVED
    thread = Thread.objects.get(pk=archived.archived_thread_id)
    assert thread.forum.cohort == world.cohort
    assert [t.name for t in thread.tags.all()] == ["case"]
    posts = list(Post.objects.filter(thread=thread).order_by("created_at", "pk"))
    assert [p.body for p in posts] == [
        "Seizure at 34 weeks.",
        "First: what now?",
        "Give **oxytocin**.",
    ]
    assert [p.author for p in posts][1:] == [world.learner, world.mentor_of_cohort]
    assert "Jane Doe" not in " ".join(p.body for p in posts)
    with pytest.raises(ValidationError, match="closed"):
        post(world, room)


def test_learner_cannot_archive(world, room):
    post(world, room)
    with pytest.raises(PermissionDenied):
        services.room_archive(actor=world.learner, room=room)


def test_standing_rooms_are_created_once(world):
    services.rooms_ensure_standing(cohorts=[world.cohort, world.other_cohort])
    services.rooms_ensure_standing(cohorts=[world.cohort])
    assert Room.objects.filter(kind=RoomKind.STANDING).count() == 2
    assert services.room_standing_for_cohort(cohort=world.cohort).cohort == world.cohort


def test_the_standing_room_is_found_by_kind_and_made_once(
    world, django_assert_num_queries
):
    """Found by mutation testing: only the "already there" path was exercised."""
    case = RoomFactory(cohort=world.cohort)  # not the standing room
    RoomFactory(cohort=world.other_cohort, kind=RoomKind.STANDING)
    room = services.room_standing_for_cohort(cohort=world.cohort)
    assert room != case
    assert (room.cohort, room.kind, room.title) == (
        world.cohort,
        RoomKind.STANDING,
        "Cohort A",
    )
    with django_assert_num_queries(1):  # found, not made again
        assert services.room_standing_for_cohort(cohort=world.cohort) == room
    assert Room.objects.filter(cohort=world.cohort, kind=RoomKind.STANDING).count() == 1


def test_a_standing_room_made_concurrently_is_fetched(world, monkeypatch):
    # given the room appears between the lookup and the insert (another request)
    standing = RoomFactory(cohort=world.cohort, kind=RoomKind.STANDING)
    RoomFactory(cohort=world.cohort)  # a case room of the same cohort
    RoomFactory(cohort=world.other_cohort, kind=RoomKind.STANDING)
    monkeypatch.setattr(Room.objects, "filter", lambda *a, **kw: Room.objects.none())
    # when / then: the insert's conflict falls back to that room
    assert services.room_standing_for_cohort(cohort=world.cohort) == standing


def test_ensure_standing_makes_the_missing_ones_only(world, django_assert_num_queries):
    RoomFactory(cohort=world.cohort)  # a case room is not a standing room
    RoomFactory(cohort=world.other_cohort, kind=RoomKind.STANDING)
    services.rooms_ensure_standing(cohorts=[world.cohort, world.other_cohort])
    standing = Room.objects.filter(kind=RoomKind.STANDING)
    assert standing.count() == 2
    assert standing.get(cohort=world.cohort).title == "Cohort A"
    with django_assert_num_queries(1):  # nothing missing: one read, no insert
        services.rooms_ensure_standing(cohorts=[world.cohort, world.other_cohort])


def test_ensure_standing_ignores_a_concurrent_insert(world, monkeypatch):
    RoomFactory(cohort=world.cohort, kind=RoomKind.STANDING)
    # the read misses the room another request has just made
    monkeypatch.setattr(Room.objects, "filter", lambda *a, **kw: Room.objects.none())
    services.rooms_ensure_standing(cohorts=[world.cohort])  # no IntegrityError
    monkeypatch.undo()
    assert Room.objects.filter(kind=RoomKind.STANDING).count() == 1


def test_open_case_needs_a_title_and_a_moderator(world):
    with pytest.raises(PermissionDenied):
        services.room_open_case(actor=world.learner, cohort=world.cohort, title="x")
    with pytest.raises(ValidationError):
        services.room_open_case(actor=world.org_admin, cohort=world.cohort, title=" ")


def test_presence_counts_live_people_once_however_many_tabs(world, room):
    # given a learner with two tabs open and a mentor with one
    services.presence_join(room=room, user=world.learner, channel_name="a1")
    services.presence_join(room=room, user=world.learner, channel_name="a2")
    services.presence_join(room=room, user=world.mentor_of_cohort, channel_name="b")
    joined = {world.learner.pk: "Learner A", world.mentor_of_cohort.pk: "Mentor A"}
    # when this process flushes what it saw
    now = services.presence_flush(room_id=room.pk, joined=joined, left={})
    # then two people are here, both announced once
    assert (now.count, now.names) == (2, ["Learner A", "Mentor A"])
    assert (now.joined, now.left) == (["Learner A", "Mentor A"], [])


def test_closing_one_of_two_tabs_is_not_a_leave(world, room):
    services.presence_join(room=room, user=world.learner, channel_name="a1")
    services.presence_join(room=room, user=world.learner, channel_name="a2")
    services.presence_leave(channel_name="a1")
    left = {world.learner.pk: "Learner A"}
    now = services.presence_flush(room_id=room.pk, joined={}, left=left)
    assert (now.count, now.left) == (1, [])
    services.presence_leave(channel_name="a2")
    now = services.presence_flush(room_id=room.pk, joined={}, left=left)
    assert (now.count, now.left) == (0, ["Learner A"])


def test_sockets_without_heartbeat_fall_out_of_presence(world, room):
    services.presence_join(room=room, user=world.learner, channel_name="a")
    room.presence.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    since = timezone.now() - services.PRESENCE_TTL
    assert selectors.room_present_people(room.pk, since) == {}


def test_joining_twice_on_one_socket_keeps_one_row(world, room):
    services.presence_join(room=room, user=world.learner, channel_name="a")
    services.presence_join(room=room, user=world.learner, channel_name="a")
    assert room.presence.count() == 1


def test_a_flush_with_no_change_publishes_nothing(world, room, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "publish_on_commit", lambda g, e: sent.append(e))
    services.presence_join(room=room, user=world.learner, channel_name="a")
    services.presence_flush(room_id=room.pk, joined={}, left={})
    assert sent == []
    services.presence_flush(
        room_id=room.pk, joined={world.learner.pk: "Learner A"}, left={}
    )
    assert sent == [
        {
            "type": "room.presence",
            "kind": "presence",
            "count": 1,
            "joined": ["Learner A"],
            "left": [],
        }
    ]


def test_a_private_conversation_photo_cannot_be_reposted_in_a_room(world, room):
    private = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
        private=True,
    )
    with pytest.raises(ValidationError, match="own photos"):
        services.message_post(
            actor=world.learner, room=room, body="see", client_key="p", image=private
        )
    assert not RoomMessage.objects.filter(client_key="p").exists()


@pytest.mark.parametrize(
    ("body", "key", "code"),
    [("a\x00b", "nul-body", "nul_byte"), ("fine", "k\x00", "client_key")],
)
def test_a_nul_character_is_refused_before_the_database(world, room, body, key, code):
    # PostgreSQL raises ValueError on NUL in text: a 500, or a socket closed 1011.
    with pytest.raises(ValidationError) as caught:
        services.message_post(actor=world.learner, room=room, body=body, client_key=key)
    assert next(iter(caught.value.error_dict.values()))[0].code == code
    assert not RoomMessage.objects.filter(room=room).exists()


# --- Found by mutation testing: the client key's limits and what a post records ------


@pytest.mark.parametrize("key", ["", "   ", None])
def test_a_message_without_a_client_key_is_refused(world, room, key):
    with pytest.raises(ValidationError) as caught:
        services.message_post(actor=world.learner, room=room, body="hi", client_key=key)
    error = caught.value.error_dict["client_key"][0]
    assert (error.code, error.messages) == (
        "client_key",
        ["A message needs a client key."],
    )
    assert not RoomMessage.objects.filter(room=room).exists()


def test_a_client_key_is_up_to_64_characters_and_trimmed(world, room):
    kept = services.message_post(
        actor=world.learner, room=room, body="a", client_key=" " + "k" * 64 + " "
    )
    assert kept.client_key == "k" * 64
    with pytest.raises(ValidationError) as caught:
        services.message_post(
            actor=world.learner, room=room, body="b", client_key="k" * 65
        )
    assert "client_key" in caught.value.error_dict
    # the trimmed key replays the stored message
    again = services.message_post(
        actor=world.learner, room=room, body="c", client_key="k" * 64
    )
    assert again.pk == kept.pk


def test_a_message_in_an_archived_cohort_is_refused(world, room):
    world.cohort.archived_at = timezone.now()
    world.cohort.save(update_fields=["archived_at"])
    room.refresh_from_db()
    with pytest.raises(PermissionDenied, match="archived"):
        post(world, room)
    assert not RoomMessage.objects.filter(room=room).exists()


def test_a_post_is_recorded_broadcast_and_numbered_on_the_room(
    world, room, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        services, "publish_on_commit", lambda group, event: sent.append((group, event))
    )
    message = post(world, room, body="**dose** 10 IU", key="rec")
    assert room.last_seq == message.seq == 1  # the caller's room object follows
    stored = RoomMessage.objects.get()
    assert (stored.author, stored.body, stored.client_key, stored.reply_to) == (
        world.learner,
        "**dose** 10 IU",
        "rec",
        None,
    )
    assert "<strong>dose</strong>" in stored.body_html
    activity = Activity.objects.get(verb=Verb.ROOM_MESSAGE)
    assert (
        activity.actor,
        activity.object_type,
        activity.object_id,
        activity.cohort_id,
    ) == (world.learner, "room", room.pk, world.cohort.pk)
    assert activity.client_key == f"room-message:{message.pk}"
    assert [(g, e["type"], e["seq"], e["html"]) for g, e in sent] == [
        (events.room_group(room.pk), events.MESSAGE, 1, stored.body_html)
    ]
    # a replay records and broadcasts nothing new
    post(world, room, body="again", key="rec")
    assert Activity.objects.filter(verb=Verb.ROOM_MESSAGE).count() == 1
    assert len(sent) == 1


def test_a_body_is_trimmed_and_a_photo_alone_is_a_message(world, room):
    photo = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    message = services.message_post(
        actor=world.learner, room=room, body="  ", client_key="photo", image=photo
    )
    assert (message.body, message.image) == ("", photo)
    trimmed = post(world, room, body="  hello  ", key="trim")
    assert trimmed.body == "hello"
