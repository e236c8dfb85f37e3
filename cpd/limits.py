"""Per-user rate limits, counted in the shared cache (Redis in production).

One place for every app: forums posts and reports, room messages, mentor
messages, message reports and check-ins. ``RateLimited`` is mapped once to an
HTTP 429 for the API (``cpd.api.exceptions``) and once to a form error with
status 429 for pages (``cpd.forms.rate_limit_error``).

The cache is a counter here, never the record: when it cannot be reached the
limit is not applied (the write goes through) and a warning is logged, so a
Redis outage never refuses a write that PostgreSQL can take.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# action -> (allowed events, window in seconds); settings.RATE_LIMITS overrides.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "post": (10, 60),
    "report": (5, 600),
    "room_message": (20, 60),
    "mentor_message": (20, 60),
    # A check-in queues reminders to both people (in-app and email): a mentor
    # with a full group schedules a few a day, never dozens in ten minutes.
    "checkin": (20, 600),
    # Attendance codes (QR or typed): a learner checks in once or twice a day;
    # more tries than this in ten minutes is guessing at the short code.
    "attendance_code": (10, 600),
    # Wrong join-link codes (per person, or per address before sign-in): a
    # typo or two is fine, guessing the 31^8 codes is not.
    "join_code": (10, 600),
}

_MESSAGES: dict[str, Any] = {
    "report": _("You have sent many reports. Wait %(n)d seconds and try again."),
    "checkin": _(
        "You have scheduled many check-ins. Wait %(n)d seconds and try again."
    ),
    "attendance_code": _(
        "You have tried many attendance codes. Wait %(n)d seconds and try again."
    ),
    "join_code": _(
        "Too many wrong codes. Wait %(n)d seconds, then check the code and try again."
    ),
}
_DEFAULT_MESSAGE = _("You are posting too fast. Wait %(n)d seconds and try again.")

TOO_MANY_REQUESTS = 429


class RateLimited(Exception):
    """The user did this too often; the message says how long to wait."""

    def __init__(self, wait_seconds: int, action: str = "post") -> None:
        self.wait_seconds = wait_seconds
        self.action = action
        super().__init__(
            str(_MESSAGES.get(action, _DEFAULT_MESSAGE)) % {"n": wait_seconds}
        )


def limits() -> dict[str, tuple[int, int]]:
    """The limits in force: the defaults with ``settings.RATE_LIMITS`` on top."""
    return {**DEFAULT_LIMITS, **getattr(settings, "RATE_LIMITS", {})}


def rate_limit_hit(*, user_id: int | str, action: str) -> None:
    """Count one event of ``action`` by the user; raise RateLimited over the limit.

    Fails open (counts nothing, raises nothing) when the cache is unreachable.
    """
    allowed, window = limits()[action]
    key = f"cpd:rl:{action}:{user_id}"
    cache = caches["counters"]
    try:
        # add() is atomic: it starts a window only if none is running.
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add() and incr()
            cache.add(key, 1, timeout=window)
            count = 1
    except Exception:  # noqa: BLE001 - any cache failure: the limit is advisory
        logger.warning("rate limit for %s not applied: cache unavailable", action)
        return
    if count > allowed:
        raise RateLimited(window, action)


def rate_limit_reached(*, user_id: int | str, action: str) -> bool:
    """Whether ``action`` is already over its limit, counting nothing.

    For limits that count only failures (wrong codes): the attempt is
    refused before it is looked at. False when the cache is unreachable.
    """
    allowed, _window = limits()[action]
    try:
        count = caches["counters"].get(f"cpd:rl:{action}:{user_id}") or 0
    except Exception:  # noqa: BLE001 - any cache failure: the limit is advisory
        return False
    return int(count) >= allowed


def _cache_reachable() -> bool:
    try:
        caches["counters"].get("cpd:rl:ping")
    except Exception:  # noqa: BLE001 - any cache failure: it is away
        return False
    return True


def allauth_limits_fail_open() -> None:
    """Let allauth's sign-in rate limits fail open, as ours do (from AppConfig.ready).

    allauth guards each counter with a lock taken by ``cache.add``; with the cache
    away the lock is never taken, and allauth then refuses the request (429 "too
    many requests" for every sign-in after a 1 s wait per limit). A cache outage
    would keep everyone out. The wrapper skips the lock, with a warning, when the
    cache cannot be reached; allauth's counting then reads and writes nothing.
    """
    from allauth.core.internal import ratelimit

    original: Callable[[str], AbstractContextManager[bool]] = ratelimit.cache_lock
    if getattr(original, "cpd_fail_open", False):
        return

    @contextmanager
    def cache_lock(cache_key: str) -> Iterator[bool]:
        if not _cache_reachable():
            logger.warning("sign-in rate limit not applied: cache unavailable")
            yield True
            return
        with original(cache_key) as locked:
            yield locked

    cache_lock.cpd_fail_open = True  # type: ignore[attr-defined]
    ratelimit.cache_lock = cache_lock
