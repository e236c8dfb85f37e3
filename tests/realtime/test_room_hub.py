"""The room hub: one channel per process and room, whatever its sockets."""

import asyncio
import contextlib

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from forums.rooms import events, services
from forums.rooms.consumers import hub as hub_module
from forums.rooms.consumers.case_room import (
    CLOSE_TOO_SLOW,
    CLOSE_WRITER_FAILED,
    CaseRoomConsumer,
)
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


class _GatedLayer:
    """A layer whose first group_add waits for the test, then fails or not."""

    def __init__(self, fail_first: bool) -> None:
        self.gate = asyncio.Event()
        self.fail_first = fail_first
        self.adds: list[str] = []
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.bad_first = False

    async def new_channel(self) -> str:
        return f"hub!{len(self.adds)}"

    async def group_add(self, group, channel) -> None:
        if not self.adds:
            self.adds.append(channel)
            await self.gate.wait()
            if self.fail_first:
                raise ConnectionError("redis away")
            return
        self.adds.append(channel)

    async def group_discard(self, group, channel) -> None:
        pass

    async def receive(self, channel):
        return await self.inbox.get()


async def test_a_socket_joining_while_the_first_join_fails_is_still_joined():
    # given: socket A creates room 3's channel; B joins meanwhile and waits
    layer = _GatedLayer(fail_first=True)
    room_hub = hub_module.RoomHub(layer)
    first, second = _FakeSocket(), _FakeSocket()
    a = asyncio.ensure_future(room_hub.join(3, first))
    await asyncio.sleep(0)
    b = asyncio.ensure_future(room_hub.join(3, second))
    await asyncio.sleep(0)
    # when: A's group_add fails (the layer is away for a moment)
    layer.gate.set()
    with pytest.raises(ConnectionError):
        await a
    await b
    # then: B, told it joined, is in a live room that receives events
    assert room_hub.local_sockets(3) == 1
    await layer.inbox.put({"type": events.STATE, "kind": "state", "state": "open"})
    for _ in range(50):
        if second.frames:
            break
        await asyncio.sleep(0)
    assert second.frames == ['{"kind": "state", "state": "open"}']
    await room_hub.leave(3, second)
    assert room_hub.rooms == {}


async def test_a_waiting_join_that_is_cancelled_leaves_no_socket_behind():
    layer = _GatedLayer(fail_first=False)
    room_hub = hub_module.RoomHub(layer)
    first, second = _FakeSocket(), _FakeSocket()
    a = asyncio.ensure_future(room_hub.join(3, first))
    await asyncio.sleep(0)
    b = asyncio.ensure_future(room_hub.join(3, second))
    await asyncio.sleep(0)
    b.cancel()  # its connection went away before the room was ready
    with pytest.raises(asyncio.CancelledError):
        await b
    layer.gate.set()
    await a
    assert room_hub.local_sockets(3) == 1
    await room_hub.leave(3, first)
    assert room_hub.rooms == {}


class _BrokenSocket:
    def deliver(self, event, text) -> None:
        raise RuntimeError("a bug in one socket")


async def test_one_bad_event_or_socket_does_not_end_the_room_s_reader():
    layer = _GatedLayer(fail_first=False)
    layer.gate.set()
    room_hub = hub_module.RoomHub(layer)
    good = _FakeSocket()
    await room_hub.join(4, _BrokenSocket())
    await room_hub.join(4, good)
    # an event that cannot be encoded, then a good one
    await layer.inbox.put({"type": events.STATE, "state": b"\xff"})
    await layer.inbox.put({"type": events.STATE, "kind": "state", "state": "open"})
    for _ in range(50):
        if good.frames:
            break
        await asyncio.sleep(0)
    assert good.frames == ['{"kind": "state", "state": "open"}']
    await layer.inbox.put({"type": events.STATE, "kind": "state", "state": "closed"})
    for _ in range(50):
        if len(good.frames) == 2:
            break
        await asyncio.sleep(0)
    assert good.frames[1] == '{"kind": "state", "state": "closed"}'
    for task in room_hub.rooms[4].tasks:
        task.cancel()


async def test_a_socket_whose_writer_fails_is_closed_not_left_silent():
    # given: a socket whose live frame fails (the database away during a
    # gap's catch-up, say)
    consumer = CaseRoomConsumer()
    consumer._queue = asyncio.Queue(SOCKET_QUEUE)
    consumer._lock = asyncio.Lock()
    closed = []

    async def close(code=None, reason=None):
        closed.append(code)

    async def live(event, text):
        raise OSError("database away")

    consumer.close = close
    consumer._live = live  # type: ignore[method-assign]
    writer = asyncio.ensure_future(consumer._write())
    # when: an event arrives
    consumer.deliver({"type": events.MESSAGE, "seq": 1}, "{}")
    for _ in range(50):
        if closed or writer.done():
            break
        await asyncio.sleep(0)
    # then: the socket is closed (the client reconnects and catches up) rather
    # than left open with no one writing its live frames
    assert closed == [CLOSE_WRITER_FAILED]
    writer.cancel()


async def test_a_socket_whose_connect_fails_after_joining_leaves_the_hub(
    channel_layer_name, monkeypatch
):
    # given: the catch-up read fails once the socket is in the hub (the
    # database away): the consumer dies and no disconnect reaches it
    room, people, _mentor = await make_room(1)

    async def broken(self, after):
        raise OSError("database away")

    monkeypatch.setattr(CaseRoomConsumer, "_catch_up", broken)
    communicator, _ok, _code = await connect(people[0], room)
    with contextlib.suppress(Exception):  # the consumer's own error
        await communicator.wait(timeout=5)
    # then: the hub holds no socket (nor a channel) for it
    assert hub(get_channel_layer()).local_sockets(room.pk) == 0
    assert await _group_members(room) == 0
