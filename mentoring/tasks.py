"""Background jobs for mentoring (ids in, service call, idempotent)."""

from celery import shared_task

from mentoring.services import checkins, nudges, pairing_runs


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


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=3,
)
def pairing_run_compute(run_id: int) -> str:
    """Compute a pairing run's proposal; a finished run is left as it is."""
    run = pairing_runs.pairing_run_compute(run_id=run_id)
    return run.status if run else "missing"


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def pairing_run_apply(run_id: int) -> int:
    """Save a confirmed run's pairs; a second run creates nothing."""
    return pairing_runs.pairing_run_apply(run_id=run_id)


@shared_task
def inactive_nudges() -> int:
    """Daily (celery beat): nudge learners gone quiet, with a copy to their mentor."""
    return nudges.inactive_nudges()
