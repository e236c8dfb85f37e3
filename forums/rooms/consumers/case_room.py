"""The case-room socket: thin — policy checks, service calls, relay of events.

Live events reach the socket through this process's room hub (``hub``: one
channel-layer receiver per process and room, not one per socket). Catch-up is
gap-free: the socket joins the hub *before* reading the database, so a message
stored meanwhile arrives either in the catch-up or as a live event; live
events numbered at or below what was already sent are dropped, and a jump in
numbers (the channel layer delivers at most once) is filled from the database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from cpd.consumers import FrameError, GuardedJsonConsumer
from cpd.limits import RateLimited
from cpd.models import User
from cpd.policies import forget_roles
from cpd.selectors import images_for_attachment
from forums.rooms import events, selectors, services
from forums.rooms.consumers import frames
from forums.rooms.consumers.frames import frame_kind, message_clean, service_error
from forums.rooms.consumers.hub import SOCKET_QUEUE, hub
from forums.rooms.consumers.presence import coalescer, db
from forums.rooms.models import Room

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
# The socket fell this many messages behind its live events (its buffer in the
# channel layer overflowed: a phone on a stalled network, a tab asleep). It is
# closed rather than fed a large catch-up inline; the client reconnects with
# ?after=<last seq> and catches up from the database like after any drop.
CLOSE_TOO_SLOW = 4408
BEHIND_LIMIT = 100
# A live frame could not be written (the database away during a gap's
# catch-up): closed, so the client reconnects and catches up, not left silent.
CLOSE_WRITER_FAILED = 1011

logger = logging.getLogger(__name__)


class CaseRoomConsumer(GuardedJsonConsumer):
    """One socket on one room.

    Every frame is checked (``GuardedJsonConsumer``, then ``frames``) before a
    service sees it; a refused frame gets an ``error`` event, never a close.
    """

    room: Room | None = None
    user: User | None = None
    last_seq = 0
    _queue: asyncio.Queue[tuple[dict[str, Any], str]] | None = None
    _writer: asyncio.Task[None] | None = None
    _too_slow = False
    _closing: asyncio.Task[None] | None = None
    _lock: asyncio.Lock

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.room = await db(selectors.room_get_for_user)(
                user, int(self.scope["url_route"]["kwargs"]["room_id"])
            )
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        self.guard_start()
        self._queue = asyncio.Queue(SOCKET_QUEUE)
        self._lock = asyncio.Lock()  # catch-up and live frames, one at a time
        await hub(self.channel_layer).join(self.room.pk, self)
        try:
            await self.accept()
            query = parse_qs(self.scope.get("query_string", b"").decode())
            after = query.get("after", [""])[0]
            await self._catch_up(int(after) if after.isdigit() else None)
            self._writer = asyncio.get_running_loop().create_task(self._write())
            await db(services.presence_join)(
                room=self.room, user=user, channel_name=self.channel_name
            )
        except BaseException:
            # No disconnect reaches a consumer whose connect failed: leave here.
            if self._writer is not None:
                self._writer.cancel()
            await hub(self.channel_layer).leave(self.room.pk, self)
            raise
        coalescer().joined(self.room.pk, user.pk, user.display_name, self)

    async def disconnect(self, code: int) -> None:
        if self._writer is not None:
            self._writer.cancel()
        if self.room is not None:
            await hub(self.channel_layer).leave(self.room.pk, self)
            await db(services.presence_leave)(channel_name=self.channel_name)
            if self.user is not None:
                coalescer().left(
                    self.room.pk, self.user.pk, self.user.display_name, self
                )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.room is None or self.user is None:
            return
        kind = frame_kind(content)
        if kind == "ping":
            await db(services.presence_touch)(channel_name=self.channel_name)
            await self.send_json({"kind": "pong"})
        elif kind == "resume":
            async with self._lock:
                await self._catch_up(content.get("after"))
        elif kind == "message":
            async with self._lock:  # the ack goes out before the live echo
                await self._post(content)

    def frame_echo(self, content: dict[str, Any]) -> dict[str, Any]:
        # The client key tells rooms.js which pending message was refused.
        return frames.client_key_of(content)

    async def _post(self, content: dict[str, Any]) -> None:
        cleaned = message_clean(content)
        key = cleaned["client_key"]
        try:
            message = await db(self._post_sync)(cleaned)
        except ValidationError as exc:
            code, field, text = service_error(exc)
            raise FrameError(code, text, client_key=key, field=field) from None
        except PermissionDenied as exc:
            raise FrameError("forbidden", str(exc), client_key=key) from None
        except RateLimited as exc:
            raise FrameError(
                "rate_limited", str(exc), client_key=key, retry_after=exc.wait_seconds
            ) from None
        await self.send_json({"kind": "ack", "client_key": key, "seq": message.seq})

    def _post_sync(self, cleaned: dict[str, Any]) -> Any:
        if self.room is None or self.user is None:
            raise PermissionDenied
        # The service's messages are translated in this thread.
        with translation.override(self.language):
            # Re-read roles on every message: a membership may end mid-connection,
            # and message_post's own can_view_room check then refuses it.
            forget_roles(self.user)
            image_id = cleaned.get("image")
            image = (
                images_for_attachment(self.user, [image_id])[0] if image_id else None
            )
            return services.message_post(
                actor=self.user,
                room=self.room,
                body=cleaned["body"],
                client_key=cleaned["client_key"],
                reply_to_seq=cleaned.get("reply_to"),
                image=image,
            )

    async def _catch_up(self, after: int | None) -> None:
        if self.room is None:
            return
        if after is None:
            batch = await db(selectors.room_recent)(self.room)
        else:
            batch = await db(selectors.room_messages_after)(self.room, after)
        payloads = [events.message_payload(m) for m in batch]
        if after is not None:
            self.last_seq = max(self.last_seq, after)
        await self.send_json({"kind": "history", "messages": payloads})
        if payloads:
            self.last_seq = max(self.last_seq, payloads[-1]["seq"])

    # --- live events, from this process's room hub ------------------------------------
    def deliver(self, event: dict[str, Any], text: str) -> None:
        """Queue a live event (and its encoded frame); never waits."""
        if self._queue is None or self._too_slow:
            return
        try:
            self._queue.put_nowait((event, text))
        except asyncio.QueueFull:
            # Its network stalled: close it (it catches up from the database
            # on reconnecting) rather than hold the room's frames for it.
            self._too_slow = True
            # Held: the loop keeps only a weak reference to a task.
            self._closing = asyncio.get_running_loop().create_task(
                self.close(code=CLOSE_TOO_SLOW)
            )

    async def _write(self) -> None:
        queue = self._queue
        if queue is None:
            return
        while True:
            event, text = await queue.get()
            try:
                async with self._lock:
                    await self._live(event, text)
            except Exception:  # noqa: BLE001 - any failure: close, never go silent
                logger.exception("room socket: live frame not written")
                await self.close(code=CLOSE_WRITER_FAILED)
                return

    async def _live(self, event: dict[str, Any], text: str) -> None:
        kind = event.get("type")
        if kind == events.MESSAGE:
            seq = event["seq"]
            if seq <= self.last_seq:
                return  # already sent in the catch-up
            if seq > self.last_seq + BEHIND_LIMIT:
                await self.close(code=CLOSE_TOO_SLOW)
                return
            if seq > self.last_seq + 1:
                await self._catch_up(self.last_seq)  # a dropped event: from the DB
                return
            self.last_seq = seq
        elif kind == events.STATE and self.room is not None:
            self.room.state = event["state"]
        await self.send(text_data=text)
