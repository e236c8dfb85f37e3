"""Courses' part of cpd's administrator's area (registered in CoursesConfig.ready)."""

from __future__ import annotations

from collections.abc import Sequence

from courses.services import assignments
from cpd.models import Cohort, User


def courses_set(cohort: Cohort, course_ids: Sequence[int], actor: User) -> None:
    assignments.cohort_courses_set(actor=actor, cohort=cohort, course_ids=course_ids)


def register() -> None:
    from cpd import cohort_hooks

    cohort_hooks.hook_register(cohort_hooks.COURSE_CHOICES, assignments.course_choices)
    cohort_hooks.hook_register(cohort_hooks.COURSES_OF, assignments.cohort_course_ids)
    cohort_hooks.hook_register(
        cohort_hooks.COURSE_IDS_QUERY, assignments.cohort_course_ids_query
    )
    cohort_hooks.hook_register(cohort_hooks.COURSES_SET, courses_set)
    # the cohort report's gains: per group, and the gain panel's (cpd.reports)
    from courses.selectors.progress import learner_best_scores

    cohort_hooks.hook_register(cohort_hooks.LEARNER_SCORES, learner_best_scores)
