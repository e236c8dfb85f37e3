"""Reads for courses, progress, quizzes and knowledge gain (policy-scoped).

One module per topic; every name is re-exported here, so callers keep importing
from ``courses.selectors``.
"""

from __future__ import annotations

from courses.selectors.catalogue import (
    cohorts_taking,
    course_get_for_user,
    course_lessons,
    course_list_for_user,
    lesson_get_for_user,
    outline_done_lesson_ids,
    quiz_get_for_user,
)
from courses.selectors.documents import (
    certificate_by_code,
    certificate_of_holder,
    certificates_for,
    course_document,
    course_for_authoring,
    course_markdown,
)
from courses.selectors.progress import (
    PROGRESS_SORTS,
    CohortGain,
    LearnerProgress,
    attempt_get_for_user,
    attempt_questions,
    attempts_for,
    cohort_gain_summary,
    cohort_knowledge_gain,
    cohort_learners,
    cohort_learners_sorted,
    completed_lesson_ids,
    continue_lesson_for,
    learner_best_scores,
    learner_gains,
    learner_progress_for_cohort,
    progress_export_rows,
)
from courses.selectors.sessions import (
    attended_user_ids,
    cohort_facilitators,
    cohort_modules,
    session_checked_in,
    session_get_for_user,
    session_learner_count,
    sessions_for_check_in,
    upcoming_sessions_for,
)

__all__ = [
    "CohortGain",
    "LearnerProgress",
    "attempt_get_for_user",
    "attempt_questions",
    "attempts_for",
    "attended_user_ids",
    "certificate_by_code",
    "certificate_of_holder",
    "certificates_for",
    "cohort_facilitators",
    "PROGRESS_SORTS",
    "cohort_gain_summary",
    "cohort_knowledge_gain",
    "cohort_learners",
    "cohort_learners_sorted",
    "progress_export_rows",
    "cohort_modules",
    "cohorts_taking",
    "completed_lesson_ids",
    "continue_lesson_for",
    "course_document",
    "course_get_for_user",
    "outline_done_lesson_ids",
    "course_lessons",
    "course_list_for_user",
    "course_for_authoring",
    "course_markdown",
    "learner_best_scores",
    "learner_gains",
    "learner_progress_for_cohort",
    "lesson_get_for_user",
    "quiz_get_for_user",
    "session_checked_in",
    "session_get_for_user",
    "session_learner_count",
    "sessions_for_check_in",
    "upcoming_sessions_for",
]
