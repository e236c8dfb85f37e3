"""Per-user rate limits counted in the shared cache (Redis in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

# action -> (allowed events, window in seconds); FORUMS_RATE_LIMITS overrides.
DEFAULT_LIMITS = {"post": (10, 60), "report": (5, 600), "room_message": (20, 60)}


class RateLimited(Exception):
    """The user did this too often; the message says how long to wait."""

    def __init__(self, wait_seconds: int, action: str = "post") -> None:
        self.wait_seconds = wait_seconds
        text = (
            _("You have sent many reports. Wait %(n)d seconds and try again.")
            if action == "report"
            else _("You are posting too fast. Wait %(n)d seconds and try again.")
        )
        super().__init__(text % {"n": wait_seconds})


def rate_limit_hit(*, user_id: int, action: str) -> None:
    """Count one event of ``action`` by the user; raise RateLimited over the limit."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "FORUMS_RATE_LIMITS", {})}
    allowed, window = limits[action]
    key = f"forums:rl:{action}:{user_id}"
    # add() is atomic: it starts a window only if none is running.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    if count > allowed:
        raise RateLimited(window, action)
