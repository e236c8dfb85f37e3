"""Capacity-aware automatic pairing (an assignment problem) and admin overrides.

The cost model and the solver live in ``pairing_solver`` (pure, no database; a
min-cost flow over learner classes, hubs and mentor groups, see its docstring and
docs/mentoring.md); stored, background runs in ``pairing_runs``. This module holds
the database side: the specs built for the solver, preview, confirm and reassign.
Names of the solver are re-exported so callers keep importing them from here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd import policies
from cpd.models import Cohort, Membership, Role, User
from mentoring.models import (
    DEFAULT_CAPACITY,
    MentorProfile,
    Pairing,
    PairingChange,
    PairingMode,
)
from mentoring.services.conversations import (
    conversation_for_pairing,
    conversations_for_pairings,
)
from mentoring.services.pairing_solver import (
    DISTRICT_WEIGHT,
    LANGUAGE_WEIGHT,
    SPECIALTY_WEIGHT,
    UNPAIRED_COST,
    LearnerSpec,
    MentorSpec,
    Plan,
    match_cost,
    plan_cost,
    plan_pairs,
)

__all__ = [
    "DEFAULT_CAPACITY",
    "DISTRICT_WEIGHT",
    "LANGUAGE_WEIGHT",
    "SPECIALTY_WEIGHT",
    "UNPAIRED_COST",
    "LearnerSpec",
    "MentorSpec",
    "Plan",
    "Proposal",
    "PairingInputs",
    "fit_codes",
    "fit_label",
    "fit_labels",
    "pair_create",
    "pairs_create",
    "pairing_inputs",
    "require_manager",
    "require_mode",
    "match_cost",
    "mentor_specs",
    "pairing_confirm",
    "pairing_preview",
    "pairing_reassign",
    "plan_cost",
    "plan_pairs",
]


def fit_codes(learner: LearnerSpec, mentor: MentorSpec) -> list[str]:
    """What a proposed pair shares, as codes (stored in a run's proposal)."""
    codes = []
    if learner.language in mentor.languages:
        codes.append("language")
    if learner.cadre in mentor.cadres:
        codes.append("specialty")
    if learner.district in mentor.districts:
        codes.append("district")
    return codes


def fit_label(code: str) -> str:
    """The translated label of a fit code."""
    labels = {
        "language": _("language"),
        "specialty": _("specialty"),
        "district": _("district"),
    }
    return labels.get(code, code)


def fit_labels(learner: LearnerSpec, mentor: MentorSpec) -> list[str]:
    """What a proposed pair shares, for the admin's preview."""
    return [fit_label(c) for c in fit_codes(learner, mentor)]


# --- Database side ----------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A previewed pairing for a cohort: kept pairs, new pairs and the unpaired."""

    cohort: Cohort
    mode: str
    mentors: list[User]
    learners: dict[int, User]
    capacity: dict[int, int]
    load: dict[int, int]
    new_pairs: dict[int, int]
    unpaired: list[int]
    kept: int
    fit: dict[int, list[str]] = field(default_factory=dict)


def _cohort_people(cohort: Cohort, role: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(cohort=cohort, role=role)
        .select_related("user")
        .order_by("user_id")
    ]


def mentor_specs(cohort: Cohort, mentors: Sequence[User]) -> dict[int, MentorSpec]:
    """Each mentor's profile and current active load in the cohort."""
    profiles = {
        p.user_id: p
        for p in MentorProfile.objects.filter(
            user__in=[m.pk for m in mentors]
        ).prefetch_related("specialties")
    }
    loads = dict(
        Pairing.objects.filter(cohort=cohort, active=True)
        .values_list("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    specs: dict[int, MentorSpec] = {}
    for m in mentors:
        p = profiles.get(m.pk)
        if p is None:
            # No profile yet: the mentor's own language and district, default size.
            specs[m.pk] = MentorSpec(
                id=m.pk,
                languages=frozenset([m.preferred_language]),
                cadres=frozenset(),
                districts=frozenset([m.district] if m.district else []),
                capacity=DEFAULT_CAPACITY,
                load=loads.get(m.pk, 0),
            )
            continue
        cadres = frozenset(c for s in p.specialties.all() for c in (s.cadres or []))
        specs[m.pk] = MentorSpec(
            id=m.pk,
            languages=frozenset(p.languages or [m.preferred_language]),
            cadres=cadres,
            districts=frozenset(p.districts or ([m.district] if m.district else [])),
            capacity=p.capacity,
            load=loads.get(m.pk, 0),
        )
    return specs


def require_manager(actor: User, cohort: Cohort) -> None:
    """Raise PermissionDenied unless the actor administers the cohort."""
    _require_manager(actor, cohort)


def _require_manager(actor: User, cohort: Cohort) -> None:
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can pair."))


@dataclass(frozen=True)
class PairingInputs:
    """A cohort's mentors, learners, mentor specs, paired learners and the waiting."""

    mentors: list[User]
    learners: list[User]
    specs: dict[int, MentorSpec]
    paired: set[int]
    todo: list[LearnerSpec]


def pairing_inputs(cohort: Cohort) -> PairingInputs:
    """What the solver needs for a cohort (a constant number of queries)."""
    mentors = _cohort_people(cohort, Role.MENTOR)
    learners = _cohort_people(cohort, Role.LEARNER)
    paired = set(
        Pairing.objects.filter(cohort=cohort, active=True).values_list(
            "learner_id", flat=True
        )
    )
    specs = mentor_specs(cohort, mentors)
    todo = [
        LearnerSpec(
            id=u.pk, language=u.preferred_language, cadre=u.cadre, district=u.district
        )
        for u in learners
        if u.pk not in paired
    ]
    return PairingInputs(
        mentors=mentors, learners=learners, specs=specs, paired=paired, todo=todo
    )


def require_mode(mode: str) -> None:
    """Raise ValidationError unless ``mode`` is a pairing mode."""
    if mode not in PairingMode.values:
        raise ValidationError({"mode": _("Choose one-to-one or group.")})


def pairing_preview(*, actor: User, cohort: Cohort, mode: str) -> Proposal:
    """Propose mentors for the cohort's unpaired learners; existing pairs stay.

    Synchronous (the solver takes seconds at national scale); pages and the API
    use a background ``PairingRun`` instead (``pairing_runs``).
    """
    _require_manager(actor, cohort)
    require_mode(mode)
    inputs = pairing_inputs(cohort)
    mentors, learners, paired, specs, todo = (
        inputs.mentors,
        inputs.learners,
        inputs.paired,
        inputs.specs,
        inputs.todo,
    )
    plan = plan_pairs(todo, specs.values())
    by_id = {x.id: x for x in todo}
    fit = {
        learner_id: fit_labels(by_id[learner_id], specs[mentor_id])
        for learner_id, mentor_id in plan.pairs.items()
    }
    return Proposal(
        cohort=cohort,
        mode=mode,
        mentors=mentors,
        learners={u.pk: u for u in learners},
        capacity={k: v.capacity for k, v in specs.items()},
        load={k: v.load for k, v in specs.items()},
        new_pairs=plan.pairs,
        unpaired=list(plan.unpaired),
        kept=len(paired),
        fit=fit,
    )


def _group_key(mentor_id: int) -> str:
    return f"mentor-{mentor_id}"


def _group_name(mentor: User) -> str:
    """The name "Group of <mentor>", cut with an ellipsis to fit the column.

    A display name may be 80 characters and an e-mail address (the fallback
    name) 254, so the sentence around it can exceed the column, which
    PostgreSQL refuses. The limit is read from the field, not repeated here.
    """
    limit = Pairing._meta.get_field("group_name").max_length or 80
    name = _("Group of %(name)s") % {"name": mentor}
    return name if len(name) <= limit else name[: limit - 1] + "…"


def pair_create(
    *, actor: User, cohort: Cohort, learner: User, mentor: User, mode: str
) -> Pairing:
    """Create an active pairing and its conversation (caller holds the cohort lock)."""
    return _pair_create(
        actor=actor, cohort=cohort, learner=learner, mentor=mentor, mode=mode
    )


def _pair_create(
    *, actor: User, cohort: Cohort, learner: User, mentor: User, mode: str
) -> Pairing:
    group = mode == PairingMode.GROUP
    pairing = Pairing.objects.create(
        cohort=cohort,
        mentor=mentor,
        learner=learner,
        mode=mode,
        group_key=_group_key(mentor.pk) if group else "",
        group_name=_group_name(mentor) if group else "",
        created_by=actor,
    )
    conversation_for_pairing(pairing=pairing)
    return pairing


def pairs_create(
    *,
    actor: User,
    cohort: Cohort,
    mode: str,
    pairs: Sequence[tuple[User, User, str]],
) -> list[Pairing]:
    """Create many active pairings (learner, mentor, log reason) at once.

    The pairings, their conversations and members, and the log rows take a
    constant number of queries, so confirming thousands of pairs is a few
    bulk inserts per chunk (the caller holds the cohort lock and has checked
    capacity).
    """
    group = mode == PairingMode.GROUP
    made = Pairing.objects.bulk_create(
        [
            Pairing(
                cohort=cohort,
                mentor=mentor,
                learner=learner,
                mode=mode,
                group_key=_group_key(mentor.pk) if group else "",
                group_name=_group_name(mentor) if group else "",
                created_by=actor,
            )
            for learner, mentor, _reason in pairs
        ]
    )
    conversations_for_pairings(cohort=cohort, pairings=made)
    PairingChange.objects.bulk_create(
        PairingChange(
            cohort=cohort,
            learner=learner,
            old_mentor=None,
            new_mentor=mentor,
            actor=actor,
            reason=reason[:200],
        )
        for learner, mentor, reason in pairs
    )
    return made


@transaction.atomic
def pairing_confirm(
    *,
    actor: User,
    cohort: Cohort,
    mode: str,
    assignments: Mapping[int, int | None],
    reason: str = "",
) -> list[Pairing]:
    """Save the admin's final choice (learner id → mentor id or None), logging each.

    Existing active pairs are kept; capacity is checked against them. Choices
    that differ from the automatic proposal are noted in the log's reason.
    """
    _require_manager(actor, cohort)
    # Lock the cohort row so two admins confirming at once cannot overfill a mentor.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    proposal = pairing_preview(actor=actor, cohort=cohort, mode=mode)
    mentors = {m.pk: m for m in proposal.mentors}
    errors: dict[str, list[str]] = {}
    load = Counter(proposal.load)
    chosen: list[tuple[User, User]] = []
    for learner_id, mentor_id in sorted(assignments.items()):
        learner = proposal.learners.get(learner_id)
        if learner is None or learner_id not in {
            *proposal.new_pairs,
            *proposal.unpaired,
        }:
            errors.setdefault("assignments", []).append(
                _("Learner %(id)s is not an unpaired learner of this cohort.")
                % {"id": learner_id}
            )
            continue
        if mentor_id is None:
            continue
        mentor = mentors.get(mentor_id)
        if mentor is None:
            errors.setdefault("assignments", []).append(
                _("Mentor %(id)s is not a mentor of this cohort.") % {"id": mentor_id}
            )
            continue
        load[mentor_id] += 1
        if load[mentor_id] > proposal.capacity[mentor_id]:
            errors.setdefault("assignments", []).append(
                _("%(mentor)s would have more mentees than their capacity (%(n)s).")
                % {"mentor": mentor, "n": proposal.capacity[mentor_id]}
            )
            continue
        chosen.append((learner, mentor))
    if errors:
        raise ValidationError(errors)
    pairs = []
    for learner, mentor in chosen:
        note = _("automatic pairing")
        if proposal.new_pairs.get(learner.pk) != mentor.pk:
            note = _("automatic pairing, changed by an administrator")
        pairs.append((learner, mentor, f"{note}: {reason}" if reason else note))
    return pairs_create(actor=actor, cohort=cohort, mode=mode, pairs=pairs)


@transaction.atomic
def pairing_reassign(
    *,
    actor: User,
    cohort: Cohort,
    learner: User,
    mentor: User | None,
    reason: str,
    mode: str = PairingMode.ONE_TO_ONE,
) -> Pairing | None:
    """Move a learner to another mentor (or unpair them), logged with a reason."""
    _require_manager(actor, cohort)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the pairing changes.")})
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    if not Membership.objects.filter(
        cohort=cohort, user=learner, role=Role.LEARNER
    ).exists():
        raise ValidationError({"learner": _("Choose a learner of this cohort.")})
    current = (
        Pairing.objects.select_related("mentor")
        .filter(cohort=cohort, learner=learner, active=True)
        .first()
    )
    if mentor is None and current is None:
        raise ValidationError({"mentor": _("This learner has no mentor to remove.")})
    if mentor is not None:
        if not Membership.objects.filter(
            cohort=cohort, user=mentor, role=Role.MENTOR
        ).exists():
            raise ValidationError({"mentor": _("Choose a mentor of this cohort.")})
        if current and current.mentor_id == mentor.pk:
            raise ValidationError(
                {"mentor": _("This is already the learner's mentor.")}
            )
        spec = mentor_specs(cohort, [mentor])[mentor.pk]
        if spec.free <= 0:
            raise ValidationError(
                {"mentor": _("This mentor has no free place (capacity reached).")}
            )
        mode = current.mode if current else mode
    if current is not None:
        current.active = False
        current.ended_at = timezone.now()
        current.save(update_fields=["active", "ended_at"])
    pairing = None
    if mentor is not None:
        pairing = _pair_create(
            actor=actor, cohort=cohort, learner=learner, mentor=mentor, mode=mode
        )
    PairingChange.objects.create(
        cohort=cohort,
        learner=learner,
        old_mentor=current.mentor if current else None,
        new_mentor=mentor,
        actor=actor,
        reason=reason.strip()[:200],
    )
    return pairing
