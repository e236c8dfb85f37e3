"""Channel backends, chosen by settings (``SMS_BACKEND``; email is Django's own)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from cpd.notifications.backends.sms import SmsBackend


def sms_backend() -> SmsBackend:
    """The configured SMS backend (console by default)."""
    cls = import_string(settings.SMS_BACKEND)
    backend: SmsBackend = cls()
    return backend
