"""An enrolment's report: counts by verdict and outcome, and a CSV of every row."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from cpd.enrolment.models import EnrolmentImport
from cpd.reports import csv_text


def counts(values: dict[str, int], choices: type[TextChoices]) -> list[dict[str, Any]]:
    """``[{value, label, count}]`` in the choices' order, zeros left out."""
    return [
        {"value": value, "label": label, "count": values.get(value, 0)}
        for value, label in choices.choices
        if values.get(value)
    ]


def _safe(text: str) -> str:
    return csv_text(text)


def csv_bytes(enrolment: EnrolmentImport) -> bytes:
    """Every row, in the file's order: as read, as understood, what happened."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("row"),
            _("name"),
            _("email"),
            _("phone"),
            _("role"),
            _("check"),
            _("outcome"),
            _("message"),
        ]
    )
    for row in enrolment.rows.order_by("number").iterator(chunk_size=1000):
        writer.writerow(
            [
                row.number,
                _safe(row.name),
                _safe(row.email),
                _safe(row.phone),
                row.get_role_display(),
                row.get_verdict_display(),
                row.get_outcome_display() if row.outcome else _("not applied"),
                _safe(row.outcome_message or row.message),
            ]
        )
    # A BOM, so spreadsheet programs read the names' accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
