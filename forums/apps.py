from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"

    def ready(self) -> None:
        # A course's outline links to its forums, but courses must not import
        # forums (forums stands on courses): the panel is handed over here.
        from cpd.panels import COURSE_DETAIL, panel_register
        from forums.panels import course_forums_panel

        panel_register(COURSE_DETAIL, course_forums_panel)

        # A person's export and erasure cover their posts (cpd.privacy cannot
        # import forums).
        from cpd.privacy.registry import eraser_register, exporter_register
        from forums.privacy import forums_erase, forums_export

        exporter_register("forums", forums_export)
        eraser_register("forums", forums_erase)
