"""Pages of the mentoring section."""

from django.urls import path

from mentoring import views

urlpatterns = [
    path("", views.home, name="mentoring-home"),
    path("profile/", views.profile_edit, name="mentoring-profile"),
    path(
        "cohorts/<int:cohort_id>/dashboard/",
        views.dashboard,
        name="mentoring-dashboard",
    ),
    path("cohorts/<int:cohort_id>/admin/", views.cohort_admin, name="mentoring-admin"),
    path(
        "cohorts/<int:cohort_id>/admin/confirm/",
        views.pairing_confirm,
        name="mentoring-pairing-confirm",
    ),
    path(
        "cohorts/<int:cohort_id>/admin/pairing-runs/",
        views.pairing_run_start,
        name="mentoring-pairing-run-start",
    ),
    path(
        "pairing-runs/<int:run_id>/",
        views.pairing_run_detail,
        name="mentoring-pairing-run",
    ),
    path(
        "pairing-runs/<int:run_id>/confirm/",
        views.pairing_run_confirm,
        name="mentoring-pairing-run-confirm",
    ),
    path(
        "conversations/<int:conversation_id>/",
        views.conversation_detail,
        name="mentoring-conversation",
    ),
    path(
        "conversations/<int:conversation_id>/checkins/",
        views.checkin_create,
        name="mentoring-checkin-create",
    ),
    path("checkins/<int:checkin_id>/", views.checkin_detail, name="mentoring-checkin"),
    path(
        "messages/<int:message_id>/report/",
        views.message_report,
        name="mentoring-message-report",
    ),
]
