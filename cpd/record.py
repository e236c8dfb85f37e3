"""The learning record: one append-only list of what people did, for every app.

Apps call ``record`` in the transaction of the action (a rolled-back post
records nothing). ``cpd`` owns the model and never imports the apps: they call
in, and they register backfills (``backfill_register``) for the data they held
before the record existed.

Cheap on purpose: a statement is one INSERT; reading-time heartbeats are folded
by ``courses`` first, so a learner's reading writes at most one ``read`` row per
lesson and flush window. A retried action with the same ``client_key`` (the
idempotency key the app already has) is recorded once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from cpd.models import Activity, ActivityDaily, Cohort, User, Verb

# A backfill yields Activity field values (actor_id, verb, object_type, ...,
# timestamp, client_key) for one kind of existing row. The client_key is the one
# the live statement of the same event carries ("post:<id>"), so a backfill
# after live recording, or twice, adds nothing.
Backfill = Callable[[], Iterable[dict[str, Any]]]
_backfills: dict[str, Backfill] = {}

BACKFILL_BATCH = 1000


def record(
    *,
    actor: User | int,
    verb: Verb | str,
    object_type: str,
    object_id: int | None = None,
    cohort: Cohort | int | None = None,
    course_id: int | None = None,
    score: Decimal | float | None = None,
    success: bool | None = None,
    duration_seconds: int | None = None,
    session_key: str = "",
    client_key: str = "",
    timestamp: dt.datetime | None = None,
) -> None:
    """Append one statement; the same actor, verb and client_key again is a no-op."""
    Activity.objects.bulk_create(
        [
            Activity(
                actor_id=actor if isinstance(actor, int) else actor.pk,
                verb=str(verb),
                object_type=object_type,
                object_id=object_id,
                cohort_id=cohort if isinstance(cohort, int | None) else cohort.pk,
                course_id=course_id,
                score=None if score is None else Decimal(str(score)),
                success=success,
                duration_seconds=duration_seconds,
                session_key=session_key or "",
                client_key=client_key[:80],
                timestamp=timestamp or timezone.now(),
            )
        ],
        ignore_conflicts=bool(client_key),
    )


def record_forget(*, actor: User | int, verb: Verb | str, client_key: str) -> None:
    """Withdraw a statement that was a mistake (an attendance tapped by error)."""
    Activity.objects.filter(
        actor_id=actor if isinstance(actor, int) else actor.pk,
        verb=str(verb),
        client_key=client_key,
    ).delete()


def signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: one statement per sign-in, with its session."""
    session = getattr(request, "session", None)
    record(
        actor=user,
        verb=Verb.SIGNED_IN,
        object_type="site",
        session_key=(session.session_key or "") if session is not None else "",
    )


# --- backfill -------------------------------------------------------------------


def backfill_register(name: str, source: Backfill) -> None:
    """Register an app's backfill of existing rows (call in AppConfig.ready)."""
    _backfills[name] = source


def backfill(names: Iterable[str] | None = None) -> dict[str, int]:
    """Record statements for existing rows; running it again adds nothing.

    Each statement's client_key is its event's (the unique constraint makes a
    rerun, or a backfill of an event already recorded live, a no-op). Returns
    the rows offered per source.
    """
    chosen = list(names) if names is not None else sorted(_backfills)
    offered: dict[str, int] = {}
    for name in chosen:
        source = _backfills[name]
        batch: list[Activity] = []
        offered[name] = 0
        for values in source():
            batch.append(Activity(**values))
            offered[name] += 1
            if len(batch) >= BACKFILL_BATCH:
                Activity.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        if batch:
            Activity.objects.bulk_create(batch, ignore_conflicts=True)
    return offered


# --- roll-up --------------------------------------------------------------------


def rollup(*, days: int | None = None, today: dt.date | None = None) -> int:
    """Recompute the daily aggregates of the last ``days`` whole days.

    Each day is replaced, not added to, in one transaction: a rerun, or a run
    after late statements arrived, counts everything exactly once. Returns the
    number of aggregate rows written.
    """
    days = days if days is not None else settings.RECORD_ROLLUP_DAYS
    today = today or timezone.localdate()
    written = 0
    for offset in range(days, 0, -1):
        written += _rollup_day(today - dt.timedelta(days=offset))
    return written


def _rollup_day(day: dt.date) -> int:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    rows = (
        Activity.objects.filter(timestamp__gte=start, timestamp__lt=end)
        .values("actor_id", "cohort_id", "verb")
        .annotate(n=Count("id"), seconds=Sum("duration_seconds"))
        .order_by()
    )
    with transaction.atomic():
        ActivityDaily.objects.filter(day=day).delete()
        created = ActivityDaily.objects.bulk_create(
            ActivityDaily(
                day=day,
                actor_id=row["actor_id"],
                cohort_id=row["cohort_id"],
                verb=row["verb"],
                count=row["n"],
                duration_seconds=row["seconds"] or 0,
            )
            for row in rows
        )
    return len(created)


# --- export ---------------------------------------------------------------------


def statements(queryset: Any) -> Iterator[str]:
    """The statements of ``queryset`` as xAPI JSON, one per line (for an LRS)."""
    site = settings.SITE_URL.rstrip("/")
    for a in queryset.order_by("timestamp", "pk").iterator(chunk_size=2000):
        statement: dict[str, Any] = {
            "id": f"{site}/xapi/activity/{a.pk}",
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": site, "name": str(a.actor_id)},
            },
            "verb": {"id": f"{site}/xapi/verbs/{a.verb}", "display": {"en": a.verb}},
            "object": {
                "objectType": "Activity",
                "id": f"{site}/xapi/{a.object_type}/{a.object_id or ''}",
            },
            "timestamp": a.timestamp.isoformat(),
        }
        result: dict[str, Any] = {}
        if a.score is not None:
            result["score"] = {"scaled": float(a.score) / 100}
        if a.success is not None:
            result["success"] = a.success
        if a.duration_seconds is not None:
            result["duration"] = f"PT{a.duration_seconds}S"
        if result:
            statement["result"] = result
        extensions = {
            k: v
            for k, v in (("cohort", a.cohort_id), ("course", a.course_id))
            if v is not None
        }
        if extensions:
            statement["context"] = {
                "extensions": {f"{site}/xapi/{k}": v for k, v in extensions.items()}
            }
        yield json.dumps(statement, separators=(",", ":")) + "\n"
