"""An enrolment row holds a person's contact details: erased with the person.

The rows of enrolment files are part of a person's data. Their export is the
account's own (already in ``cpd``); erasing a person blanks what the rows say of
them, so the report keeps its row numbers and outcomes but not their name,
email or phone.
"""

from __future__ import annotations

from cpd.models import User
from cpd.privacy.registry import ErasureContext, eraser_register


def _erase(user: User, context: ErasureContext) -> dict[str, int]:
    from cpd.enrolment.models import EnrolmentRow

    rows = EnrolmentRow.objects.filter(user=user).update(
        cells={}, name="", email="", phone="", mentor="", facility="", district=""
    )
    return {"enrolment_rows": rows}


def register() -> None:
    eraser_register("enrolment", _erase)
