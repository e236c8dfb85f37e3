"""Confirmed enrolment files in the organisation's audit log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cpd.audit import AuditEntry
from cpd.enrolment.models import EnrolmentImport, Outcome, Verdict
from cpd.models import Organisation


def confirmed_files(organisation: Organisation, limit: int) -> list[AuditEntry]:
    rows = (
        EnrolmentImport.objects.filter(
            cohort__organisation=organisation, confirmed_at__isnull=False
        )
        .select_related("confirmed_by", "cohort")
        .order_by("-confirmed_at")[:limit]
    )
    labels = {**dict(Verdict.choices), **dict(Outcome.choices)}
    return [
        AuditEntry(
            at=row.confirmed_at,
            actor=row.confirmed_by.display_name if row.confirmed_by else "",
            action=_("spreadsheet enrolment"),
            detail=f"{row.filename}: "
            + ", ".join(
                f"{labels.get(k, k)}: {v}"
                for k, v in sorted((row.outcomes or row.verdicts).items())
            ),
            cohort=row.cohort.name,
        )
        for row in rows
        if row.confirmed_at is not None
    ]
