"""A transactional outbox for Celery tasks: a task is owed the moment its write commits.

``enqueue`` writes a ``TaskOutbox`` row in the caller's transaction and, once it
commits, publishes the task to the broker. If the broker is down the request is
not held up or failed: the publish is tried once, without Celery's connection
retries, and the row stays pending. ``sweep`` (celery beat, every minute) publishes
what is due and pending: rows whose publish failed, and delayed rows (reminders)
whose time has come. Tasks are idempotent, so the rare double publish (a sweep
racing a slow commit hook) does no harm.

Why not django-celery-outbox: it needs its own relay process and SELECT ... SKIP
LOCKED (no SQLite, so not the embedded mode), and pulls in sentry-sdk, structlog
and datadog.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task
from celery import current_app as celery_app
from django.db import transaction
from django.utils import timezone

from cpd.models import TaskOutbox

logger = logging.getLogger(__name__)

# A pending row is the sweep's once it is this old (its commit hook had the
# first chance).
SWEEP_GRACE = dt.timedelta(seconds=30)
SWEEP_BATCH = 500


def enqueue(task: Task, *args: Any, eta: dt.datetime | None = None) -> TaskOutbox:
    """Owe ``task(*args)`` from the current transaction's commit on (at ``eta``).

    Pass the task object, not its name: importing it registers it, which the
    embedded mode (eager Celery) needs to run it in-process.
    """
    now = timezone.now()
    row = TaskOutbox.objects.create(task=task.name, args=list(args), due_at=eta or now)
    # A delayed row waits for the sweep, also in the embedded mode (eager
    # Celery), where ``manage.py outbox_sweep`` or a beat process runs it.
    if row.due_at <= now:
        transaction.on_commit(lambda: _publish(row.pk, task))
    return row


def _publish(row_id: int, task: Task | None = None) -> bool:
    """Send one pending row to the broker; True once it is marked dispatched."""
    row = TaskOutbox.objects.filter(pk=row_id, dispatched_at__isnull=True).first()
    if row is None:
        return False
    task = task or celery_app.tasks.get(row.task)
    if task is None:
        _failed(row, f"unknown task {row.task}")
        return False
    try:
        # retry=False: one attempt, no blocking reconnect loop in a request.
        task.apply_async(args=row.args, retry=False)
    except Exception as error:  # noqa: BLE001 - the broker's failure stays here
        if celery_app.conf.task_always_eager:
            raise  # in-process, the failure is the task's own: let it surface
        _failed(row, repr(error))
        return False
    TaskOutbox.objects.filter(pk=row.pk).update(
        dispatched_at=timezone.now(), attempts=row.attempts + 1
    )
    return True


def _failed(row: TaskOutbox, error: str) -> None:
    logger.warning("task %s not published (kept in the outbox): %s", row.task, error)
    TaskOutbox.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1, last_error=error[:300]
    )


def sweep() -> int:
    """Publish pending rows that are due; return how many went out."""
    now = timezone.now()
    due = (
        TaskOutbox.objects.filter(dispatched_at__isnull=True, due_at__lte=now)
        .exclude(due_at__gt=now - SWEEP_GRACE, created_at__gt=now - SWEEP_GRACE)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(_publish(pk) for pk in list(due))


def purge(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete dispatched rows older than ``older_than``."""
    cutoff = timezone.now() - older_than
    deleted, _ = TaskOutbox.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted
