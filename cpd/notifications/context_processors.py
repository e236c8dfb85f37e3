"""The bell's unread count in the layout (one COUNT on a partial index)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cpd.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A plain int: plural rules (Arabic's n % 100) need a number, not a proxy.
    return {"notifications_unread": unread_count(user)}
