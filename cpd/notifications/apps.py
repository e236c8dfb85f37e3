from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The notification inbox, preferences and channels: a sub-app of cpd."""

    name = "cpd.notifications"
    label = "notifications"
    verbose_name = "Notifications"
