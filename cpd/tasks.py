"""Background jobs for people and cohorts (ids in, service call, idempotent)."""

from celery import shared_task
from django.conf import settings

from cpd import outbox, record, services


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send(invitation_id: int) -> bool:
    """Email or text an invitation link; a second run sends nothing."""
    return services.invitation_send(invitation_id=invitation_id)


@shared_task
def outbox_sweep() -> int:
    """Periodic (celery beat): publish owed tasks whose publish failed or is due."""
    return outbox.sweep()


@shared_task
def outbox_purge() -> int:
    """Periodic (celery beat): forget tasks published more than a week ago."""
    return outbox.purge()


@shared_task
def record_rollup() -> int:
    """Periodic (celery beat): count past days' statements not counted yet.

    Bounded (``RECORD_ROLLUP_RUN_SECONDS``): a long backlog is taken over
    several hourly runs, none of them outliving the broker's visibility
    timeout (past it the task would be handed to a second worker as well).
    """
    return record.rollup(seconds=settings.RECORD_ROLLUP_RUN_SECONDS)
