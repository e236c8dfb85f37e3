"""Who is here: coalesced presence frames, O(members) when everyone joins at once."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from cpd import services as cpd_services
from forums.rooms import events, services
from forums.rooms.consumers.case_room import BEHIND_LIMIT, CLOSE_TOO_SLOW
from tests.factories.cpd import CohortFactory, UserFactory
from tests.realtime.test_case_room import connect, receive_kind

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def make_room(members: int):
    cohort = CohortFactory()
    people = [UserFactory(display_name=f"Member {i:02d}") for i in range(members)]
    for person in people:
        cpd_services.membership_add(cohort=cohort, user=person, role="learner")
    mentor = UserFactory(display_name="Dr Mentor")
    cpd_services.membership_add(cohort=cohort, user=mentor, role="mentor")
    room = services.room_open_case(actor=mentor, cohort=cohort, title="Shift change")
    return room, people, mentor


async def presence_until(communicator, done):
    """Presence frames received until one satisfies ``done``, that one last."""
    frames = []
    while True:
        event = await communicator.receive_json_from(timeout=30)  # a loaded machine
        if event["kind"] == "presence":
            frames.append(event)
            if done(event):
                return frames


async def drain_presence(communicator) -> int:
    """Presence frames still queued (or arriving within a short wait)."""
    return len(await drain_presence_frames(communicator))


async def drain_presence_frames(communicator):
    """Presence frames queued or arriving within a short wait; the socket stays open."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.3):
        event = await communicator.receive_json_from()
        if event["kind"] == "presence":
            frames.append(event)
    return frames


async def test_everyone_joining_at_once_costs_frames_linear_in_members(
    channel_layer_name, settings
):
    # given a room whose 30 members all open it in the same moment
    settings.ROOM_PRESENCE_INTERVAL = 1.0
    members = 30
    room, people, _mentor = await make_room(members)
    joined = await asyncio.gather(*(connect(person, room) for person in people))
    sockets = [communicator for communicator, ok, _ in joined]
    assert all(ok for _, ok, _ in joined)

    # when every socket has heard that all 30 are here
    def all_here(event):
        return event.get("count") == members or len(event.get("here", [])) == members

    frames = 0
    for communicator in sockets:
        frames += len(await presence_until(communicator, all_here))
    await asyncio.sleep(settings.ROOM_PRESENCE_INTERVAL * 1.5)
    for communicator in sockets:
        frames += await drain_presence(communicator)

    # then the room received a few frames per member, not one per member per join
    # (announcing each join to everyone costs members * (members + 1) / 2 = 465)
    assert frames <= 4 * members
    await asyncio.gather(*(c.disconnect(timeout=5) for c in sockets))


async def test_the_joiner_alone_gets_the_list_then_everyone_gets_changes(
    channel_layer_name, settings
):
    settings.ROOM_PRESENCE_INTERVAL = 0.05
    room, (learner,), mentor = await make_room(1)
    a, _, _ = await connect(learner, room)
    # the joiner hears who is here, with the count (under load the batched
    # change announcing its own join may come first: that one is harmless)
    snapshot = (await presence_until(a, lambda e: "here" in e))[-1]
    assert snapshot == {
        "kind": "presence",
        "count": 1,
        "here": ["Member 00"],
        "joined": [],
        "left": [],
    }
    # when a mentor joins, the room hears a change, not the whole list
    b, _, _ = await connect(mentor, room)
    change = (await presence_until(a, lambda e: "Dr Mentor" in e["joined"]))[-1]
    assert change == {
        "kind": "presence",
        "count": 2,
        "joined": ["Dr Mentor"],
        "left": [],
    }
    mentor_view = await presence_until(b, lambda e: "here" in e)
    assert mentor_view[-1]["here"] == ["Dr Mentor", "Member 00"]
    await a.disconnect()
    await b.disconnect()


async def test_several_tabs_of_one_person_count_once(channel_layer_name, settings):
    settings.ROOM_PRESENCE_INTERVAL = 0.05
    room, (learner,), mentor = await make_room(1)
    tabs = [(await connect(learner, room))[0] for _ in range(3)]
    m, _, _ = await connect(mentor, room)
    frames = await presence_until(m, lambda e: "here" in e)
    assert (frames[-1]["count"], frames[-1]["here"]) == (2, ["Dr Mentor", "Member 00"])
    # closing two of the learner's three tabs is not a leave
    await tabs[0].disconnect()
    await tabs[1].disconnect()
    await asyncio.sleep(0.3)
    assert all(not e["left"] for e in await drain_presence_frames(m))
    await tabs[2].disconnect()
    last = (await presence_until(m, lambda e: e["left"]))[-1]
    assert (last["count"], last["left"]) == (1, ["Member 00"])
    await m.disconnect()


async def test_a_leave_shows_in_the_next_frame(channel_layer_name, settings):
    settings.ROOM_PRESENCE_INTERVAL = 0.05
    room, (learner,), mentor = await make_room(1)
    a, _, _ = await connect(learner, room)
    b, _, _ = await connect(mentor, room)
    await presence_until(a, lambda e: e.get("count") == 2)
    await drain_presence_frames(a)
    # when the mentor closes the room page
    await b.disconnect()
    # then the very next presence frame says so
    frame = await receive_kind(a, "presence")
    assert (frame["count"], frame["joined"], frame["left"]) == (1, [], ["Dr Mentor"])
    await a.disconnect()


async def test_a_socket_far_behind_is_closed_to_catch_up_by_number(
    channel_layer_name,
):
    room, (learner,), mentor = await make_room(1)
    a, _, _ = await connect(learner, room)
    await receive_kind(a, "history")
    message = await sync_to_async(services.message_post)(
        actor=mentor, room=room, body="one", client_key="one"
    )
    assert (await receive_kind(a, "message"))["seq"] == 1
    # given the channel layer dropped more than BEHIND_LIMIT of this socket's events
    event = {**events.message_created(message), "seq": 2 + BEHIND_LIMIT}
    await get_channel_layer().group_send(events.room_group(room.pk), event)
    # then the socket is closed with "too slow", and the client resumes by number
    while True:
        output = await a.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == CLOSE_TOO_SLOW
    await a.disconnect()
