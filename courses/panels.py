"""What courses adds to other apps' pages, through ``cpd.panels`` slots."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from courses.selectors import (
    cohort_courses,
    cohort_gain_summary,
    content_language,
    continue_lesson_for,
    lesson_in_language,
)
from courses.selectors.progress import summarise_gain
from cpd.models import Cohort
from cpd.reports import CohortReport


def continue_lesson_panel(request: HttpRequest) -> str:
    """Home: the lesson the learner last opened and has not finished, if any."""
    lesson = continue_lesson_for(request.user)
    if lesson is None:
        return ""
    lesson_in_language(
        lesson, [], content_language(getattr(request, "LANGUAGE_CODE", None))
    )
    return render_to_string(
        "courses/partials/continue_lesson.html",
        {"continue_lesson": lesson, "with_course": True},
        request=request,
    )


def cohort_gain_panel(
    request: HttpRequest, cohort: Cohort, report: CohortReport | None = None
) -> str:
    """Cohort report: pre/post knowledge gain with its n and 95% interval.

    From the report's own best scores when it has them (no query), else read.
    """
    if report is not None and report.best_scores is not None:
        gain = summarise_gain(report.best_scores)
    else:
        gain = cohort_gain_summary(cohort)
    # No request: the partial needs none, and with one the layout's context
    # processors (cohort switcher, bell) would run a second time.
    return render_to_string("courses/partials/cohort_gain.html", {"gain": gain})


def cohort_course_reports_panel(request: HttpRequest, cohort: Cohort) -> str:
    """Cohort report: a link to each of the cohort's courses' report, for this cohort.

    The cohort report is read by the cohort's mentors and administrators, who
    read its part of each course's report too (``course_report_cohorts``).
    """
    return render_to_string(
        "courses/partials/cohort_course_reports.html",
        {"cohort": cohort, "courses": cohort_courses(cohort)},
    )
