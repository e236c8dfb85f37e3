from django.apps import AppConfig


class CpdConfig(AppConfig):
    name = "cpd"
    verbose_name = "People and cohorts"

    def ready(self) -> None:
        from cpd.limits import allauth_limits_fail_open

        allauth_limits_fail_open()
