from django.urls import path

from cpd.notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        api.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
    path(
        "notifications/read-all/",
        api.NotificationReadAllApi.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/preferences/",
        api.PreferenceApi.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "notifications/push/",
        api.PushSubscriptionApi.as_view(),
        name="api-push-subscription",
    ),
    path(
        "notifications/cohorts/<int:cohort_id>/defaults/",
        api.CohortDefaultApi.as_view(),
        name="api-notification-cohort-defaults",
    ),
    path(
        "notifications/cohorts/<int:cohort_id>/deliveries/",
        api.DeliveryLogApi.as_view(),
        name="api-notification-deliveries",
    ),
]
