"""What the mentoring app does for an enrolment's mentor column.

``cpd`` cannot import ``mentoring``, so mentoring registers, in its
``AppConfig.ready()``, a reader of learners' current mentors (for the preview's
verdicts) and an assigner (for the confirmation). Without them the mentor
column is reported as not applied, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cpd.models import Cohort, User

# (cohort, learner ids) -> {learner id: mentor id}; one query.
CurrentMentors = Callable[[Cohort, list[int]], dict[int, int]]
# (actor, cohort, learner, mentor) -> "" when done, else why not (capacity...).
AssignMentor = Callable[[User, Cohort, User, User], str]


@dataclass
class _Hooks:
    current: CurrentMentors | None = None
    assign: AssignMentor | None = None


_hooks = _Hooks()


def mentor_hooks_register(*, current: CurrentMentors, assign: AssignMentor) -> None:
    _hooks.current = current
    _hooks.assign = assign


def current_mentors(cohort: Cohort, learner_ids: list[int]) -> dict[int, int]:
    if _hooks.current is None or not learner_ids:
        return {}
    return _hooks.current(cohort, learner_ids)


def assign_mentor(
    actor: User, cohort: Cohort, learner: User, mentor: User
) -> str | None:
    """None when no app assigns mentors."""
    if _hooks.assign is None:
        return None
    return _hooks.assign(actor, cohort, learner, mentor)
