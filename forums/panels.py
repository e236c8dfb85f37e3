"""What forums adds to other apps' pages, through ``cpd.panels`` slots."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.template.loader import render_to_string

from courses.models import Course
from cpd.models import Cohort
from forums.services.forums import forums_for_course


def course_forums_panel(
    request: HttpRequest, *, course: Course, cohorts: Iterable[Cohort]
) -> str:
    """Course outline: the course's forum in each of the learner's cohorts."""
    forums = forums_for_course(course=course, cohorts=cohorts)
    if not forums:
        return ""
    # No ``request``: the partial needs no context processor, and running
    # them again would repeat the layout's queries.
    return render_to_string("forums/partials/course_forums.html", {"forums": forums})
