"""Reads for privacy: a person's exports and requests, an admin's queue."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from cpd.models import Cohort, Organisation
from cpd.policies import AnyUser
from cpd.privacy import policies
from cpd.privacy.models import (
    CertificatesOnErasure,
    DataExport,
    ErasureRequest,
    ErasureStatus,
    OrganisationPrivacy,
    PrivacyNotice,
)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def export_list_for_user(user: AnyUser, *, limit: int = 5) -> QuerySet[DataExport]:
    """The person's latest exports, newest first."""
    return DataExport.objects.filter(policies.exports_visible_to(user))[:limit]


def export_get_by_token(user: AnyUser, token: str) -> DataExport:
    """The person's export with this token, or Http404 (missing or someone else's).

    A token is URL-safe base64; anything else (a NUL byte, which PostgreSQL
    refuses in a query) is missing without asking the database.
    """
    if not _TOKEN.fullmatch(token):
        raise Http404("No such export.")
    export = (
        DataExport.objects.filter(policies.exports_visible_to(user))
        .filter(token=token)
        .first()
    )
    if export is None:
        raise Http404("No such export.")
    return export


def erasure_pending_for_user(user: AnyUser) -> ErasureRequest | None:
    """The person's own waiting erasure request, if any."""
    if not user.is_authenticated:
        return None
    return ErasureRequest.objects.filter(
        user=user, status=ErasureStatus.PENDING
    ).first()


def erasure_queue_for_admin(user: AnyUser) -> QuerySet[ErasureRequest]:
    """Waiting requests of other people the user administers, soonest due first."""
    own = Q(user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return (
        ErasureRequest.objects.filter(policies.erasure_requests_visible_to(user))
        .filter(status=ErasureStatus.PENDING)
        .exclude(own)
        .select_related("user", "confirmed_by")
        .order_by("due_at", "pk")
    )


def erasure_get_for_user(user: AnyUser, request_id: int) -> ErasureRequest:
    """One erasure request the user may see, or Http404 whether missing or not."""
    request = (
        ErasureRequest.objects.filter(policies.erasure_requests_visible_to(user))
        .filter(pk=request_id)
        .select_related("user")
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    return request


def organisations_with_privacy_for_admin(
    user: AnyUser,
) -> list[tuple[Organisation, str]]:
    """Organisations the user administers, each with its certificate choice."""
    if not user.is_authenticated:
        return []
    orgs = list(Organisation.objects.filter(admins=user).order_by("name"))
    chosen = dict(
        OrganisationPrivacy.objects.filter(organisation__in=orgs).values_list(
            "organisation_id", "certificates_on_erasure"
        )
    )
    return [(org, chosen.get(org.pk, CertificatesOnErasure.KEEP)) for org in orgs]


def organisation_get_for_admin(user: AnyUser, organisation_id: int) -> Organisation:
    """An organisation the user administers, or Http404."""
    org = (
        Organisation.objects.filter(admins=user, pk=organisation_id).first()
        if user.is_authenticated
        else None
    )
    if org is None:
        raise Http404("No such organisation.")
    return org


def notices_pending(user: AnyUser) -> list[PrivacyNotice]:
    """The latest notice of each of the person's cohorts they have not accepted.

    One query: the newest version per cohort (DISTINCT by cohort works on
    PostgreSQL only, so the latest is picked by a correlated subquery).
    """
    if not user.is_authenticated:
        return []
    latest = (
        PrivacyNotice.objects.filter(cohort=OuterRef("cohort"))
        .order_by("-version")
        .values("pk")[:1]
    )
    return list(
        PrivacyNotice.objects.filter(
            cohort__memberships__user_id=user.pk, pk=Subquery(latest)
        )
        .exclude(acceptances__user_id=user.pk)
        .select_related("cohort")
        .order_by("cohort__name")
    )


def notice_current(cohort: Cohort) -> PrivacyNotice | None:
    """The cohort's latest notice, if it has one."""
    return PrivacyNotice.objects.filter(cohort=cohort).order_by("-version").first()


def audit_entries(organisation: Organisation, limit: int) -> list[Any]:
    """The privacy audit of the organisation's people, for its audit log."""
    from cpd.audit import AuditEntry, member_ids
    from cpd.models import User
    from cpd.privacy.models import PrivacyAudit

    people = User.objects.filter(member_ids(organisation)).values("pk")
    rows = list(
        PrivacyAudit.objects.filter(subject_id__in=people).order_by("-created_at")[
            :limit
        ]
    )
    names = dict(
        User.objects.filter(
            pk__in={int(r.actor_id or 0) for r in rows} | {r.subject_id for r in rows}
        ).values_list("pk", "display_name")
    )
    return [
        AuditEntry(
            at=row.created_at,
            actor=names.get(row.actor_id or 0, ""),
            action=str(row.get_action_display()),
            detail=names.get(row.subject_id, "") or f"#{row.subject_id}",
        )
        for row in rows
    ]
