from django.apps import AppConfig


class RoomsConfig(AppConfig):
    """Real-time case rooms: a sub-app of forums with its own models and label."""

    name = "forums.rooms"
    label = "rooms"
    verbose_name = "Case rooms"

    def ready(self) -> None:
        # A person's export and erasure cover their room messages (cpd.privacy
        # cannot import forums).
        from cpd.privacy.registry import eraser_register, exporter_register
        from forums.rooms.privacy import rooms_erase, rooms_export

        exporter_register("rooms", rooms_export)
        eraser_register("rooms", rooms_erase)
