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
