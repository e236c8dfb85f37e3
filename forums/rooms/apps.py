from django.apps import AppConfig


class RoomsConfig(AppConfig):
    """Real-time case rooms: a sub-app of forums with its own models and label."""

    name = "forums.rooms"
    label = "rooms"
    verbose_name = "Case rooms"
