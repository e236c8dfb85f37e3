"""Forums' part of cpd's administrator's area (registered in ForumsConfig.ready).

A new cohort gets its default forum and its standing case room at once, in
the creating transaction, instead of on first use (both stay idempotent).
"""

from __future__ import annotations

from cpd.models import Cohort, User
from forums.rooms.services import room_standing_for_cohort
from forums.services.forums import forum_for_cohort


def cohort_spaces_create(cohort: Cohort, actor: User) -> None:
    forum_for_cohort(cohort)
    room_standing_for_cohort(cohort=cohort)


def register() -> None:
    from cpd import cohort_hooks

    cohort_hooks.hook_register(cohort_hooks.CREATED, cohort_spaces_create)
