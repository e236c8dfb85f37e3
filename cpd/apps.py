from django.apps import AppConfig


class CpdConfig(AppConfig):
    name = "cpd"
    verbose_name = "People and cohorts"

    def ready(self) -> None:
        # Sign-ins go in the learning record with their session, for frequency.
        from django.contrib.auth.signals import user_logged_in

        from cpd.record import signed_in

        user_logged_in.connect(signed_in, dispatch_uid="cpd.record.signed_in")

        from cpd import checks  # noqa: F401 - registers the deployment checks
        from cpd.limits import allauth_limits_fail_open

        allauth_limits_fail_open()
