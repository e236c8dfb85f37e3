"""Pages of the courses section."""

from django.urls import path

from courses import views

urlpatterns = [
    path("", views.my_courses, name="courses-home"),
    path("<int:course_id>/", views.course_detail, name="courses-course"),
    path("<int:course_id>/report/", views.course_report, name="courses-report"),
    path(
        "<int:course_id>/report.csv",
        views.course_report_csv,
        name="courses-report-csv",
    ),
    path("<int:course_id>/survey/", views.course_survey, name="courses-survey"),
    path(
        "<int:course_id>/survey/edit/",
        views.course_survey_edit,
        name="courses-survey-edit",
    ),
    path("lessons/<int:lesson_id>/", views.lesson_detail, name="courses-lesson"),
    path(
        "lessons/<int:lesson_id>/complete/",
        views.lesson_complete,
        name="courses-lesson-complete",
    ),
    path(
        "lessons/<int:lesson_id>/beat/", views.lesson_beat, name="courses-lesson-beat"
    ),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="courses-quiz"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="courses-attempt"),
    path("sessions/<int:session_id>/", views.session_detail, name="courses-session"),
    path("sessions/<int:session_id>/qr/", views.session_qr, name="courses-session-qr"),
    path(
        "sessions/<int:session_id>/here/",
        views.session_here,
        name="courses-session-here",
    ),
    path("sessions/checkin/", views.session_checkin, name="courses-session-checkin"),
    path(
        "cohorts/<int:cohort_id>/sessions/new/",
        views.session_new,
        name="courses-session-new",
    ),
    path("transcript/", views.transcript, name="courses-transcript"),
    path(
        "certificates/<str:code>/",
        views.certificate_detail,
        name="courses-certificate",
    ),
    path(
        "certificates/<str:code>/pdf/",
        views.certificate_pdf,
        name="courses-certificate-pdf",
    ),
    path("verify/<str:code>/", views.certificate_verify, name="courses-verify"),
    path(
        "cohorts/<int:cohort_id>/progress/",
        views.cohort_progress,
        name="courses-progress",
    ),
    path(
        "cohorts/<int:cohort_id>/engagement-gain.csv",
        views.cohort_engagement_gain_csv,
        name="courses-engagement-gain-csv",
    ),
]
