"""Settings of the worker in the kill test: test settings, and an email backend
that writes one file per message (so the test counts what was sent) and, once,
stalls after the message it is told, so the test can kill it mid-task.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from cpd.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.faults.worker_settings.StallingFileBackend"
OUTBOX = Path(os.environ.get("FAULT_OUTBOX", "/nonexistent"))


class StallingFileBackend(BaseEmailBackend):
    """Writes each message as ``<recipient>.<uuid>``; after the recipients named
    in ``FAULT_STALL``, writes ``stalled-<recipient>`` (holding its pid) and
    sleeps: the provider has the message, its answer is slow.
    """

    def send_messages(self, email_messages):
        stall = set(filter(None, os.environ.get("FAULT_STALL", "").split(",")))
        for message in email_messages:
            for to in message.to:
                (OUTBOX / f"{to}.{uuid.uuid4().hex}").write_bytes(
                    message.message().as_bytes()
                )
                marker = OUTBOX / f"stalled-{to}"
                if to in stall and not marker.exists():
                    marker.write_text(str(os.getpid()))
                    time.sleep(60)
        return len(email_messages)
