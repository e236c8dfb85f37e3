"""The only path from the write layer to the channel layer.

Events go out after the transaction commits, so a rolled-back write never
produces a ghost event. The channel layer delivers at most once: anything a
client must not miss is also stored in the database and fetched by id.

Publishing is best effort: when the channel layer (Redis) cannot be reached the
event is dropped with a warning, never raised into the request that already
committed its write. Sockets that reconnect catch up from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """Group that reaches every open socket of one user."""
    return f"user.{user_id}"


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits."""
    if "type" not in event:
        raise ValueError("a channel-layer event needs a 'type'")

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception as error:  # noqa: BLE001 - the write is committed already
            logger.warning(
                "event %s to %s not published: %r", event["type"], group, error
            )

    transaction.on_commit(send)
