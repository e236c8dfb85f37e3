"""Profile and pairing reads: mentor profiles, active pairings, changes, unpaired."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cpd.models import Cohort, Role, User
from cpd.policies import AnyUser
from mentoring import policies
from mentoring.models import MentorProfile, Pairing, PairingChange, PairingRun

# Rows of a proposal shown (with a mentor choice each) on the run page; larger
# proposals are confirmed as a whole and changed afterwards pair by pair.
RUN_PAGE_ROWS = 200


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


def pairing_run_get_for_user(user: AnyUser, run_id: int) -> PairingRun:
    """A pairing run, for its cohort's administrators only; anyone else Http404."""
    run = PairingRun.objects.select_related("cohort", "actor").filter(pk=run_id).first()
    if run is None or not policies.can_pair_in_cohort(user, run.cohort):
        raise Http404("No such pairing run.")
    return run


def pairing_runs_of_cohort(cohort: Cohort, limit: int = 5) -> QuerySet[PairingRun]:
    """The cohort's latest pairing runs (newest first), without their proposals."""
    return (
        PairingRun.objects.filter(cohort=cohort)
        .select_related("actor")
        .defer("result")
        .order_by("-created_at", "-id")[:limit]
    )


def pairing_run_rows(run: PairingRun, limit: int = RUN_PAGE_ROWS) -> list[dict]:
    """Up to ``limit`` waiting learners of a done run (the lowest ids, shown by
    name), with the proposed mentor id (None: no free place) and fit codes."""
    proposed = {
        int(lid): (int(mid), fit) for lid, mid, fit in run.result.get("pairs", [])
    }
    waiting = [*proposed, *(int(i) for i in run.result.get("unpaired", []))]
    shown = sorted(waiting)[:limit]
    learners = User.objects.filter(pk__in=shown).order_by("display_name", "pk")
    rows: list[dict] = []
    for learner in learners:
        mentor_id, fit = proposed.get(learner.pk, (None, []))
        rows.append({"learner": learner, "proposed": mentor_id, "fit": fit})
    return rows


def cohort_mentors(cohort: Cohort) -> QuerySet[User]:
    """The cohort's mentors, by name."""
    return User.objects.filter(
        memberships__cohort=cohort, memberships__role=Role.MENTOR
    ).order_by("display_name", "pk")
