from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The notification inbox, preferences and channels: a sub-app of cpd."""

    name = "cpd.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from cpd.notifications.kinds import kind_register
        from cpd.notifications.services import KIND_BUDGET, KIND_INVITATION

        kind_register(
            KIND_BUDGET, _("The organisation's SMS budget is spent"), email="immediate"
        )
        # SMS at once: an enrolled person without email hears of their account
        # only this way (SMS is off by default for every other kind).
        kind_register(
            KIND_INVITATION,
            _("An invitation to a cohort"),
            email="off",
            sms="immediate",
            push="off",
        )
