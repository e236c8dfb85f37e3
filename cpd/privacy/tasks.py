"""Background jobs for privacy (ids in, service call, idempotent)."""

from celery import shared_task

from cpd.privacy import services


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def export_build(export_id: int) -> bool:
    """Build a person's export ZIP and tell them; a second run does nothing."""
    return services.export_build(export_id=export_id)


@shared_task
def erasure_perform(request_id: int) -> bool:
    """Erase the person of a confirmed request; a second run does nothing."""
    return services.erasure_perform(request_id=request_id)


@shared_task
def privacy_sweep() -> dict[str, int]:
    """Periodic (celery beat): erasures past their grace period; expired exports."""
    return services.privacy_sweep()
