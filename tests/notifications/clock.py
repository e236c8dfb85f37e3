"""Times at which the hourly digest run sends (people in the default zone, UTC)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def digest_at(*, weekly: bool = False) -> dt.datetime:
    """The latest digest hour (UTC) not after today's, on the weekly day or not."""
    at = (
        timezone.now()
        .astimezone(dt.UTC)
        .replace(hour=settings.NOTIFY_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    )
    while (at.weekday() == settings.NOTIFY_DIGEST_WEEKDAY) != weekly:
        at -= dt.timedelta(days=1)
    return at
