"""CPD hours awarded, for the learner and cohort reports (``cpd.panels`` slots).

Hours come from certificates (``Certificate.hours``, copied from the course's
``cpd_hours`` when issued), counted for the cohort's courses and learners and
never when revoked. A certificate is issued when a course is complete, so the
certificates are also the learner's courses completed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import HttpRequest
from django.template.loader import render_to_string

from courses.models import Certificate, Course, CourseAssignment
from cpd.models import Cohort, Membership, Role, User
from cpd.reports import MIN_FOR_MEDIAN, median_of


def _cohort_certificates(cohort: Cohort) -> Any:
    return Certificate.objects.filter(
        course__in=CourseAssignment.objects.filter(cohort=cohort).values("course_id"),
        revoked_at__isnull=True,
    )


def learner_hours(cohort: Cohort, learner_id: int) -> dict[str, Any]:
    """The learner's certificates on the cohort's courses, and hours (one query).

    A row per course of the cohort (a handful) carries the course's hours and
    the learner's certificate for it, if any: ``certificate_once`` allows one.
    """
    mine = Certificate.objects.filter(
        course_id=OuterRef("pk"), user_id=learner_id, revoked_at__isnull=True
    )
    rows = list(
        Course.objects.filter(
            pk__in=CourseAssignment.objects.filter(cohort=cohort).values("course_id")
        )
        .annotate(
            certificate_id=Subquery(mine.values("pk")[:1]),
            certificate_hours=Subquery(mine.values("hours")[:1]),
            certificate_issued_at=Subquery(mine.values("issued_at")[:1]),
        )
        .order_by()
        .values_list(
            "title",
            "cpd_hours",
            "certificate_id",
            "certificate_hours",
            "certificate_issued_at",
        )
    )
    held = sorted(
        (row for row in rows if row[2] is not None),
        key=lambda row: (row[4], row[2]),
        reverse=True,
    )
    certificates = [
        {"course": title, "hours": float(hours), "issued_at": issued_at.isoformat()}
        for title, _available, _id, hours, issued_at in held
    ]
    available = sum((row[1] for row in rows), Decimal("0"))
    return {
        "hours": round(sum(c["hours"] for c in certificates), 1),
        "hours_available": float(available),
        "certificates": certificates,
    }


@dataclass(frozen=True)
class CohortHours:
    learners: int
    certificates: int
    learners_certified: int
    total_hours: float
    median_hours: float | None  # per learner, counting those with none as 0


def cohort_hours(cohort: Cohort) -> CohortHours:
    """Hours and certificates over the cohort's learners (one query, a row each)."""
    mine = (
        _cohort_certificates(cohort)
        .filter(user_id=OuterRef("user_id"))
        .order_by()
        .values("user_id")
    )
    rows = list(
        Membership.objects.filter(cohort=cohort, role=Role.LEARNER)
        .annotate(
            n=Subquery(mine.annotate(n=Count("pk")).values("n")),
            hours=Subquery(mine.annotate(h=Sum("hours")).values("h")),
        )
        .order_by()
        .values_list("n", "hours")
    )
    hours = [float(h or 0) for _n, h in rows]
    return CohortHours(
        learners=len(rows),
        certificates=sum(n or 0 for n, _h in rows),
        learners_certified=sum(1 for n, _h in rows if n),
        total_hours=round(sum(hours), 1),
        median_hours=median_of(hours, min_n=MIN_FOR_MEDIAN),
    )


def cohort_hours_figures(cohort: Cohort) -> dict[str, Any]:
    """The cohort's hours as JSON-ready figures, for the report's API."""
    return asdict(cohort_hours(cohort))


def learner_hours_panel(request: HttpRequest, cohort: Cohort, learner: User) -> str:
    """Learner report: CPD hours awarded and the certificates behind them."""
    return render_to_string(
        "courses/partials/learner_hours.html",
        {"hours": learner_hours(cohort, learner.pk)},
    )


def cohort_hours_panel(request: HttpRequest, cohort: Cohort) -> str:
    """Cohort report: total and median CPD hours per learner, certificates issued."""
    return render_to_string(
        "courses/partials/cohort_hours.html",
        {"hours": cohort_hours(cohort), "min_n": MIN_FOR_MEDIAN},
    )
