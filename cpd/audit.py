"""The audit log an organisation's administrators read: who did what, when.

Each app keeps its own append-only log (forums' moderation log, mentoring's
pairing changes, privacy's audit); ``cpd`` cannot import them, so each app
registers a source in ``AppConfig.ready()`` that returns its latest entries for
an organisation, one query each. The page merges them, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from cpd.models import (
    AdminLogEntry,
    Cohort,
    Invitation,
    Membership,
    Organisation,
    User,
)


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    detail: str
    cohort: str = ""


AuditSource = Callable[[Organisation, int], list[AuditEntry]]
_sources: dict[str, AuditSource] = {}

LIMIT = 100


def audit_source_register(name: str, source: AuditSource) -> None:
    _sources[name] = source


def organisation_audit(
    organisation: Organisation, limit: int = LIMIT
) -> list[AuditEntry]:
    """The latest ``limit`` entries of every source, newest first."""
    entries: list[AuditEntry] = []
    for name in sorted(_sources):
        entries += _sources[name](organisation, limit)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def member_ids(organisation: Organisation) -> Q:
    """People in the organisation's cohorts (for sources keyed by person)."""
    return Q(
        pk__in=Membership.objects.filter(cohort__organisation=organisation).values(
            "user_id"
        )
    )


def _invitations(organisation: Organisation, limit: int) -> list[AuditEntry]:
    rows = (
        Invitation.objects.filter(cohort__organisation=organisation)
        .select_related("cohort", "created_by")
        .order_by("-created_at")[:limit]
    )
    return [
        AuditEntry(
            at=i.created_at,
            actor=i.created_by.display_name if i.created_by else "",
            action="invitation",
            detail=f"{i.get_role_display()}: {i.email or i.phone}",
            cohort=i.cohort.name,
        )
        for i in rows
    ]


audit_source_register("cpd.invitations", _invitations)


def audit_write(
    *,
    actor: User,
    organisation: Organisation,
    action: str,
    detail: str = "",
    cohort: Cohort | None = None,
) -> AdminLogEntry:
    """Append what an administrator did (cohorts, roles, removals) to the log."""
    return AdminLogEntry.objects.create(
        organisation=organisation,
        cohort=cohort,
        actor=actor,
        action=action,
        detail=detail[:300],
    )


def _administration(organisation: Organisation, limit: int) -> list[AuditEntry]:
    rows = (
        AdminLogEntry.objects.filter(organisation=organisation)
        .select_related("cohort", "actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        AuditEntry(
            at=e.created_at,
            actor=e.actor.display_name if e.actor else "",
            action=e.get_action_display(),
            detail=e.detail,
            cohort=e.cohort.name if e.cohort else "",
        )
        for e in rows
    ]


audit_source_register("cpd.administration", _administration)
