"""Background jobs for case rooms (service calls, idempotent)."""

from celery import shared_task

from forums.rooms import services


@shared_task
def retention_sweep() -> int:
    """Periodic (celery beat): empty rooms past their cohort's retention period."""
    return services.retention_sweep()
