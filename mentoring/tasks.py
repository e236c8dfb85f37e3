"""Background jobs for mentoring (ids in, service call, idempotent)."""

from celery import shared_task

from mentoring.services import checkins


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def checkin_remind(checkin_id: int) -> bool:
    """Remind a check-in's participants; a second run sends nothing."""
    return checkins.checkin_remind_send(checkin_id=checkin_id)


@shared_task
def checkin_reminders_queue() -> int:
    """Periodic sweep (celery beat): queue reminders for check-ins now due."""
    return checkins.checkin_reminders_queue()
