"""Deployment checks (``manage.py check --deploy``) for mistakes a first install makes.

Django's own checks cover secrets, hosts, cookies and HTTPS. These cover what
this platform needs to reach people: email that is really sent, links that
point at the site, and an SMS gateway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Info, Tags, Warning, register

NOT_SENT = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - a name, not a bind


@register(Tags.security, deploy=True)
def reach_checks(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if settings.EMAIL_BACKEND in NOT_SENT:
        problems.append(
            Warning(
                "Email is not sent: invitations, reminders and digests go to "
                f"{settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}.",
                hint="Set DJANGO_EMAIL_BACKEND to smtp or an anymail backend "
                "(docs/deploy.md).",
                id="cpd.W001",
            )
        )
    host = urlparse(settings.SITE_URL).hostname or ""
    if host in LOOPBACK or not settings.SITE_URL.startswith("https://"):
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in emails, SMS and "
                "certificates would point there.",
                hint="Set SITE_URL to the site's public https:// address.",
                id="cpd.W002",
            )
        )
    if settings.SMS_BACKEND.endswith("ConsoleSmsBackend"):
        from cpd.notifications.kinds import kinds
        from cpd.notifications.models import Channel, Mode

        by_sms = [k.name for k in kinds() if k.default(Channel.SMS) == Mode.IMMEDIATE]
        problem = Warning if by_sms else Info
        problems.append(
            problem(
                "SMS go to the log (console backend)"
                + (f", though {', '.join(by_sms)} send SMS." if by_sms else "."),
                hint="Set SMS_BACKEND to the Africa's Talking backend "
                "(docs/notifications.md), or turn SMS off for those kinds.",
                id="cpd.W003" if by_sms else "cpd.I001",
            )
        )
    return problems
