"""Mentoring's part of cpd's administrator's area (registered in MentoringConfig).

Counts of learners without a mentor, each mentor's load against capacity (from
the pairing service's mentor specs) and starting a pairing run to review.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef
from django.urls import reverse

from cpd.cohort_hooks import MentorLoadRow
from cpd.models import Cohort, Membership, Role, User
from mentoring.models import Pairing
from mentoring.services import pairing, pairing_runs


def unpaired_by_cohort(cohort_ids: Sequence[int]) -> dict[int, list[int]]:
    """Learners without an active pairing, per cohort (one query)."""
    paired = Pairing.objects.filter(
        cohort_id=OuterRef("cohort_id"), learner_id=OuterRef("user_id"), active=True
    )
    out: dict[int, list[int]] = {}
    rows = (
        Membership.objects.filter(cohort_id__in=list(cohort_ids), role=Role.LEARNER)
        .exclude(Exists(paired))
        .order_by("cohort_id", "user_id")
        .values_list("cohort_id", "user_id")
    )
    for cohort_id, user_id in rows:
        out.setdefault(cohort_id, []).append(user_id)
    return out


def mentor_load_rows(cohort: Cohort) -> list[MentorLoadRow]:
    """Each mentor's active mentees and capacity (three queries)."""
    mentors = [
        m.user
        for m in Membership.objects.filter(cohort=cohort, role=Role.MENTOR)
        .select_related("user")
        .order_by("user__display_name", "user_id")
    ]
    specs = pairing.mentor_specs(cohort, mentors)
    return [
        MentorLoadRow(mentor=m, mentees=specs[m.pk].load, capacity=specs[m.pk].capacity)
        for m in mentors
    ]


def pairing_run_for_review(actor: User, cohort: Cohort, mode: str) -> str:
    """Start a background pairing run; its page shows the proposal to review."""
    run = pairing_runs.pairing_run_start(actor=actor, cohort=cohort, mode=mode)
    return reverse("mentoring-pairing-run", args=[run.pk])


def register() -> None:
    from cpd import cohort_hooks

    cohort_hooks.hook_register(cohort_hooks.UNPAIRED, unpaired_by_cohort)
    cohort_hooks.hook_register(cohort_hooks.MENTOR_LOADS, mentor_load_rows)
    cohort_hooks.hook_register(cohort_hooks.PAIRING_RUN, pairing_run_for_review)
