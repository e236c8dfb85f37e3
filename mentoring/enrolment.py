"""The mentor column of a spreadsheet enrolment (registered into cpd.enrolment)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cpd.models import Cohort, User
from mentoring.models import Pairing
from mentoring.services.pairing import pairing_reassign


def current_mentors(cohort: Cohort, learner_ids: list[int]) -> dict[int, int]:
    """Each learner's active mentor in the cohort (one query)."""
    return dict(
        Pairing.objects.filter(
            cohort=cohort, learner_id__in=learner_ids, active=True
        ).values_list("learner_id", "mentor_id")
    )


def assign_mentor(actor: User, cohort: Cohort, learner: User, mentor: User) -> str:
    """Pair ``learner`` with ``mentor``; "" when done or already so, else why not."""
    try:
        pairing_reassign(
            actor=actor,
            cohort=cohort,
            learner=learner,
            mentor=mentor,
            reason=_("Spreadsheet enrolment"),
        )
    except ValidationError as error:
        if Pairing.objects.filter(
            cohort=cohort, learner=learner, mentor=mentor, active=True
        ).exists():
            return ""
        return " ".join(error.messages)
    except PermissionDenied as error:
        return str(error)
    return ""
