from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        # cpd's home page shows "continue where you left off" without importing
        # courses: the panel is handed over here.
        from courses.panels import continue_lesson_panel
        from cpd.panels import HOME, panel_register

        panel_register(HOME, continue_lesson_panel)

        # A person's export and erasure cover their courses data: handed over
        # to cpd.privacy, which cannot import courses.
        from courses.privacy import courses_erase, courses_export
        from cpd.privacy.registry import eraser_register, exporter_register

        exporter_register("courses", courses_export)
        eraser_register("courses", courses_erase)
