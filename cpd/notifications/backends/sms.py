"""SMS backends: one interface, a console backend, and Africa's Talking.

A backend sends one text to one number in E.164 and returns the provider's
message id (used to match delivery reports), or raises ``SmsError``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or failed the message; the text says why.

    ``retry`` is true only when the gateway surely did not take the message (no
    connection, or it answered that it failed): trying again cannot send it
    twice. An unanswered request may have been sent, so it is not retried.
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


# Africa's Talking's per-recipient statuses that a later try may get past.
AT_TRANSIENT = {"InternalServerError", "GatewayError"}


@dataclass(frozen=True)
class SentSms:
    """What the gateway answered: its message id and what the message cost."""

    provider_id: str
    cost: str = ""


class SmsBackend:
    def send(self, to: str, text: str) -> SentSms:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes the message to the log (the default; development and demos)."""

    sent: list[tuple[str, str]] = []  # noqa: RUF012 - inspected by tests

    def send(self, to: str, text: str) -> SentSms:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        logger.info("SMS to %s (%s): %s", to, message_id, text)
        ConsoleSmsBackend.sent.append((to, text))
        return SentSms(message_id, "0")


class AfricasTalkingSmsBackend(SmsBackend):
    """Africa's Talking through its official SDK (``africastalking``).

    Settings: AFRICASTALKING_USERNAME, AFRICASTALKING_API_KEY and optionally
    AFRICASTALKING_SENDER_ID. Delivery reports come back to the webhook
    (``notifications-sms-report``) and update the delivery log.
    """

    def __init__(self) -> None:
        import africastalking

        africastalking.initialize(
            settings.AFRICASTALKING_USERNAME, settings.AFRICASTALKING_API_KEY
        )
        self.sms = africastalking.SMS
        if settings.AFRICASTALKING_API_URL:
            # A gateway double in tests, or an egress proxy: the SDK has no
            # setting for its base address, so it is set on the service.
            self.sms._baseUrl = settings.AFRICASTALKING_API_URL.rstrip("/")

    def send(self, to: str, text: str) -> SentSms:
        import requests
        from africastalking.Service import AfricasTalkingException

        try:
            response = self.sms.send(
                text, [to], sender_id=settings.AFRICASTALKING_SENDER_ID or None
            )
        except requests.ReadTimeout as error:
            # Asked, never answered: it may have been sent, so never again.
            raise SmsError(f"no answer: {error}"[:200]) from error
        except (requests.ConnectionError, AfricasTalkingException) as error:
            # Not reached, or an HTTP error answer: nothing was sent.
            raise SmsError(str(error)[:200], retry=True) from error
        except Exception as error:  # noqa: BLE001 - the SDK raises plain Exception
            raise SmsError(str(error)[:200]) from error
        recipients = response.get("SMSMessageData", {}).get("Recipients", [])
        if not recipients:
            raise SmsError(str(response.get("SMSMessageData", {}).get("Message", "")))
        first = recipients[0]
        status = str(first.get("status"))
        if status not in {"Success", "Sent", "Queued"}:
            raise SmsError(status, retry=status in AT_TRANSIENT)
        return SentSms(str(first.get("messageId", "")), str(first.get("cost", "")))
