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


@shared_task(acks_late=True)
def notify_many(
    user_ids: list[int],
    kind: str,
    message: str,
    params: dict,
    url: str,
    dedupe_prefix: str,
    cohort: int | None = None,
) -> int:
    """Notify each person once (a rerun adds nothing: the dedupe key)."""
    return services.notify_many_now(
        user_ids=user_ids,
        kind=kind,
        message=message,
        params=params,
        url=url,
        dedupe_prefix=dedupe_prefix,
        cohort=cohort,
    )
