"""REST endpoints of the courses app (mounted under /api/)."""

from django.urls import path

from courses.api import views

urlpatterns = [
    path("courses/", views.CourseListApi.as_view(), name="api-course-list"),
    path(
        "cohorts/<int:cohort_id>/report/engagement-gain/",
        views.CohortEngagementGainApi.as_view(),
        name="api-cohort-engagement-gain",
    ),
    path(
        "courses/<int:course_id>/",
        views.CourseDetailApi.as_view(),
        name="api-course-detail",
    ),
    path(
        "courses/<int:course_id>/report/",
        views.CourseReportApi.as_view(),
        name="api-course-report",
    ),
    path(
        "courses/<int:course_id>/survey/",
        views.CourseSurveyApi.as_view(),
        name="api-course-survey",
    ),
    path(
        "courses/<int:course_id>/survey/manage/",
        views.CourseSurveyManageApi.as_view(),
        name="api-course-survey-manage",
    ),
    path(
        "courses/<int:course_id>/survey/manage/items/",
        views.CourseSurveyItemsApi.as_view(),
        name="api-course-survey-items",
    ),
    path(
        "courses/<int:course_id>/survey/manage/items/<int:item_id>/",
        views.CourseSurveyItemApi.as_view(),
        name="api-course-survey-item",
    ),
    path(
        "courses/<int:course_id>/markdown/",
        views.CourseMarkdownApi.as_view(),
        name="api-course-markdown",
    ),
    path(
        "courses/import/",
        views.CourseImportApi.as_view(),
        name="api-course-import",
    ),
    path(
        "lessons/<int:lesson_id>/",
        views.LessonDetailApi.as_view(),
        name="api-lesson-detail",
    ),
    path(
        "lessons/<int:lesson_id>/complete/",
        views.LessonCompleteApi.as_view(),
        name="api-lesson-complete",
    ),
    path(
        "quizzes/<int:quiz_id>/attempts/",
        views.AttemptStartApi.as_view(),
        name="api-attempt-start",
    ),
    path(
        "attempts/<int:attempt_id>/",
        views.AttemptDetailApi.as_view(),
        name="api-attempt",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        views.AttemptSubmitApi.as_view(),
        name="api-attempt-submit",
    ),
    path("certificates/", views.CertificateListApi.as_view(), name="api-certificates"),
    path(
        "cohorts/<int:cohort_id>/progress/",
        views.CohortProgressApi.as_view(),
        name="api-cohort-progress",
    ),
    path("sessions/", views.SessionListApi.as_view(), name="api-session-list"),
    path(
        "sessions/check-in/",
        views.SessionCheckInApi.as_view(),
        name="api-session-check-in",
    ),
    path(
        "sessions/<int:session_id>/check-in-code/",
        views.SessionCheckInCodeApi.as_view(),
        name="api-session-check-in-code",
    ),
    path(
        "sessions/<int:session_id>/",
        views.SessionDetailApi.as_view(),
        name="api-session-detail",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        views.SessionAttendanceApi.as_view(),
        name="api-session-attendance",
    ),
]
