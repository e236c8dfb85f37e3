"""Who may enrol a cohort from a spreadsheet and read its enrolments."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from cpd import policies
from cpd.enrolment.models import EnrolmentImport
from cpd.models import Cohort
from cpd.policies import AnyUser


def can_enrol(user: AnyUser, cohort: Cohort) -> bool:
    """The cohort's administrators enrol it, while it is not archived."""
    return policies.can_invite_to_cohort(user, cohort) and not cohort.is_archived


def enrol_refusal(user: AnyUser, cohort: Cohort) -> str:
    """Why ``user`` may not enrol ``cohort``, in words to show them."""
    if cohort.is_archived and policies.can_manage_cohort(user, cohort):
        return _("This cohort is archived.")
    return _("Only the cohort's administrators can enrol people.")


def can_list_enrolments(user: AnyUser, cohort: Cohort) -> bool:
    """The cohort's administrators list its enrolment files; its members are refused."""
    return policies.can_manage_cohort(user, cohort)


def can_view_enrolment(user: AnyUser, enrolment: EnrolmentImport) -> bool:
    """The cohort's administrators read its enrolments (they hold contact details)."""
    return policies.can_manage_cohort(user, enrolment.cohort)


def enrolments_visible_to(user: AnyUser) -> Q:
    roles = policies.roles_of(user)
    if roles.superuser:
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    admin_cohorts = [c for c, r in roles.by_cohort.items() if r == "admin"]
    return Q(cohort__organisation_id__in=roles.admin_org_ids) | Q(
        cohort_id__in=admin_cohorts
    )
