"""The background job that applies a confirmed enrolment spreadsheet."""

from celery import shared_task

from cpd import services as cpd_services
from cpd.enrolment import services


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=10,
)
def enrolment_apply(enrolment_id: int) -> int:
    """Apply a confirmed file chunk by chunk; a rerun resumes where it stopped."""
    chunks = 0
    try:
        while services.enrolment_apply_chunk(enrolment_id=enrolment_id):
            chunks += 1
    except Exception as error:
        # The chunk rolled back; say where it stopped, then let Celery retry.
        services.enrolment_stopped(enrolment_id=enrolment_id, error=error)
        raise
    return chunks


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def enrolment_invitations_send(invitation_ids: list[int]) -> int:
    """Send a chunk's invitations; each goes at most once (a rerun skips the sent)."""
    return sum(
        1 for pk in invitation_ids if cpd_services.invitation_send(invitation_id=pk)
    )
