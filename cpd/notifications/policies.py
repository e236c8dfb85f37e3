"""Who may change a cohort's notification defaults and read its delivery log."""

from __future__ import annotations

from django.db.models import Q

from cpd.models import Cohort, Membership, Role
from cpd.policies import AnyUser, can_manage_cohort


def can_manage_cohort_notifications(user: AnyUser, cohort: Cohort) -> bool:
    """The cohort's administrators (by membership or organisation) only."""
    return can_manage_cohort(user, cohort)


def can_view_delivery_log(user: AnyUser, cohort: Cohort) -> bool:
    """The delivery log names recipients' channels and costs: administrators only."""
    return can_manage_cohort(user, cohort)


def deliveries_visible_to(user: AnyUser) -> Q:
    """Deliveries of the cohorts the user administers (a filter on ``Delivery``)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(
        notification__cohort__in=Membership.objects.filter(
            user=user, role=Role.ADMIN
        ).values("cohort")
    ) | Q(
        notification__cohort__in=Cohort.objects.filter(
            organisation__admins=user
        ).values("pk")
    )
