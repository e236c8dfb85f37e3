"""Background jobs for notifications (ids in, service call, idempotent)."""

from celery import shared_task

from cpd.notifications import services


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> str:
    """Send one delivery; a redelivered task sends nothing twice."""
    return services.deliver(delivery_id=delivery_id)


@shared_task
def digests_send() -> int:
    """Periodic (celery beat): the daily email digests."""
    return services.digests_send()
