"""What a first production install gets wrong is caught before it goes live."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cpd.checks import reach_checks


def _ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {problem.id for problem in reach_checks()}


def test_unsent_email_and_a_loopback_site_url_are_warned():
    ids = _ids(
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        SITE_URL="http://127.0.0.1:8000",
    )
    assert {"cpd.W001", "cpd.W002"} <= ids


def test_sms_kinds_with_a_console_backend_are_warned():
    ids = _ids(SMS_BACKEND="cpd.notifications.backends.sms.ConsoleSmsBackend")
    assert "cpd.W003" in ids  # mentoring messages and sessions go by SMS


def test_a_real_configuration_passes():
    ids = _ids(
        EMAIL_BACKEND="anymail.backends.mailgun.EmailBackend",
        SITE_URL="https://cpd.example.org",
        SMS_BACKEND="cpd.notifications.backends.sms.AfricasTalkingSmsBackend",
    )
    assert ids == set()


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "cpd.settings.production"
    with pytest.raises(CommandError, match="createsuperuser"):
        call_command("seed_demo")
    from cpd.models import User

    assert not User.objects.filter(email="admin@demo.cpd").exists()
