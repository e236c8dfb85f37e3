"""Profile and pairing reads: mentor profiles, active pairings, changes, unpaired."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cpd.models import Cohort, Role, User
from cpd.policies import AnyUser
from mentoring import policies
from mentoring.models import MentorProfile, Pairing, PairingChange


def mentor_profile_list_for_user(user: AnyUser) -> QuerySet[MentorProfile]:
    """Mentor profiles the user may see, with users and specialties."""
    return (
        MentorProfile.objects.filter(policies.mentor_profiles_visible_to(user))
        .select_related("user")
        .prefetch_related("specialties")
        .order_by("user__display_name", "pk")
    )


def mentor_profile_of(user: User) -> MentorProfile | None:
    """The user's own mentor profile, if any."""
    return (
        MentorProfile.objects.filter(user=user).prefetch_related("specialties").first()
    )


def pairing_list_for_user(user: AnyUser, cohort: Cohort) -> QuerySet[Pairing]:
    """Active pairings of a cohort that the user may see."""
    return (
        Pairing.objects.filter(policies.pairings_visible_to(user))
        .filter(cohort=cohort, active=True)
        .select_related("mentor", "learner", "cohort")
        .order_by("mentor__display_name", "mentor_id", "learner__display_name")
    )


def pairing_get_for_user(user: AnyUser, pairing_id: int) -> Pairing:
    """One visible pairing, or Http404."""
    pairing = (
        Pairing.objects.filter(policies.pairings_visible_to(user), pk=pairing_id)
        .select_related("mentor", "learner", "cohort")
        .first()
    )
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


def pairing_changes(cohort: Cohort, limit: int = 50) -> QuerySet[PairingChange]:
    """The latest pairing changes of a cohort (audit trail)."""
    return PairingChange.objects.filter(cohort=cohort).select_related(
        "learner", "old_mentor", "new_mentor", "actor"
    )[:limit]


def unpaired_learners(cohort: Cohort) -> QuerySet[User]:
    """Learners of the cohort without an active pairing."""
    paired = Pairing.objects.filter(cohort=cohort, active=True).values("learner_id")
    return (
        User.objects.filter(memberships__cohort=cohort, memberships__role=Role.LEARNER)
        .exclude(pk__in=paired)
        .order_by("display_name", "pk")
    )
