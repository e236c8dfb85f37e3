"""Forums' part of an organisation's audit log: the moderation log."""

from __future__ import annotations

from cpd.audit import AuditEntry
from cpd.models import Organisation
from forums.models import ModerationLog


def moderation(organisation: Organisation, limit: int) -> list[AuditEntry]:
    rows = (
        ModerationLog.objects.filter(cohort__organisation=organisation)
        .select_related("actor", "cohort", "thread")
        .order_by("-created_at")[:limit]
    )
    return [
        AuditEntry(
            at=row.created_at,
            actor=row.actor.display_name if row.actor else "",
            action=str(row.get_action_display()),
            detail=" · ".join(
                part
                for part in (row.thread.title if row.thread else "", row.reason)
                if part
            ),
            cohort=row.cohort.name,
        )
        for row in rows
    ]
