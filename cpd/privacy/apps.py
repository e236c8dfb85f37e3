from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data export and erasure; each app hands over its part (registry)."""

    name = "cpd.privacy"
    label = "privacy"
    verbose_name = "Privacy"
