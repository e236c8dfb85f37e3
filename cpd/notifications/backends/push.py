"""Web push through pywebpush, with the VAPID keys from settings."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings


class PushGone(Exception):
    """The subscription expired or was revoked: forget it."""


class PushError(Exception):
    """The push service failed; try again later."""


def push_send(subscription: Any, payload: dict[str, Any]) -> None:
    """Send ``payload`` (title, body, url) to one subscription."""
    from pywebpush import WebPushException, webpush

    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": f"mailto:{settings.VAPID_CLAIMS_EMAIL}"},
            ttl=24 * 3600,
            timeout=10,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(str(status)) from error
        raise PushError(str(error)[:200]) from error
