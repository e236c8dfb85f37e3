"""REST endpoints of the mentoring app (mounted under /api/)."""

from django.urls import path

from mentoring.api import views

urlpatterns = [
    path(
        "mentoring/profiles/",
        views.MentorProfileListApi.as_view(),
        name="api-mentor-profiles",
    ),
    path(
        "mentoring/profile/",
        views.MentorProfileMeApi.as_view(),
        name="api-mentor-profile-me",
    ),
    path(
        "cohorts/<int:cohort_id>/pairings/",
        views.PairingListApi.as_view(),
        name="api-pairings",
    ),
    path(
        "cohorts/<int:cohort_id>/pairings/preview/",
        views.PairingPreviewApi.as_view(),
        name="api-pairing-preview",
    ),
    path(
        "cohorts/<int:cohort_id>/pairings/confirm/",
        views.PairingConfirmApi.as_view(),
        name="api-pairing-confirm",
    ),
    path(
        "cohorts/<int:cohort_id>/pairings/reassign/",
        views.PairingReassignApi.as_view(),
        name="api-pairing-reassign",
    ),
    path(
        "cohorts/<int:cohort_id>/mentor-load/",
        views.MentorLoadApi.as_view(),
        name="api-mentor-load",
    ),
    path(
        "cohorts/<int:cohort_id>/mentees/",
        views.MentorDashboardApi.as_view(),
        name="api-mentor-dashboard",
    ),
    path(
        "mentoring/conversations/",
        views.ConversationListApi.as_view(),
        name="api-conversations",
    ),
    path(
        "mentoring/conversations/<int:conversation_id>/messages/",
        views.MessageListApi.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "mentoring/conversations/<int:conversation_id>/checkins/",
        views.CheckInListApi.as_view(),
        name="api-conversation-checkins",
    ),
    path(
        "mentoring/messages/<int:message_id>/report/",
        views.MessageReportApi.as_view(),
        name="api-message-report",
    ),
    path(
        "mentoring/checkins/<int:checkin_id>/",
        views.CheckInDetailApi.as_view(),
        name="api-checkin",
    ),
]
