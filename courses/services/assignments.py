"""Which courses a cohort takes: set by its administrators (cpd's admin area)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from courses.models import Course, CourseAssignment
from cpd import policies
from cpd.cohort_hooks import CourseChoice
from cpd.models import Cohort, User
from cpd.report_cache import report_cache_forget


def course_choices() -> list[CourseChoice]:
    """Every course an administrator may assign to a cohort (the catalogue)."""
    return [
        CourseChoice(id=pk, title=title)
        for pk, title in Course.objects.order_by("title", "pk").values_list(
            "pk", "title"
        )
    ]


def cohort_course_ids_query(cohort: Cohort) -> QuerySet[CourseAssignment, Any]:
    """The ids of the courses the cohort takes, as a subquery (not run here)."""
    return CourseAssignment.objects.filter(cohort=cohort).values("course_id")


def cohort_course_ids(cohort: Cohort) -> list[int]:
    """The ids of the courses the cohort takes."""
    return list(
        CourseAssignment.objects.filter(cohort=cohort)
        .order_by("course_id")
        .values_list("course_id", flat=True)
    )


@transaction.atomic
def cohort_courses_set(
    *, actor: User, cohort: Cohort, course_ids: Sequence[int]
) -> list[int]:
    """The cohort takes exactly these courses; an unknown id is a field error.

    Assignments kept keep their opening date; progress in a course taken away
    stays (it is the learner's) and shows again if the course comes back.
    """
    if not policies.can_edit_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    wanted = set(course_ids)
    known = set(Course.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise ValidationError({"courses": _("Choose courses from the list.")})
    have = set(cohort_course_ids(cohort))
    CourseAssignment.objects.filter(cohort=cohort, course_id__in=have - wanted).delete()
    CourseAssignment.objects.bulk_create(
        [CourseAssignment(cohort=cohort, course_id=pk) for pk in sorted(wanted - have)],
        ignore_conflicts=True,
    )
    if wanted != have:
        # the cohort's record covers its courses' statements
        report_cache_forget([cohort.pk])
    return sorted(wanted)
