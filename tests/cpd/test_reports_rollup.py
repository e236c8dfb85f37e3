"""The cohort report reads whole past days from the daily roll-up and the rest
from the statements: its figures are the same whether the record is raw,
rolled up or both, against hand-computed values and against a count of every
statement; a rerun, a late statement and a forgotten one count exactly once."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import record, reports, services
from cpd.models import Activity, ActivityDaily, Role, RollupBatch, Verb
from tests.conftest import client_as
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory

UTC = dt.UTC
# A Tuesday; the window is the 56 days before: since = 13 Oct 10:00.
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def act(user, verb, when, **extra):
    record.record(actor=user, verb=verb, object_type="x", timestamp=when, **extra)


@pytest.fixture
def small(world):
    """A: 5 days, 3 sessions, 35 min, 1 social, 1 completed, 1 attended; B: 1
    day, 10 min; C: nothing. Each line says why it counts (or not)."""
    # the cohort began before the window, so every week of it is shown
    world.cohort.starts_on = dt.date(2026, 9, 1)
    world.cohort.save(update_fields=["starts_on"])
    mine = course_for(world.cohort)
    theirs = course_for(world.other_cohort)
    b = UserFactory(display_name="Learner B2", cadre="midwife")
    c = UserFactory(display_name="Learner C2", cadre="midwife")
    for user in (b, c):
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    Activity.objects.all().delete()  # the fixtures' sign-ins
    a = world.learner
    # before the window (12 Oct), and on its first day before `since`: out
    act(a, Verb.READ, at(10, 12, 12), duration_seconds=600)
    act(a, Verb.READ, at(10, 13, 9), duration_seconds=600)
    # the first day after `since`: in (day 1, 5 min)
    act(a, Verb.READ, at(10, 13, 11), duration_seconds=300)
    # sessions s1 (on two days: one session), s2, and two without a key
    # (counted as one, as the record always has): 3
    act(a, Verb.SIGNED_IN, at(12, 5, 9), session_key="s1")  # day 2
    act(a, Verb.SIGNED_IN, at(12, 7, 9), session_key="s2")  # day 4
    act(a, Verb.SIGNED_IN, at(12, 7, 22), session_key="s1")
    act(a, Verb.SIGNED_IN, at(12, 6, 9))  # day 3
    act(a, Verb.SIGNED_IN, at(12, 8, 7))  # today: day 5
    act(a, Verb.READ, at(12, 5, 10), duration_seconds=20 * 60)
    act(a, Verb.READ, at(12, 8, 8), duration_seconds=10 * 60)
    act(a, Verb.REPLIED, at(12, 7, 12), cohort=world.cohort, client_key="post:1")
    act(a, Verb.COMPLETED, at(12, 6, 10), course_id=mine.pk, client_key="lesson:1")
    # another organisation's course: out
    act(a, Verb.COMPLETED, at(12, 6, 11), course_id=theirs.pk, client_key="lesson:2")
    act(a, Verb.ATTENDED, at(12, 6, 12), cohort=world.cohort, client_key="session:1")
    act(b, Verb.READ, at(12, 6, 9), duration_seconds=10 * 60)
    # another cohort's: out
    act(b, Verb.REPLIED, at(12, 6, 9), cohort=world.other_cohort, client_key="post:2")
    return a, b, c


def figures(report: reports.CohortReport) -> dict[str, Any]:
    """Everything the report shows, comparable."""
    return {
        "weeks": report.weeks,
        "active": report.active_learners,
        "medians": (
            report.median_days_active,
            report.median_sessions,
            report.median_minutes,
        ),
        "time": [(str(label), n) for label, n in report.time_distribution],
        "shares": (report.posted_share, report.attended_share, report.quiet_learners),
        "groups": [
            (g.label, g.learners, g.active_share, g.social_share)
            for g in report.by_cadre + report.by_district
        ],
        "rows": {
            r.user_id: (
                r.days_active,
                r.sessions,
                r.minutes,
                r.social,
                r.lessons_completed,
                r.attended,
                r.last_active,
                r.last_social,
            )
            for r in report.rows
        },
    }


def expected_small(a, b, c) -> dict[int, tuple]:
    return {
        a.pk: (5, 3, 35, 1, 1, 1, at(12, 8, 8), at(12, 7, 12)),
        b.pk: (1, 0, 10, 0, 0, 0, at(12, 6, 9), None),
        c.pk: (0, 0, 0, 0, 0, 0, None, None),
    }


def test_raw_rolled_up_and_mixed_records_give_the_hand_computed_figures(world, small):
    a, b, c = small
    raw = figures(reports.cohort_report(world.cohort, now=NOW))
    assert raw["rows"] == expected_small(a, b, c)
    assert raw["medians"] == (1, 0, 10)
    # weeks from Monday 12 Oct: A's first read in the first, A and B in the last
    assert raw["weeks"][0] == (dt.date(2026, 10, 12), 1)
    assert raw["weeks"][-1] == (dt.date(2026, 12, 7), 1)
    assert raw["weeks"][-2] == (dt.date(2026, 11, 30), 2)

    # part of the past rolled up (days before 6 Dec: the window's first day
    # and 5 Dec), then all of it; today's statements stay raw
    assert record.rollup(today=dt.date(2026, 12, 6)) > 0
    assert Activity.objects.filter(rollup_batch__isnull=True).exists()
    assert figures(reports.cohort_report(world.cohort, now=NOW)) == raw
    assert record.rollup(today=TODAY) > 0
    untagged = Activity.objects.filter(rollup_batch__isnull=True)
    assert {s.timestamp.date() for s in untagged} == {TODAY}
    assert figures(reports.cohort_report(world.cohort, now=NOW)) == raw

    # a rerun counts nothing again
    batches = RollupBatch.objects.count()
    assert record.rollup(today=TODAY) == 0
    assert RollupBatch.objects.count() == batches
    assert figures(reports.cohort_report(world.cohort, now=NOW)) == raw

    # everything rolled up (as tomorrow): the same, today included
    record.rollup(today=TODAY + dt.timedelta(days=1))
    assert not Activity.objects.filter(rollup_batch__isnull=True).exists()
    assert figures(reports.cohort_report(world.cohort, now=NOW)) == raw


def test_a_late_statement_for_a_rolled_up_day_counts_once(world, small):
    a, b, c = small
    record.rollup(today=TODAY)
    # an offline phone's read of 5 Dec arrives after that day was rolled up
    act(b, Verb.READ, at(12, 5, 15), duration_seconds=5 * 60)
    expected = expected_small(a, b, c)
    expected[b.pk] = (2, 0, 15, 0, 0, 0, at(12, 6, 9), None)
    assert figures(reports.cohort_report(world.cohort, now=NOW))["rows"] == expected
    # counted by the next run, in a daily row of its own batch
    assert record.rollup(today=TODAY) == 1
    assert ActivityDaily.objects.filter(actor=b, day=dt.date(2026, 12, 5)).count() == 1
    assert figures(reports.cohort_report(world.cohort, now=NOW))["rows"] == expected
    assert record.rollup(today=TODAY) == 0
    assert figures(reports.cohort_report(world.cohort, now=NOW))["rows"] == expected


def test_a_forgotten_statement_leaves_its_rolled_up_day(world, small):
    a, b, c = small
    record.rollup(today=TODAY)
    # the attendance was tapped by mistake, after its day was rolled up
    record.record_forget(actor=a, verb=Verb.ATTENDED, client_key="session:1")
    assert not ActivityDaily.objects.filter(verb=Verb.ATTENDED).exists()
    # and a sign-in of a session seen on two days: s1 still counts once
    s1 = Activity.objects.filter(session_key="s1").order_by("timestamp").first()
    s1.client_key = "sign-in:1"
    s1.save(update_fields=["client_key"])
    record.record_forget(actor=a, verb=Verb.SIGNED_IN, client_key="sign-in:1")
    expected = expected_small(a, b, c)
    # A's 5 Dec still has its read; the sessions are s1 (7 Dec), s2, keyless
    expected[a.pk] = (5, 3, 35, 1, 1, 0, at(12, 8, 8), at(12, 7, 12))
    assert figures(reports.cohort_report(world.cohort, now=NOW))["rows"] == expected
    record.rollup(today=TODAY + dt.timedelta(days=1))
    assert figures(reports.cohort_report(world.cohort, now=NOW))["rows"] == expected
    # the daily rows are those of the remaining statements, as counted anew
    kept = {
        (d.day, d.actor_id, d.cohort_id, d.course_id, d.verb, d.session_key): d.count
        for d in ActivityDaily.objects.all()
    }
    recount: dict[tuple, int] = defaultdict(int)
    for s in Activity.objects.all():
        key = s.session_key if s.verb == Verb.SIGNED_IN else ""
        recount[
            (s.timestamp.date(), s.actor_id, s.cohort_id, s.course_id, s.verb, key)
        ] += 1
    assert kept == dict(recount)


def test_forgetting_a_statement_not_rolled_up_touches_no_daily_row(world, small):
    a, _b, _c = small
    record.rollup(today=dt.date(2026, 12, 6))
    rows = sorted(ActivityDaily.objects.values_list("pk", "count"))
    record.record_forget(actor=a, verb=Verb.ATTENDED, client_key="session:1")
    assert sorted(ActivityDaily.objects.values_list("pk", "count")) == rows


def _reference(cohort, course_ids, since):
    """Every figure of the report's rows, counted from each statement in Python."""
    members = set(
        cohort.memberships.filter(role=Role.LEARNER).values_list("user_id", flat=True)
    )
    out: dict[int, dict[str, Any]] = {}
    for s in Activity.objects.filter(actor_id__in=members, timestamp__gte=since):
        if not (
            s.cohort_id == cohort.pk
            or (
                s.cohort_id is None
                and (s.course_id is None or s.course_id in course_ids)
            )
        ):
            continue
        row = out.setdefault(
            s.actor_id,
            {"days": set(), "keys": set(), "sec": 0, "social": 0, "last": None},
        )
        row["days"].add(s.timestamp.astimezone(dt.UTC).date())
        if s.verb == Verb.SIGNED_IN:
            row["keys"].add(s.session_key)
        row["sec"] += s.duration_seconds or 0
        row["social"] += s.verb in {str(v) for v in reports.SOCIAL_VERBS}
        row["last"] = max(filter(None, [row["last"], s.timestamp]))
    return {
        uid: (len(r["days"]), len(r["keys"]), r["sec"] // 60, r["social"], r["last"])
        for uid, r in out.items()
    }


def _rows(report):
    return {
        r.user_id: (r.days_active, r.sessions, r.minutes, r.social, r.last_active)
        for r in report.rows
        if r.days_active
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_records_count_as_every_statement_whatever_is_rolled_up(world, seed):
    rng = random.Random(seed)
    mine = course_for(world.cohort)
    theirs = course_for(world.other_cohort)
    people = [world.learner] + [UserFactory() for _ in range(5)]
    for user in people[1:]:
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    Activity.objects.all().delete()
    verbs = [Verb.SIGNED_IN, Verb.READ, Verb.REPLIED, Verb.COMPLETED, Verb.ATTENDED]

    def statements(n: int) -> None:
        for _ in range(n):
            verb = rng.choice(verbs)
            act(
                rng.choice(people),
                verb,
                NOW - dt.timedelta(minutes=rng.randint(-600, 60 * 24 * 60)),
                cohort=rng.choice([None, None, world.cohort, world.other_cohort]),
                course_id=rng.choice([None, None, mine.pk, theirs.pk]),
                duration_seconds=rng.randint(1, 900) if verb == Verb.READ else None,
                session_key=rng.choice(["", "k1", "k2", "k3"])
                if verb == Verb.SIGNED_IN
                else "",
            )

    since = NOW - dt.timedelta(weeks=reports.WEEKS)

    def check() -> None:
        report = reports.cohort_report(world.cohort, now=NOW)
        expected = _reference(world.cohort, {mine.pk}, since)
        assert _rows(report) == expected
        # the active learners per week, from each statement's day
        active: dict[dt.date, set[int]] = defaultdict(set)
        members = set(expected)
        for s in Activity.objects.filter(actor_id__in=members, timestamp__gte=since):
            if s.cohort_id not in (None, world.cohort.pk) or (
                s.cohort_id is None and s.course_id not in (None, mine.pk)
            ):
                continue
            day = s.timestamp.date()
            active[day - dt.timedelta(days=day.weekday())].add(s.actor_id)
        assert report.weeks == [(w, len(active.get(w, ()))) for w, _n in report.weeks]
        engagement = reports.learner_engagement(world.cohort, since=since)
        assert {u: (e.days_active, e.minutes) for u, e in engagement.items()} == {
            u: (days, minutes)
            for u, (days, _k, minutes, _s, _l) in _reference(
                world.cohort, {mine.pk}, since
            ).items()
        }

    statements(150)
    check()
    for cutoff in (TODAY - dt.timedelta(days=40), TODAY):
        record.rollup(today=cutoff)
        check()
        statements(30)  # late ones among them, for days already rolled up
        check()
    record.rollup(today=TODAY + dt.timedelta(days=2))
    check()
    # the whole record (no window), as the engagement API may ask
    everything = reports.learner_engagement(world.cohort)
    assert sum(e.minutes for e in everything.values()) >= sum(
        e.minutes
        for e in reports.learner_engagement(world.cohort, since=since).values()
    )


@override_settings(TIME_ZONE="Africa/Nairobi")
def test_days_are_the_sites_whatever_is_rolled_up(world):
    """At UTC+3, 22:00 UTC is the next day: both parts agree on it."""
    Activity.objects.all().delete()
    a = world.learner
    # 2 days there (4 and 6 Dec), 3 in UTC
    act(a, Verb.READ, at(12, 4, 10), duration_seconds=60)  # 4 Dec 13:00 there
    act(a, Verb.READ, at(12, 5, 22), duration_seconds=60)  # 6 Dec 01:00 there
    act(a, Verb.READ, at(12, 6, 5), duration_seconds=60)  # 6 Dec 08:00 there

    def days() -> int:
        row = next(
            r
            for r in reports.cohort_report(world.cohort, now=NOW).rows
            if r.user_id == a.pk
        )
        return row.days_active

    assert days() == 2
    record.rollup(today=dt.date(2026, 12, 6))  # up to 5 Dec (there) only
    assert set(ActivityDaily.objects.values_list("day", flat=True)) == {
        dt.date(2026, 12, 4)
    }
    assert days() == 2
    record.rollup(today=dt.date(2026, 12, 7))
    assert set(ActivityDaily.objects.values_list("day", flat=True)) == {
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 6),
    }
    assert days() == 2
    record.rollup(today=TODAY)
    assert days() == 2


def test_the_report_costs_three_queries_however_much_is_rolled_up(world, small):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            reports.cohort_report(world.cohort, now=NOW)
        return len(ctx.captured_queries)

    # the learners, the record (both parts, one statement), the scores
    assert cost() == 3
    record.rollup(today=dt.date(2026, 12, 6))
    assert cost() == 3
    for n in range(20):
        user = UserFactory(display_name=f"More {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        act(user, Verb.READ, at(12, 1 + n % 6, 9), duration_seconds=60)
        act(user, Verb.SIGNED_IN, at(12, 8, 9), session_key=f"k{n}")
    record.rollup(today=TODAY)
    assert cost() == 3


@override_settings(REPORT_CACHE_SECONDS=0)
def test_page_api_and_csv_cost_the_same_as_the_rolled_up_record_grows(
    client, world, small
):
    client_as(client, world.org_admin)
    urls = [
        reverse(name, args=[world.cohort.pk])
        for name in ("cohort-report", "api-cohort-report", "cohort-report-csv")
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                assert response.status_code == 200
                if response.streaming:
                    b"".join(response.streaming_content)
            out.append(len(ctx.captured_queries))
        return out

    record.rollup(today=TODAY)
    before = counts()
    for n in range(25):
        user = UserFactory(display_name=f"More {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        for day in range(1, 8):
            act(user, Verb.READ, at(12, day, 9), duration_seconds=60)
    record.rollup(today=TODAY)
    assert counts() == before
    assert max(before) <= 18


def test_the_rollup_counts_each_statement_once_in_the_transaction_that_tags_it(
    world,
):
    Activity.objects.all().delete()
    for n in range(3):
        act(world.learner, Verb.READ, at(12, 6, 9 + n), duration_seconds=60)
    act(world.learner, Verb.READ, at(12, 8, 9), duration_seconds=60)  # today
    assert record.rollup(today=TODAY) == 1
    daily = ActivityDaily.objects.get()
    assert (daily.day, daily.count, daily.duration_seconds, daily.last) == (
        dt.date(2026, 12, 6),
        3,
        180,
        at(12, 6, 11),
    )
    batch = RollupBatch.objects.get()
    assert (batch.statements, batch.rows) == (3, 1)
    assert set(Activity.objects.values_list("rollup_batch", flat=True)) == {
        batch.pk,
        None,
    }
