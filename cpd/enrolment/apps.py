from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    """Spreadsheet enrolment of a cohort: a sub-app of cpd."""

    name = "cpd.enrolment"
    label = "enrolment"
    verbose_name = "Spreadsheet enrolment"

    def ready(self) -> None:
        from cpd.enrolment import privacy

        privacy.register()

        from cpd.audit import audit_source_register
        from cpd.enrolment.audit import confirmed_files

        audit_source_register("enrolment", confirmed_files)
