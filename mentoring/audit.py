"""Mentoring's part of an organisation's audit log: pairing changes."""

from __future__ import annotations

from cpd.audit import AuditEntry
from cpd.models import Organisation
from mentoring.models import PairingChange


def pairing_changes(organisation: Organisation, limit: int) -> list[AuditEntry]:
    rows = (
        PairingChange.objects.filter(cohort__organisation=organisation)
        .select_related("actor", "cohort", "learner", "old_mentor", "new_mentor")
        .order_by("-created_at")[:limit]
    )
    return [
        AuditEntry(
            at=row.created_at,
            actor=row.actor.display_name if row.actor else "",
            action="pairing",
            detail=(
                f"{row.learner.display_name}: "
                f"{row.old_mentor.display_name if row.old_mentor else '—'} → "
                f"{row.new_mentor.display_name if row.new_mentor else '—'}"
                + (f" ({row.reason})" if row.reason else "")
            ),
            cohort=row.cohort.name,
        )
        for row in rows
    ]
