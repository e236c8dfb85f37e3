"""Reads for courses, progress, quizzes and knowledge gain (policy-scoped).

One module per topic; every name is re-exported here, so callers keep importing
from ``courses.selectors``.
"""

from __future__ import annotations

from courses.selectors.catalogue import (
    cohort_courses,
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
    knowledge_gain,
    learner_progress_for_cohort,
    progress_export_rows,
)
from courses.selectors.report import (
    MIN_ANSWERS,
    CourseReport,
    ReportScope,
    course_report,
    course_report_scope,
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
from courses.selectors.survey import (
    SurveyResults,
    survey_get_for_user,
    survey_has_responded,
    survey_reached_end,
    survey_results,
)

__all__ = [
    "CohortGain",
    "CourseReport",
    "MIN_ANSWERS",
    "ReportScope",
    "SurveyResults",
    "course_report",
    "course_report_scope",
    "knowledge_gain",
    "survey_get_for_user",
    "survey_has_responded",
    "survey_reached_end",
    "survey_results",
    "LearnerProgress",
    "attempt_get_for_user",
    "attempt_questions",
    "attempts_for",
    "attended_user_ids",
    "certificate_by_code",
    "certificate_of_holder",
    "certificates_for",
    "cohort_courses",
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
    "learner_progress_for_cohort",
    "lesson_get_for_user",
    "quiz_get_for_user",
    "session_checked_in",
    "session_get_for_user",
    "session_learner_count",
    "sessions_for_check_in",
    "upcoming_sessions_for",
]
