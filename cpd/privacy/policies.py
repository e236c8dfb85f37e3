"""Who may export, erase and confirm erasures (object checks and queryset filters).

A person acts on their own data only. An erasure request is seen and confirmed
by the administrators of any organisation the person belongs to (a cohort
membership there, or one of its administrators), and by superusers; nobody
confirms their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from cpd.models import Membership, Organisation
from cpd.policies import roles_of
from cpd.privacy.models import DataExport, ErasureRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpd.models import User

    AnyUser = User | AnonymousUser
else:
    AnyUser = Any


def _person(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- Exports -------------------------------------------------------------------------


def can_request_export(user: AnyUser) -> bool:
    """Any signed-in, active person may export their own data."""
    return _person(user)


def exports_visible_to(user: AnyUser) -> Q:
    """A person sees their own exports only (admins too: an export is private)."""
    if not _person(user):
        return Q(pk__in=[])
    return Q(user_id=user.pk)


def can_download_export(user: AnyUser, export: DataExport) -> bool:
    """Only the person it is about, while the link has not expired."""
    return _person(user) and export.user_id == user.pk and export.is_downloadable


# --- Erasure -------------------------------------------------------------------------


def can_request_erasure(user: AnyUser) -> bool:
    """Any signed-in, active person may ask to be erased."""
    return _person(user)


def _people_of_orgs(org_ids: frozenset[int]) -> Q:
    members = Membership.objects.filter(cohort__organisation_id__in=org_ids).values(
        "user_id"
    )
    admins = Organisation.admins.through.objects.filter(
        organisation_id__in=org_ids
    ).values("user_id")
    return Q(user_id__in=members) | Q(user_id__in=admins)


def erasure_requests_visible_to(user: AnyUser) -> Q:
    """Own requests, plus those of people in organisations the user administers."""
    if not _person(user):
        return Q(pk__in=[])
    roles = roles_of(user)
    if roles.superuser:
        return Q()
    own = Q(user_id=user.pk)
    if not roles.admin_org_ids:
        return own
    return own | _people_of_orgs(roles.admin_org_ids)


def can_confirm_erasure(user: AnyUser, request: ErasureRequest) -> bool:
    """An admin of one of the person's organisations (or a superuser), not oneself."""
    if not _person(user) or not request.is_pending or request.user_id == user.pk:
        return False
    roles = roles_of(user)
    if roles.superuser:
        return True
    if not roles.admin_org_ids:
        return False
    return (
        ErasureRequest.objects.filter(pk=request.pk)
        .filter(_people_of_orgs(roles.admin_org_ids))
        .exists()
    )


def can_cancel_erasure(user: AnyUser, request: ErasureRequest) -> bool:
    """The person who asked may change their mind while it waits."""
    return _person(user) and request.is_pending and request.user_id == user.pk


def can_manage_organisation_privacy(user: AnyUser, organisation: Organisation) -> bool:
    """The organisation's administrators (and superusers) set its privacy choices."""
    if not _person(user):
        return False
    roles = roles_of(user)
    return roles.superuser or organisation.pk in roles.admin_org_ids
