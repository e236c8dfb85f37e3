"""Review of the daily roll-up (issue 11): windows longer than one bit mask,
zones with summer time, and the roll-up's runs (bounded, one at a time)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import zoneinfo
from collections import defaultdict
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from cpd import record, reports, services, tasks
from cpd.models import Activity, ActivityDaily, Role, RollupBatch, Verb
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def act(user, verb, when, **extra):
    record.record(actor=user, verb=verb, object_type="x", timestamp=when, **extra)


def _reference(cohort, course_ids, since, until, zone) -> dict[int, tuple]:
    """Days, sessions, minutes and the days per week, from each statement."""
    members = set(
        cohort.memberships.filter(role=Role.LEARNER).values_list("user_id", flat=True)
    )
    out: dict[int, dict[str, Any]] = {}
    for s in Activity.objects.filter(
        actor_id__in=members, timestamp__gte=since, timestamp__lt=until
    ):
        if not (
            s.cohort_id == cohort.pk
            or (
                s.cohort_id is None
                and (s.course_id is None or s.course_id in course_ids)
            )
        ):
            continue
        row = out.setdefault(s.actor_id, {"days": set(), "keys": set(), "sec": 0})
        row["days"].add(s.timestamp.astimezone(zone).date())
        if s.verb == Verb.SIGNED_IN:
            row["keys"].add(s.session_key)
        row["sec"] += s.duration_seconds or 0
    return {
        uid: (len(r["days"]), len(r["keys"]), r["sec"] // 60, frozenset(r["days"]))
        for uid, r in out.items()
    }


@pytest.mark.parametrize(
    ("weeks", "zone"),
    [
        (8, "Europe/London"),  # summer time ends on 25 Oct 2026, in the window
        (9, "UTC"),  # 70 days: two masks
        (14, "America/Santiago"),  # 105 days; summer time began at midnight, 6 Sep
        (20, "Africa/Nairobi"),  # 147 days: three masks
    ],
)
def test_longer_windows_and_summer_time_count_as_every_statement(world, weeks, zone):
    with override_settings(TIME_ZONE=zone):
        tz = zoneinfo.ZoneInfo(zone)
        rng = random.Random(weeks)
        # begun before the window, so every week of it is shown
        world.cohort.starts_on = dt.date(2025, 1, 1)
        world.cohort.save(update_fields=["starts_on"])
        mine = course_for(world.cohort)
        people = [world.learner] + [UserFactory() for _ in range(4)]
        for user in people[1:]:
            services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        Activity.objects.all().delete()
        span = (weeks + 1) * 7 * 24 * 60

        def statements(n: int) -> None:
            for _ in range(n):
                verb = rng.choice([Verb.SIGNED_IN, Verb.READ, Verb.REPLIED])
                act(
                    rng.choice(people),
                    verb,
                    NOW - dt.timedelta(minutes=rng.randint(-3000, span)),
                    cohort=rng.choice([None, world.cohort]),
                    course_id=rng.choice([None, mine.pk]),
                    duration_seconds=rng.randint(1, 900) if verb == Verb.READ else None,
                    session_key=rng.choice(["", "k1", "k2"])
                    if verb == Verb.SIGNED_IN
                    else "",
                )

        since = NOW - dt.timedelta(weeks=weeks)
        starts = reports.week_starts(since, weeks)
        until = record.local_midnight(starts[-1] + dt.timedelta(weeks=1))

        def check() -> None:
            report = reports.cohort_report(world.cohort, weeks=weeks, now=NOW)
            expected = _reference(world.cohort, {mine.pk}, since, until, tz)
            got = {
                r.user_id: (r.days_active, r.sessions, r.minutes)
                for r in report.rows
                if r.days_active
            }
            assert got == {u: e[:3] for u, e in expected.items()}
            per_week: dict[dt.date, int] = defaultdict(int)
            for _d, _k, _m, days in expected.values():
                for monday in {d - dt.timedelta(days=d.weekday()) for d in days}:
                    per_week[monday] += 1
            assert report.weeks == [(w, per_week.get(w, 0)) for w in starts]

        statements(200)
        check()
        for cutoff in (TODAY - dt.timedelta(days=50), TODAY):
            record.rollup(today=cutoff)
            check()
            statements(40)
            check()
        record.rollup(today=TODAY + dt.timedelta(days=3))
        check()


# --- the roll-up's runs ---------------------------------------------------------


def _backlog(user, days: int) -> int:
    """One read a day for ``days`` days before today; returns their number."""
    for n in range(1, days + 1):
        act(user, Verb.READ, NOW - dt.timedelta(days=n), duration_seconds=60)
    return days


def _counted() -> int:
    return sum(ActivityDaily.objects.values_list("count", flat=True))


def test_a_run_stops_after_its_time_and_the_next_run_goes_on(world):
    """A first run over a long history must not outlive the broker's
    visibility timeout (the task would be given to a second worker)."""
    Activity.objects.all().delete()
    n = _backlog(world.learner, 60)  # nine chunks of 7 days
    ticks = iter(range(0, 10_000, 50))  # 50 s pass per batch

    with mock.patch.object(record, "_clock", side_effect=lambda: next(ticks)):
        first = record.rollup(today=TODAY, seconds=120)
    # 0 at the start; after batches 1, 2 it is 50, 100 (< 120); after 3, 150
    assert RollupBatch.objects.count() == 3
    assert _counted() == first == 21
    assert Activity.objects.filter(rollup_batch__isnull=True).count() == n - 21
    # the next runs take the rest, each statement once
    record.rollup(today=TODAY)
    assert _counted() == n
    assert not Activity.objects.filter(rollup_batch__isnull=True).exists()


def test_the_beat_task_is_bounded_under_the_visibility_timeout(world):
    Activity.objects.all().delete()
    _backlog(world.learner, 30)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # a batch may take a minute on a large record: room for the last one
    assert visibility >= settings.RECORD_ROLLUP_RUN_SECONDS + 60
    with override_settings(RECORD_ROLLUP_RUN_SECONDS=0):
        tasks.record_rollup()  # at least one batch, then it stops
    assert RollupBatch.objects.count() == 1
    assert Activity.objects.filter(rollup_batch__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_one_runs_returns_at_once_and_counts_nothing_twice():
    """Two workers (a redelivered task, or record_backfill beside beat): the
    second neither waits on the first's row locks nor writes empty batches."""
    user = UserFactory()
    n = _backlog(user, 20)
    original = record._daily_values
    inside, release = threading.Event(), threading.Event()

    def held(statements):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(20)
        yield from original(statements)

    results: dict[str, int] = {}

    def run(name: str) -> None:
        try:
            results[name] = record.rollup(today=TODAY)
        finally:
            connection.close()

    with mock.patch.object(record, "_daily_values", held):
        first = threading.Thread(target=run, args=("first",), name="first")
        first.start()
        assert inside.wait(20)  # the first has tagged its chunk and holds it
        second = threading.Thread(target=run, args=("second",), name="second")
        second.start()
        second.join(5)
        returned_at_once = not second.is_alive()
        release.set()
        first.join(30)
        second.join(30)
    assert returned_at_once
    assert results["second"] == 0
    assert _counted() == n
    assert not RollupBatch.objects.filter(statements=0).exists()
    assert not Activity.objects.filter(rollup_batch__isnull=True).exists()


