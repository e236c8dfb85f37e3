"""What `seed_demo` hands to each app's own `<app>/demo.py:seed(world, out)`."""

from __future__ import annotations

from dataclasses import dataclass, field

from cpd.models import Cohort, Organisation, User


@dataclass
class DemoWorld:
    """The demo organisation, its cohorts and people, by short names.

    users: "admin", "amina" (mentor, maternal), "joseph" (mentor, emergency),
    "faith", "mercy" (learners, maternal), "peter" (learner, both), "hassan"
    (learner, emergency). cohorts: "maternal", "emergency".
    """

    organisation: Organisation
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
