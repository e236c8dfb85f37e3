"""Writes of the administrator's area: archiving cohorts, members' roles, removal.

Creating and editing a cohort are ``cpd.services.cohort_create`` and
``cohort_update`` (the API and the demo use them too). Every write here appends
an entry to the organisation's audit log (``cpd.audit.audit_write``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd import audit, policies
from cpd.models import AdminAction, Cohort, Membership, Role, User
from cpd.report_cache import report_cache_forget


@transaction.atomic
def cohort_archive(*, actor: User, cohort: Cohort) -> Cohort:
    """Close a cohort for writing; it stays readable. Archiving twice is a no-op."""
    if not policies.can_archive_cohort(actor, cohort):
        raise PermissionDenied(
            _("Only the organisation's administrators archive a cohort.")
        )
    if cohort.archived_at is not None:
        return cohort
    cohort.archived_at = timezone.now()
    cohort.save(update_fields=["archived_at"])
    audit.audit_write(
        actor=actor,
        organisation=cohort.organisation,
        cohort=cohort,
        action=AdminAction.COHORT_ARCHIVED,
        detail=cohort.name,
    )
    return cohort


@transaction.atomic
def cohort_unarchive(*, actor: User, cohort: Cohort) -> Cohort:
    """Open an archived cohort for writing again (a no-op if it is not archived)."""
    if not policies.can_archive_cohort(actor, cohort):
        raise PermissionDenied(
            _("Only the organisation's administrators archive a cohort.")
        )
    if cohort.archived_at is None:
        return cohort
    cohort.archived_at = None
    cohort.save(update_fields=["archived_at"])
    audit.audit_write(
        actor=actor,
        organisation=cohort.organisation,
        cohort=cohort,
        action=AdminAction.COHORT_UNARCHIVED,
        detail=cohort.name,
    )
    return cohort


@transaction.atomic
def membership_role_change(
    *, actor: User, membership: Membership, role: str
) -> Membership:
    """Give a member another role in their cohort (logged); the same role is a no-op."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not policies.can_change_member_role(actor, membership, role):
        raise PermissionDenied(
            _("Only organisation administrators grant or withdraw the admin role.")
            if policies.can_manage_members(actor, membership.cohort)
            else _("Only the cohort's administrators can do this.")
        )
    policies.ensure_cohort_writable(membership.cohort)
    old = membership.role
    if old == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    policies.forget_roles(membership.user)
    report_cache_forget([membership.cohort_id])
    audit.audit_write(
        actor=actor,
        organisation=membership.cohort.organisation,
        cohort=membership.cohort,
        action=AdminAction.ROLE_CHANGED,
        detail=f"{membership.user}: {old} → {role}",
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Take a person out of a cohort (logged). Their past posts and records stay."""
    if not policies.can_remove_member(actor, membership):
        raise PermissionDenied(
            _("Only organisation administrators remove a cohort administrator.")
            if policies.can_manage_members(actor, membership.cohort)
            else _("Only the cohort's administrators can do this.")
        )
    policies.ensure_cohort_writable(membership.cohort)
    user, cohort = membership.user, membership.cohort
    detail = f"{user}: {membership.role}"
    membership.delete()
    policies.forget_roles(user)
    report_cache_forget([cohort.pk])
    audit.audit_write(
        actor=actor,
        organisation=cohort.organisation,
        cohort=cohort,
        action=AdminAction.MEMBER_REMOVED,
        detail=detail,
    )
