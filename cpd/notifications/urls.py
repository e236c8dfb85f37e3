from django.urls import path

from cpd.notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("<int:notification_id>/", views.open_notification, name="notification-open"),
    path("read-all/", views.read_all, name="notifications-read-all"),
    path("settings/", views.preferences, name="notifications-preferences"),
    path(
        "cohort/<int:cohort_id>/defaults/",
        views.cohort_defaults,
        name="notifications-cohort-defaults",
    ),
    path(
        "cohort/<int:cohort_id>/deliveries/",
        views.delivery_log,
        name="notifications-delivery-log",
    ),
    path(
        "unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notifications-unsubscribe",
    ),
    path("sms/report/", views.sms_report, name="notifications-sms-report"),
    path("sms/inbound/", views.sms_inbound, name="notifications-sms-inbound"),
]
