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
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from cpd.models import Activity, ActivityDaily, Cohort, RollupBatch, User, Verb

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
    """Withdraw a statement that was a mistake (an attendance tapped by error).

    A statement already rolled up is taken out of its daily row too. Its row is
    locked first, so a roll-up running meanwhile either tagged it before (and
    the daily row is corrected) or finds it gone.
    """
    with transaction.atomic():
        forgotten = list(
            Activity.objects.select_for_update().filter(
                actor_id=actor if isinstance(actor, int) else actor.pk,
                verb=str(verb),
                client_key=client_key,
            )
        )
        if not forgotten:
            return
        Activity.objects.filter(pk__in=[a.pk for a in forgotten]).delete()
        _rollup_unforget(forgotten)


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

# The roll-up's clock (monotonic; the tests' to turn).
_clock = time.monotonic

# One batch covers at most this many days of untagged statements (a first
# roll-up of a long history runs as several short transactions).
ROLLUP_CHUNK_DAYS = 7


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the site's time zone (the roll-up's days)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def rollup_day_expression() -> TruncDate:
    """A statement's day as the roll-up counts it (the site's time zone)."""
    return TruncDate("timestamp", tzinfo=timezone.get_default_timezone())


def rollup(
    *, today: dt.date | None = None, seconds: float | None = None, wait: bool = False
) -> int:
    """Count every statement of a day before ``today`` not counted yet.

    The watermark is per statement, not per day: a batch tags the untagged
    statements it takes (``Activity.rollup_batch``) and writes their daily rows
    in the same transaction, so a report sees a statement either tagged and in
    the daily rows or untagged and not. A rerun finds nothing to take; a late
    statement (an offline phone's, for a day already rolled up) is untagged
    and counted by the next run, in a row of its own batch; one committed while
    a batch runs is not taken by it. Today's statements wait for tomorrow.

    One batch at a time: a run that finds another's batch under way stops (it
    neither waits on that batch's row locks nor writes empty batches), or with
    ``wait`` (``record_backfill``) waits for it and goes on. With
    ``seconds``, the run stops after the first batch that ends past that long
    (the beat task: a long first history is taken over several runs, each well
    under the broker's visibility timeout). Returns the daily rows written.
    """
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    cutoff = local_midnight(today)
    started = _clock()
    written = 0
    while True:
        rows = _rollup_batch(cutoff, wait=wait)
        if rows is None:
            return written
        written += rows
        if seconds is not None and _clock() - started >= seconds:
            return written


# The roll-up's PostgreSQL advisory lock (any constant unique to it in the
# database): held by each batch's transaction, so batches never overlap.
_ROLLUP_LOCK = 0x6370_6472_6F6C_6C75  # "cpdrollu"


def _rollup_lock(*, wait: bool) -> bool:
    """Take the roll-up's lock for this transaction; False if a batch holds it
    (with ``wait``, wait for it instead).

    PostgreSQL only: SQLite writes one transaction at a time anyway.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_ROLLUP_LOCK])
        return bool(cursor.fetchone()[0])


def _rollup_batch(cutoff: dt.datetime, *, wait: bool = False) -> int | None:
    """Count the untagged statements of the oldest days before ``cutoff`` (at
    most ``ROLLUP_CHUNK_DAYS``) in one transaction; None: nothing is left, or
    another run's batch is under way."""
    with transaction.atomic():
        if not _rollup_lock(wait=wait):
            return None
        # under the lock, so it sees every batch committed before this one
        first = Activity.objects.filter(
            rollup_batch__isnull=True, timestamp__lt=cutoff
        ).aggregate(first=Min("timestamp"))["first"]
        if first is None:
            return None
        first_day = timezone.localtime(first, timezone.get_default_timezone()).date()
        until = min(cutoff, local_midnight(first_day + dt.timedelta(ROLLUP_CHUNK_DAYS)))
        batch = RollupBatch.objects.create()
        # UPDATE first: it takes (and row-locks) exactly the statements this
        # batch counts; the aggregate below reads them by their tag.
        tagged = Activity.objects.filter(
            rollup_batch__isnull=True, timestamp__lt=until
        ).update(rollup_batch=batch.pk)
        rows = ActivityDaily.objects.bulk_create(
            (
                ActivityDaily(batch=batch.pk, **values)
                for values in _daily_values(
                    Activity.objects.filter(rollup_batch=batch.pk)
                )
            ),
            batch_size=5000,
        )
        batch.statements, batch.rows = tagged, len(rows)
        batch.save(update_fields=["statements", "rows"])
    return len(rows)


def _daily_values(statements: Any) -> Iterator[dict[str, Any]]:
    """The daily rows of ``statements``: one per day, person, cohort, course,
    verb and (sign-ins) session."""
    for row in (
        statements.annotate(
            day=rollup_day_expression(),
            key=Case(
                When(verb=Verb.SIGNED_IN, then=F("session_key")), default=Value("")
            ),
        )
        .values("day", "actor_id", "cohort_id", "course_id", "verb", "key")
        .annotate(n=Count("id"), seconds=Sum("duration_seconds"), at=Max("timestamp"))
        .order_by("actor_id", "day")
    ):
        yield {
            "day": row["day"],
            "actor_id": row["actor_id"],
            "cohort_id": row["cohort_id"],
            "course_id": row["course_id"],
            "verb": row["verb"],
            "session_key": row["key"],
            "count": row["n"],
            "duration_seconds": row["seconds"] or 0,
            "last": row["at"],
        }


def _rollup_unforget(statements: list[Activity]) -> None:
    """Take forgotten (already deleted) statements out of their daily rows.

    Each affected row is locked, then counted again from the statements of its
    batch that remain: a batch's statements only ever shrink, so this is exact
    whatever else runs.
    """
    groups = {
        (
            a.rollup_batch,
            timezone.localtime(a.timestamp, timezone.get_default_timezone()).date(),
            a.actor_id,
            a.cohort_id,
            a.course_id,
            a.verb,
            a.session_key if a.verb == Verb.SIGNED_IN else "",
        )
        for a in statements
        if a.rollup_batch is not None
    }
    for batch, day, actor_id, cohort_id, course_id, verb, key in groups:
        # a None context matches NULL (filter(x=None) is x IS NULL)
        context = Q(cohort_id=cohort_id) if cohort_id else Q(cohort__isnull=True)
        context &= Q(course_id=course_id)
        rows = ActivityDaily.objects.filter(
            context,
            batch=batch,
            day=day,
            actor_id=actor_id,
            verb=verb,
            session_key=key,
        )
        list(rows.select_for_update())
        remaining = Activity.objects.filter(
            context,
            rollup_batch=batch,
            actor_id=actor_id,
            verb=verb,
            timestamp__gte=local_midnight(day),
            timestamp__lt=local_midnight(day + dt.timedelta(days=1)),
        )
        if verb == Verb.SIGNED_IN:
            remaining = remaining.filter(session_key=key)
        values = list(_daily_values(remaining))
        rows.delete()
        ActivityDaily.objects.bulk_create(
            ActivityDaily(batch=batch, **v) for v in values
        )


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
