from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data export and erasure; each app hands over its part (registry)."""

    name = "cpd.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from cpd.audit import audit_source_register
        from cpd.privacy.selectors import audit_entries

        audit_source_register("privacy", audit_entries)
