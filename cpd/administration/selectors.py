"""Reads for the administrator's area, scoped through cpd.policies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cpd import cohort_hooks
from cpd.models import Cohort, Invitation, Membership, Organisation, Role, User
from cpd.policies import AnyUser, organisations_administered_by

# Learners without a mentor listed on the overview (the count is always whole).
UNPAIRED_SHOWN = 100
MEMBERS_PAGE = 50


def organisation_list_for_admin(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user administers, with their number of cohorts."""
    return (
        Organisation.objects.filter(organisations_administered_by(user))
        .annotate(cohort_count=Count("cohorts", distinct=True))
        .order_by("name", "pk")
    )


def organisation_get_for_admin(user: AnyUser, organisation_id: int) -> Organisation:
    """An organisation the user administers, or Http404 (missing and others alike)."""
    organisation = (
        Organisation.objects.filter(organisations_administered_by(user))
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def _count(queryset: QuerySet) -> Coalesce:
    """A per-cohort count as a subquery, so counts do not multiply each other."""
    return Coalesce(
        Subquery(
            queryset.filter(cohort=OuterRef("pk"))
            .order_by()
            .values("cohort")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def organisation_cohorts(organisation: Organisation) -> QuerySet[Cohort]:
    """The organisation's cohorts with learners, mentors, admins and open invitations.

    One query whatever the number of cohorts.
    """
    members = Membership.objects.all()
    open_invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return (
        Cohort.objects.filter(organisation=organisation)
        .select_related("organisation")
        .annotate(
            learner_count=_count(members.filter(role=Role.LEARNER)),
            mentor_count=_count(members.filter(role=Role.MENTOR)),
            admin_count=_count(members.filter(role=Role.ADMIN)),
            open_invitation_count=_count(open_invitations),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "-starts_on", "name")
    )


@dataclass(frozen=True)
class UnpairedRow:
    cohort: Cohort
    learner: User


@dataclass(frozen=True)
class Overview:
    """An organisation's cohorts and its learners without a mentor."""

    organisation: Organisation
    cohorts: list[Cohort]
    # None: no app provides mentoring, so the page leaves the part out.
    unpaired_count: int | None
    unpaired: list[UnpairedRow]


def organisation_overview(organisation: Organisation) -> Overview:
    """Cohorts with counts and the learners without a mentor (constant queries)."""
    cohorts = list(organisation_cohorts(organisation))
    by_id = {c.pk: c for c in cohorts}
    unpaired_ids = cohort_hooks.unpaired_learner_ids(list(by_id))
    if unpaired_ids is None:
        return Overview(organisation, cohorts, None, [])
    for cohort in cohorts:
        cohort.unpaired_count = len(unpaired_ids.get(cohort.pk, []))  # type: ignore[attr-defined]
    pairs = [
        (cohort_id, user_id)
        for cohort_id in sorted(unpaired_ids, key=lambda i: by_id[i].name)
        if cohort_id in by_id
        for user_id in unpaired_ids[cohort_id]
    ]
    shown = pairs[:UNPAIRED_SHOWN]
    users = User.objects.in_bulk({user_id for _c, user_id in shown})
    rows = sorted(
        (
            UnpairedRow(cohort=by_id[c], learner=users[u])
            for c, u in shown
            if u in users
        ),
        key=lambda r: (r.cohort.name, r.learner.display_name, r.learner.pk),
    )
    return Overview(organisation, cohorts, len(pairs), rows)


def cohort_members_filtered(
    cohort: Cohort, *, role: str = "", text: str = ""
) -> QuerySet[Membership]:
    """A cohort's memberships with their users, by role and name/email/phone."""
    qs = Membership.objects.filter(cohort=cohort).select_related("user")
    if role:
        qs = qs.filter(role=role)
    text = (text or "").strip()
    if text:
        qs = qs.filter(
            Q(user__display_name__icontains=text)
            | Q(user__email__icontains=text)
            | Q(user__phone__icontains=text)
        )
    return qs.order_by("role", "user__display_name", "pk")


def membership_get_for_admin(cohort: Cohort, membership_id: int) -> Membership:
    """One membership of this cohort (the caller checked the cohort), or Http404."""
    membership = (
        Membership.objects.select_related("user", "cohort", "cohort__organisation")
        .filter(cohort=cohort, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership
