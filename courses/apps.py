from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        # cpd's home page shows "continue where you left off" without importing
        # courses: the panel is handed over here.
        from courses.panels import cohort_gain_panel, continue_lesson_panel
        from cpd.panels import COHORT_REPORT, HOME, panel_register

        panel_register(HOME, continue_lesson_panel)
        panel_register(COHORT_REPORT, cohort_gain_panel)
        from courses.panels import cohort_course_reports_panel

        panel_register(COHORT_REPORT, cohort_course_reports_panel)

        from courses.report_scatter import cohort_engagement_gain_panel

        panel_register(COHORT_REPORT, cohort_engagement_gain_panel)

        from courses import record_backfill
        from cpd.record import backfill_register

        backfill_register("lessons", record_backfill.lessons)
        backfill_register("attempts", record_backfill.attempts)
        backfill_register("attendance", record_backfill.attendance)

        from django.utils.translation import gettext_lazy as _

        from courses.services.certificates import KIND_CERTIFICATE
        from cpd.notifications.kinds import kind_register

        kind_register(KIND_CERTIFICATE, _("Certificate issued"), email="immediate")
        from courses.services.reminders import KIND_MODULE, KIND_SESSION

        kind_register(
            KIND_SESSION, _("A face-to-face session tomorrow"), sms="immediate"
        )
        kind_register(KIND_MODULE, _("A new module opens"))

        # A person's export and erasure cover their courses data: handed over
        # to cpd.privacy, which cannot import courses.
        from courses.privacy import courses_erase, courses_export
        from cpd.privacy.registry import eraser_register, exporter_register

        exporter_register("courses", courses_export)
        eraser_register("courses", courses_erase)

        # cpd's administrator's area asks for the courses' part (cpd.cohort_hooks).
        from courses import cohort_hooks

        cohort_hooks.register()

        # The learner report's course and CPD-hours parts, and the cohort
        # report's hours (cpd cannot import courses).
        from courses import learner_report, report_hours
        from cpd.learner_report.selectors import learner_part_register
        from cpd.panels import LEARNER_REPORT

        panel_register(LEARNER_REPORT, learner_report.learner_courses_panel)
        panel_register(LEARNER_REPORT, report_hours.learner_hours_panel)
        panel_register(COHORT_REPORT, report_hours.cohort_hours_panel)
        learner_part_register("courses", learner_report.learner_courses)
        learner_part_register("cpd_hours", report_hours.learner_hours)
        from cpd.report_parts import cohort_part_register

        cohort_part_register("cpd_hours", report_hours.cohort_hours_figures)
