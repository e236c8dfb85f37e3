"""Reading enrolments: an administrator's list, one file, its rows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cpd.enrolment import policies
from cpd.enrolment.models import EnrolmentImport, EnrolmentRow, Outcome, Verdict
from cpd.models import Cohort
from cpd.policies import AnyUser


def enrolments_for_cohort(user: AnyUser, cohort: Cohort) -> QuerySet[EnrolmentImport]:
    return (
        EnrolmentImport.objects.filter(policies.enrolments_visible_to(user))
        .filter(cohort=cohort)
        .select_related("created_by", "cohort")
        .order_by("-created_at")
    )


def enrolment_get_for_user(user: AnyUser, enrolment_id: int) -> EnrolmentImport:
    """One enrolment the user may read; 404 otherwise (its existence is private)."""
    enrolment = (
        EnrolmentImport.objects.filter(policies.enrolments_visible_to(user))
        .select_related("cohort__organisation", "created_by", "confirmed_by", "same_as")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def enrolment_rows(
    enrolment: EnrolmentImport, *, verdict: str = "", outcome: str = ""
) -> QuerySet[EnrolmentRow]:
    """Rows in the spreadsheet's order, errors filterable (one query a page)."""
    rows = enrolment.rows.order_by("number")
    if verdict in Verdict.values:
        rows = rows.filter(verdict=verdict)
    if outcome in Outcome.values:
        rows = rows.filter(outcome=outcome)
    return rows
