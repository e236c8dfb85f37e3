"""Who may see, speak in and control case rooms.

A room belongs to one cohort: its members (any role) and the organisation's
administrators see it and, while it is open, post; the cohort's mentors and
administrators open case rooms, close, reopen, archive and hide messages.
Anyone else sees nothing: 404 on pages and API, a refused socket.
"""

from __future__ import annotations

from django.db.models import Q

from cpd.models import Cohort
from cpd.policies import (
    AnyUser,
    can_moderate_cohort,
    can_view_cohort,
    cohorts_visible_to,
)
from forums.rooms.models import Room


def rooms_visible_to(user: AnyUser) -> Q:
    """Rooms of cohorts the user can see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(cohort__in=Cohort.objects.filter(cohorts_visible_to(user)).values("pk"))


def can_view_room(user: AnyUser, room: Room) -> bool:
    """Object form of ``rooms_visible_to``."""
    return can_view_cohort(user, room.cohort)


def can_post_in_room(user: AnyUser, room: Room) -> bool:
    """Members post while the room is open; closed and archived rooms are read-only."""
    return room.is_open and can_view_room(user, room)


def can_control_room(user: AnyUser, room: Room) -> bool:
    """The cohort's mentors and administrators close, reopen, archive, hide."""
    return can_moderate_cohort(user, room.cohort)


def can_open_case_room(user: AnyUser, cohort: Cohort) -> bool:
    """Mentors and administrators open ad-hoc case rooms."""
    return can_moderate_cohort(user, cohort)
