"""Sockets of the platform: a guarded JSON socket, and the per-user notifications.

``GuardedJsonConsumer`` is what every inbound frame passes before a feature
sees it. A frame that is binary, too large, holds a NUL, is not JSON or not an
object, or comes faster than the connection's allowance, is answered with an
``error`` event (a stable ``code`` and a message in the user's language) and
the socket stays open: closing it made clients reconnect and resend the same
frame forever. The allowance is a token bucket per connection, so one client's
flood slows that client only.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from cpd.realtime import user_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401

# A room message is at most 2,000 characters; JSON may escape each as \uXXXX
# (6 characters), and the other fields are short. Anything larger is refused
# before it is parsed.
MAX_FRAME_CHARS = 16_384
# Inbound frames per second per connection, and the burst allowed above it
# (settings.SOCKET_FRAME_RATE / SOCKET_FRAME_BURST override): a client that
# resends twenty pending messages on reconnect is not slowed; a loop is.
DEFAULT_FRAME_RATE = 5.0
DEFAULT_FRAME_BURST = 20


class FrameError(Exception):
    """An inbound frame refused; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; each frame takes one."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Take a token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1 - self.tokens) / self.rate) if self.rate > 0 else 1.0


def _nul_error() -> FrameError:
    return FrameError("nul_byte", _("Remove the NUL character and send again."))


def _holds_nul(value: Any) -> bool:
    """Whether any string (key or value) in decoded JSON holds a NUL.

    Iterative: a frame may nest as deep as the JSON parser allows.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def scope_language(scope: dict[str, Any]) -> str:
    """The language cookie wins, then the user's preferred language (as pages do)."""
    known = dict(settings.LANGUAGES)
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in known:
        return str(cookie)
    user = scope.get("user")
    preferred = getattr(user, "preferred_language", "")
    if preferred in known:
        return str(preferred)
    return str(settings.LANGUAGE_CODE)


class GuardedJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket that answers bad or excess frames with an error, not a close.

    Subclasses implement ``receive_json`` and may raise ``FrameError`` from it;
    an unexpected exception is logged and answered with ``server_error``.
    """

    bucket: TokenBucket | None = None
    language = "en"
    # When the last "slow_down" was sent: a flood is told once a second, not
    # once a frame (answering every excess frame would be a flood back).
    _slowed_at = float("-inf")

    def guard_start(self) -> None:
        """Call on connect, before ``accept``: the allowance and the language."""
        self.bucket = TokenBucket(
            float(getattr(settings, "SOCKET_FRAME_RATE", DEFAULT_FRAME_RATE)),
            int(getattr(settings, "SOCKET_FRAME_BURST", DEFAULT_FRAME_BURST)),
        )
        self.language = scope_language(self.scope)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kw: Any
    ) -> None:
        with translation.override(self.language):
            content: dict[str, Any] = {}
            try:
                decoded = self._decode(text_data, bytes_data)
                if decoded is None:
                    return
                content = decoded
                if _holds_nul(content):
                    # PostgreSQL refuses NUL in text; the HTTP form refuses it too.
                    raise _nul_error()
                await self.receive_json(content)
            except FrameError as exc:
                extra = {**self.frame_echo(content), **exc.extra}
                await self.send_error(exc.code, exc.message, **extra)
            except Exception:
                logger.exception("socket frame failed")
                await self.send_error(
                    "server_error",
                    _("Something went wrong. Try again in a moment."),
                    **self.frame_echo(content),
                )

    def frame_echo(self, content: dict[str, Any]) -> dict[str, Any]:
        """What of a refused frame goes back with its error (e.g. the client key)."""
        return {}

    def _decode(
        self, text_data: str | None, bytes_data: bytes | None
    ) -> dict[str, Any] | None:
        """The frame's JSON object, or None when the throttle dropped it."""
        if self.bucket is not None and not self.bucket.take():
            now = time.monotonic()
            if now - self._slowed_at >= 1:
                self._slowed_at = now
                raise FrameError(
                    "slow_down",
                    _("Too many messages at once. Wait a moment."),
                    retry_after=max(1, round(self.bucket.wait() + 0.5)),
                )
            return None
        if text_data is None:
            raise FrameError("binary_frame", _("Send text frames of JSON, not binary."))
        if len(text_data) > MAX_FRAME_CHARS:
            raise FrameError(
                "frame_too_large",
                _("That is too large to send (at most %(n)d characters).")
                % {"n": MAX_FRAME_CHARS},
            )
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            if "\x00" in text_data:  # a raw NUL is not JSON; name the real problem
                raise _nul_error() from None
            raise FrameError("not_json", _("That was not JSON.")) from None
        if not isinstance(content, dict):
            raise FrameError("not_an_object", _("Send a JSON object with a kind."))
        return content

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        """One ``error`` event: a stable code, a message, and any context."""
        await self.send_json(
            {"kind": "error", "code": code, "message": message, **extra}
        )


class NotificationConsumer(GuardedJsonConsumer):
    """Signed-in users receive their own events; anyone else is refused."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.guard_start()
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"kind": "hello"})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The only inbound message is a heartbeat that keeps carrier NATs open.
        if content.get("kind") != "ping":
            raise FrameError("unknown_kind", _("Unknown kind of message."))
        await self.send_json({"kind": "pong"})

    async def notify(self, event: dict[str, Any]) -> None:
        await self.send_json({k: v for k, v in event.items() if k != "type"})
