"""The room hub: one channel per process and room, whatever its sockets."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from forums.rooms import events, services
from forums.rooms.consumers import hub as hub_module
from forums.rooms.consumers.case_room import CLOSE_TOO_SLOW, CaseRoomConsumer
from forums.rooms.consumers.hub import SOCKET_QUEUE, hub
from tests.realtime.test_case_room import connect, receive_kind
from tests.realtime.test_room_presence import make_room

pytestmark = pytest.mark.django_db(transaction=True)


async def _group_members(room) -> int:
    layer = get_channel_layer()
    group = events.room_group(room.pk)
    if hasattr(layer, "groups"):  # in memory
        return len(layer.groups.get(group, {}))
    async with layer.connection(layer.consistent_hash(group)) as connection:
        return await connection.zcard(layer._group_key(group))


async def test_a_room_of_many_sockets_is_one_group_member_per_process(
    channel_layer_name,
):
    # given: five members of a room connect in this process
    room, people, mentor = await make_room(5)
    sockets = []
    for person in people:
        communicator, ok, _ = await connect(person, room)
        assert ok
        await receive_kind(communicator, "history")
        sockets.append(communicator)
    # then: the room's group holds one channel, the hub's, not five
    assert await _group_members(room) == 1
    assert hub(get_channel_layer()).local_sockets(room.pk) == 5
    # and a message still reaches every socket, once
    await sync_to_async(services.message_post)(
        actor=mentor, room=room, body="Shift change case", client_key="s1"
    )
    for communicator in sockets:
        assert (await receive_kind(communicator, "message"))["seq"] == 1
    # when: everyone leaves, the hub's channel leaves the group too
    for communicator in sockets:
        await communicator.disconnect()
    assert hub(get_channel_layer()).local_sockets(room.pk) == 0
    assert await _group_members(room) == 0


class _FakeSocket:
    def __init__(self) -> None:
        self.frames: list[str] = []

    def deliver(self, event, text) -> None:
        self.frames.append(text)


async def test_the_hub_encodes_an_event_once_and_hands_it_to_each_socket(
    channel_layer_name, monkeypatch
):
    # given: three local sockets on room 7 and a count of encodings
    encoded = []
    real = hub_module.frame_text

    def counting(event):
        encoded.append(event)
        return real(event)

    monkeypatch.setattr(hub_module, "frame_text", counting)
    room_hub = hub_module.RoomHub(get_channel_layer())
    sockets = [_FakeSocket() for _ in range(3)]
    for socket in sockets:
        await room_hub.join(7, socket)
    # when: one event is sent to the room's group
    await get_channel_layer().group_send(
        events.room_group(7), {"type": events.STATE, "kind": "state", "state": "closed"}
    )
    for _ in range(100):
        if all(socket.frames for socket in sockets):
            break
        await asyncio.sleep(0.02)
    # then: encoded once, the same frame for all
    assert len(encoded) == 1
    assert {socket.frames[0] for socket in sockets} == {
        '{"kind": "state", "state": "closed"}'
    }
    for socket in sockets:
        await room_hub.leave(7, socket)
    assert room_hub.rooms == {}


async def test_a_socket_that_cannot_keep_up_is_closed_not_waited_for():
    # given: a socket whose writer is stalled (its queue never drains)
    consumer = CaseRoomConsumer()
    consumer._queue = asyncio.Queue(SOCKET_QUEUE)
    closed = []

    async def close(code=None, reason=None):
        closed.append(code)

    consumer.close = close
    # when: one more frame than its queue holds arrives
    for seq in range(SOCKET_QUEUE + 1):
        consumer.deliver({"type": events.MESSAGE, "seq": seq}, "{}")
    await asyncio.sleep(0)
    # then: it is closed "too slow" (it catches up on reconnecting), at once
    assert closed == [CLOSE_TOO_SLOW]
    # and later frames are not queued for it
    consumer.deliver({"type": events.MESSAGE, "seq": 999}, "{}")
    assert consumer._queue.qsize() == SOCKET_QUEUE
