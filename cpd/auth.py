"""The signed-in user of a request, typed, for interfaces that require one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from cpd.models import User


def acting_user(request: Any) -> User:
    """``request.user`` as a User; anyone else is refused (views guard earlier)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise PermissionDenied
    return user
