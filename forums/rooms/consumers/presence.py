"""Coalesced presence: one frame per room and server process every few seconds.

Announcing every join to the whole room costs N² frames when N people join at
once (a mentor opens a case at shift change), and the flood pushed chat
messages out of the channel layer. Instead each socket's join or leave is one
row write (``services.presence_join`` / ``presence_leave``) plus a note here;
a per-room timer in this process then calls ``services.presence_flush`` at
most once every ``ROOM_PRESENCE_INTERVAL`` seconds, which reads the room once
and publishes one frame with the count and who came or went. Sockets that
joined since the last flush get the current list from the same read, sent to
them alone. A quiet room flushes at once, so a lone join shows without delay.

A room's entry stays after its last flush so that the next change still waits
out the interval; it is a few dozen bytes per room ever joined in this process.
State is per event loop (one per server process; one per test), never shared
between processes: the database holds the truth, this only batches.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from forums.rooms import events, services

logger = logging.getLogger(__name__)
T = TypeVar("T")


def db(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``database_sync_to_async`` for room sockets: the thread pool on PostgreSQL.

    Channels runs every such call on one shared thread by default; when everyone
    joins at once the joins then queue behind each other and miss the server's
    handshake timeout. SQLite (the embedded mode) serialises writers anyway and
    its shared in-memory test database locks between threads, so it keeps the
    one thread.
    """
    parallel = connection.vendor == "postgresql"
    return database_sync_to_async(function, thread_sensitive=not parallel)


MIN_DELAY = 0.05  # seconds: lets joins arriving in the same instant share a flush


class Joiner(Protocol):
    """What the coalescer needs of a socket: somewhere to send the snapshot."""

    async def send_json(self, content: object, close: bool = False) -> None: ...


@dataclass
class _Pending:
    joined: dict[int, str] = field(default_factory=dict)
    left: dict[int, str] = field(default_factory=dict)
    newcomers: list[Joiner] = field(default_factory=list)
    last_flush: float = float("-inf")
    task: asyncio.Task[None] | None = None


class PresenceCoalescer:
    """Batches one process's presence changes per room (see the module docstring)."""

    def __init__(self) -> None:
        self.rooms: dict[int, _Pending] = {}

    def joined(self, room_id: int, user_id: int, name: str, socket: Joiner) -> None:
        pending = self.rooms.setdefault(room_id, _Pending())
        pending.joined[user_id] = name
        pending.newcomers.append(socket)
        self._schedule(room_id, pending)

    def left(self, room_id: int, user_id: int, name: str, socket: Joiner) -> None:
        pending = self.rooms.setdefault(room_id, _Pending())
        pending.left[user_id] = name
        if socket in pending.newcomers:
            pending.newcomers.remove(socket)
        self._schedule(room_id, pending)

    def _schedule(self, room_id: int, pending: _Pending) -> None:
        if pending.task is not None:
            return  # a flush is due; it will carry this change
        loop = asyncio.get_running_loop()
        interval = float(getattr(settings, "ROOM_PRESENCE_INTERVAL", 2.0))
        delay = max(MIN_DELAY, pending.last_flush + interval - loop.time())
        pending.task = loop.create_task(self._flush_later(room_id, pending, delay))

    async def _flush_later(self, room_id: int, pending: _Pending, delay: float) -> None:
        await asyncio.sleep(delay)
        joined, left, newcomers = pending.joined, pending.left, pending.newcomers
        pending.joined, pending.left, pending.newcomers = {}, {}, []
        pending.last_flush = asyncio.get_running_loop().time()
        try:
            now = await db(services.presence_flush)(
                room_id=room_id, joined=joined, left=left
            )
        except Exception:  # a lost presence frame must not stop later ones
            logger.exception("presence flush failed for room %s", room_id)
            now = None
        pending.task = None
        if pending.joined or pending.left:
            self._schedule(room_id, pending)
        if now is None:
            return
        snapshot = events.presence_snapshot(count=now.count, names=now.names)
        for socket in newcomers:
            try:
                await socket.send_json(snapshot)
            except Exception:  # noqa: BLE001 - the socket closed meanwhile
                logger.debug("presence snapshot not sent", exc_info=True)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PresenceCoalescer] = (
    weakref.WeakKeyDictionary()
)


def coalescer() -> PresenceCoalescer:
    """This event loop's (this process's) coalescer."""
    loop = asyncio.get_running_loop()
    found = _by_loop.get(loop)
    if found is None:
        found = _by_loop[loop] = PresenceCoalescer()
    return found
