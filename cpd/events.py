"""Payload builders for per-user notification events (the wire schema)."""

from __future__ import annotations

from typing import Any

from cpd.models import Membership

NOTIFY = "notify"  # channel-layer handler name: NotificationConsumer.notify


def membership_created(membership: Membership) -> dict[str, Any]:
    """Tell a user they joined a cohort."""
    return {
        "type": NOTIFY,
        "kind": "membership.created",
        "cohort_id": membership.cohort_id,
        "cohort": membership.cohort.name,
        "role": membership.role,
        "text": f"{membership.cohort.name}: {membership.get_role_display()}",
    }
