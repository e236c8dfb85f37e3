"""One channel-layer receiver per process and room, handing events to local sockets.

With a group member per socket, a message to a room of 500 is 500 entries
written to Redis and 500 reads, one per socket's consumer, before the last
socket sees it (docs/benchmarks.md, "Case-room fan-out"). Here each ASGI
process holds **one** channel in the room's group, whatever its number of
sockets there: the hub reads an event once, encodes its frame once, and puts
it in each local socket's own bounded queue. Each socket writes its queue in
its own task, in order, so a phone on a stalled network slows only itself;
when its queue is full it is closed with 4408 and catches up from the database
on reconnecting, as after any drop.

The channel joins the group before the first socket reads the database, so
catch-up stays gap-free (a socket waits for ``join`` to return). The hub
re-joins the group now and then, and after the layer failed (a Redis restart
forgets groups), so a long-lived process never silently drops out of a room.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from forums.rooms.events import room_group

logger = logging.getLogger(__name__)

# Frames a socket may have waiting before it counts as too slow.
SOCKET_QUEUE = 200
# How often the hub re-adds its channel to a room's group, in seconds (well
# under channels_redis's group expiry).
REJOIN_SECONDS = 600.0
# Pause after the layer failed before reading again, in seconds.
RETRY_SECONDS = 1.0


class Socket(Protocol):
    def deliver(self, event: dict[str, Any], text: str) -> None: ...


@dataclass(eq=False)
class _Room:
    sockets: set[Socket] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    channel: str = ""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closed: bool = False


STOP = "rooms.hub.stop"  # wakes a room's reader so that it ends by itself


def frame_text(event: dict[str, Any]) -> str:
    """The frame clients receive for a channel-layer event (``type`` dropped)."""
    return json.dumps({k: v for k, v in event.items() if k != "type"})


class RoomHub:
    """This process's rooms: one group channel each, and its local sockets."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.rooms: dict[int, _Room] = {}

    async def join(self, room_id: int, socket: Socket) -> None:
        """Add a socket; returns once the room's channel is in the group."""
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = _Room()
            room.sockets.add(socket)
            try:
                # The layer's own prefix: channels_redis reads every channel of
                # a process from one list, named by that prefix.
                room.channel = await self.layer.new_channel()
                await self.layer.group_add(room_group(room_id), room.channel)
            except BaseException:
                if self.rooms.get(room_id) is room:
                    del self.rooms[room_id]
                room.ready.set()
                raise
            loop = asyncio.get_running_loop()
            room.tasks = [
                loop.create_task(self._read(room_id, room)),
                loop.create_task(self._rejoin(room_id, room)),
            ]
            room.ready.set()
            return
        room.sockets.add(socket)
        try:
            await room.ready.wait()
        except BaseException:  # its connection went away meanwhile
            room.sockets.discard(socket)
            raise
        if self.rooms.get(room_id) is not room:
            # The socket creating the channel failed or was cancelled: try
            # again (this socket may create it), or raise as that one did.
            await self.join(room_id, socket)

    async def leave(self, room_id: int, socket: Socket) -> None:
        """Remove a socket; the last one out takes the channel out of the group."""
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.sockets.discard(socket)
        if room.sockets or not room.ready.is_set():
            return
        del self.rooms[room_id]
        room.closed = True
        reader, rejoin = room.tasks if room.tasks else (None, None)
        if rejoin is not None:
            rejoin.cancel()
        if room.channel:
            try:
                await self.layer.group_discard(room_group(room_id), room.channel)
                # The reader is waiting in the layer's receive, which does not
                # take cancelling well (channels_redis shares one receive lock
                # among a process's channels): wake it with a message instead.
                await self.layer.send(room.channel, {"type": STOP})
            except Exception:  # noqa: BLE001 - it expires from the group anyway
                logger.warning("room %s: hub channel not discarded", room_id)
                if reader is not None:
                    reader.cancel()

    def local_sockets(self, room_id: int) -> int:
        room = self.rooms.get(room_id)
        return len(room.sockets) if room else 0

    async def _read(self, room_id: int, room: _Room) -> None:
        failed = False
        while not room.closed:
            try:
                if failed:  # a restarted Redis has forgotten the group
                    await self.layer.group_add(room_group(room_id), room.channel)
                    failed = False
                event = await self.layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the layer is away: sockets catch up
                logger.warning("room %s: channel layer unavailable", room_id)
                failed = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if room.closed or event.get("type") == STOP:
                return
            try:
                text = frame_text(event)
            except (TypeError, ValueError):  # one bad event must not end the room
                logger.exception("room %s: event not encoded", room_id)
                continue
            for socket in list(room.sockets):
                try:
                    socket.deliver(event, text)
                except Exception:  # noqa: BLE001 - nor one socket, the others
                    logger.exception("room %s: event not delivered", room_id)

    async def _rejoin(self, room_id: int, room: _Room) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            try:
                await self.layer.group_add(room_group(room_id), room.channel)
            except Exception:  # noqa: BLE001 - _read re-adds after a failure
                logger.warning("room %s: hub channel not re-added", room_id)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = (
    weakref.WeakKeyDictionary()
)


def hub(layer: Any) -> RoomHub:
    """This event loop's (this process's) hub on ``layer``."""
    loop = asyncio.get_running_loop()
    found = _by_loop.get(loop)
    if found is None or found.layer is not layer:
        found = _by_loop[loop] = RoomHub(layer)
    return found
