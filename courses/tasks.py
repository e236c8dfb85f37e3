"""Background jobs for courses (periodic reminders; idempotent)."""

from celery import shared_task

from courses.services import reminders


@shared_task
def sessions_tomorrow() -> int:
    """Daily (celery beat): remind learners of tomorrow's face-to-face sessions."""
    return reminders.sessions_tomorrow()


@shared_task
def modules_opened() -> int:
    """Daily (celery beat): tell learners of the modules that opened today."""
    return reminders.modules_opened()
