"""The courses' part of one learner's report: lessons, pre/post gain, attendance.

Over the cohort's courses, from ``learner_progress_for_cohort`` (the mentor
dashboard's figures, a constant number of queries). Registered for the
``learner-report`` panel slot and the report's API in ``AppConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from courses.selectors import learner_progress_for_cohort
from cpd.models import Cohort, User


def learner_courses(cohort: Cohort, learner_id: int) -> dict[str, Any]:
    """Lessons done of the cohort's lessons, best pre/post scores, gain, attendance."""
    p = learner_progress_for_cohort(cohort=cohort, user_ids=[learner_id])[learner_id]
    normalised = None
    gain, pre = p.knowledge_gain, p.pre_percent
    if gain is not None and pre is not None and pre < 100:
        normalised = round(gain / (100 - pre), 2)
    return {
        "lessons_completed": p.lessons_completed,
        "lessons_total": p.lessons_total,
        "pre_percent": p.pre_percent,
        "post_percent": p.post_percent,
        "gain": None if p.knowledge_gain is None else round(p.knowledge_gain, 1),
        "normalised_gain": normalised,
        "sessions_attended": p.sessions_attended,
        "sessions_held": p.sessions_held,
    }


def learner_courses_panel(request: HttpRequest, cohort: Cohort, learner: User) -> str:
    """Learner report: progress on the cohort's courses, quiz gain, attendance."""
    return render_to_string(
        "courses/partials/learner_courses.html",
        {"courses": learner_courses(cohort, learner.pk)},
    )
