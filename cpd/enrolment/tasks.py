"""The background job that applies a confirmed enrolment spreadsheet."""

from celery import shared_task

from cpd.enrolment import services


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=10,
)
def enrolment_apply(enrolment_id: int) -> int:
    """Apply a confirmed file chunk by chunk; a rerun resumes where it stopped."""
    chunks = 0
    while services.enrolment_apply_chunk(enrolment_id=enrolment_id):
        chunks += 1
    return chunks
