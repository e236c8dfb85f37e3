"""The bell's unread count in the layout (one COUNT on an indexed partial index)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cpd.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not show the bell (none today) pay nothing.
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