# --- erasure and export -------------------------------------------------------------


def test_erasure_takes_the_rolled_up_days_too_and_the_export_keeps_the_rest(world):
    from cpd.privacy import services as privacy
    from cpd.privacy.models import ErasureRequest

    Activity.objects.all().delete()
    other = UserFactory()
    services.membership_add(cohort=world.cohort, user=other, role=Role.LEARNER)
    for user in (world.learner, other):
        _backlog(user, 10)
    record.rollup()  # all past days: the raw statements stay, tagged
    assert Activity.objects.filter(rollup_batch__isnull=True).count() == 0
    # the export (xAPI) still reads every raw statement, rolled up or not
    exported = list(
        record.statements(reports.cohort_statements_for_export(world.cohort))
    )
    assert len(exported) == 20
    request = privacy.erasure_request(actor=world.learner)
    ErasureRequest.objects.filter(pk=request.pk).update(
        due_at=dt.datetime(2000, 1, 1, tzinfo=UTC)
    )
    assert privacy.erasure_perform(request_id=request.pk)
    assert not Activity.objects.filter(actor=world.learner).exists()
    assert not ActivityDaily.objects.filter(actor=world.learner).exists()
    assert _counted() == 10  # the other learner's days stay
    record.rollup()
    assert not ActivityDaily.objects.filter(actor=world.learner).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_statements_recorded_and_forgotten_during_a_run_count_once():
    user = UserFactory()
    _backlog(user, 5)
    act(user, Verb.ATTENDED, NOW - dt.timedelta(days=2), client_key="session:1")
    original = record._daily_values
    inside, release = threading.Event(), threading.Event()

    def held(statements):
        if threading.current_thread().name == "rollup":
            inside.set()
            release.wait(20)
        yield from original(statements)

    def in_thread(name: str, work) -> threading.Thread:
        def run() -> None:
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=run, name=name)
        thread.start()
        return thread

    with mock.patch.object(record, "_daily_values", held):
        rollup = in_thread("rollup", lambda: record.rollup(today=TODAY))
        assert inside.wait(20)
        # an offline phone's read of 3 days ago, committed mid-run
        late = in_thread(
            "late",
            lambda: act(user, Verb.READ, NOW - dt.timedelta(days=3, hours=1)),
        )
        late.join(10)
        assert not late.is_alive()  # an INSERT waits on nobody
        # the attendance withdrawn mid-run: it waits for the run's row lock
        forget = in_thread(
            "forget",
            lambda: record.record_forget(
                actor=user, verb=Verb.ATTENDED, client_key="session:1"
            ),
        )
        forget.join(2)
        assert forget.is_alive()
        release.set()
        rollup.join(30)
        forget.join(30)
    # the late read was not taken by the batch under way but by the next one
    batches = dict(Activity.objects.values_list("duration_seconds", "rollup_batch"))
    assert (batches[None] or 0) > (batches[60] or 0) > 0
    assert record.rollup(today=TODAY) == 0
    kept: dict[tuple, int] = defaultdict(int)
    for d in ActivityDaily.objects.all():
        kept[(d.day, d.verb)] += d.count
    recount: dict[tuple, int] = defaultdict(int)
    for s in Activity.objects.all():
        recount[(s.timestamp.date(), s.verb)] += 1
    assert dict(kept) == dict(recount)
    assert not ActivityDaily.objects.filter(verb=Verb.ATTENDED).exists()
    assert _counted() == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_record_backfills_roll_up_waits_for_a_batch_under_way_and_goes_on():
    user = UserFactory()
    n = _backlog(user, 20)
    original = record._daily_values
    inside, release = threading.Event(), threading.Event()

    def held(statements):
        if threading.current_thread().name == "beat":
            inside.set()
            release.wait(20)
        yield from original(statements)

    def run(wait: bool) -> None:
        try:
            record.rollup(today=TODAY, wait=wait)
        finally:
            connection.close()

    with mock.patch.object(record, "_daily_values", held):
        beat = threading.Thread(target=run, args=(False,), name="beat")
        beat.start()
        assert inside.wait(20)
        command = threading.Thread(target=run, args=(True,), name="command")
        command.start()
        command.join(2)
        assert command.is_alive()  # it waits for the batch under way
        release.set()
        beat.join(30)
        command.join(30)
    assert _counted() == n
    assert not Activity.objects.filter(rollup_batch__isnull=True).exists()
    assert not RollupBatch.objects.filter(statements=0).exists()
