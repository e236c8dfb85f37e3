"""The cohort report at programme scale: 5,000 learners, 200,000 statements.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_reports``), migrates it and loads one cohort of ``--learners``
learners with ``--statements`` learning-record statements spread over eight
weeks: sign-ins, lesson reads (with seconds), completions, quiz submissions,
replies, room and mentor messages. Posts themselves are not loaded: the report
reads the learning record only, and 50,000 of the statements are replies.

The past days are then rolled up one day at a time, oldest first, as the
hourly beat would have done them (one batch a day, so the daily rows lie as
they would in production), and today's statements stay raw.

Then it requests the cohort report page, its JSON API and its CSV through
Django's test client (full middleware, no network) 5 times after a warm-up,
counted on every request (``REPORT_CACHE_SECONDS=0``), and prints the median
time and the SQL statement count; a rerun of the roll-up is timed too (what an
hourly beat costs when there is nothing new). ``--measure`` times a database an
earlier run left, without loading it again.

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_reports \\
    .venv/bin/python bench/reports.py [--learners 5000] [--statements 200000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import recreate_database, time_get  # noqa: E402

DB_NAME = "cpd_bench_reports"
BATCH = 5000
REPEAT = 5
# verb -> share of the statements (replies: 50,000 of 200,000)
MIX = {
    "signed-in": 0.15,
    "read": 0.30,
    "completed": 0.05,
    "answered": 0.05,
    "replied": 0.25,
    "room-message": 0.15,
    "mentor-message": 0.05,
}


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def load(learners: int, statements: int) -> tuple[Any, Any]:
    from django.db import connection
    from django.utils import timezone

    from cpd.models import Activity, Cohort, Membership, Organisation, Role, User

    rng = random.Random(7)
    now = timezone.now()
    org = Organisation.objects.create(name="National CPD", slug="national")
    admin = User(email="admin@reports.test", display_name="Admin")
    admin.set_unusable_password()
    admin.save()
    org.admins.add(admin)
    cohort = Cohort.objects.create(
        organisation=org, name="National cohort", starts_on=now.date()
    )
    people = User.objects.bulk_create(
        (
            User(
                email=f"l{n}@reports.test",
                display_name=f"Learner {n:05}",
                cadre=rng.choice(["nurse", "midwife", "clinical_officer", "chw"]),
                district=rng.choice(["Kisumu", "Siaya", "Homa Bay", "Migori"]),
            )
            for n in range(learners)
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (Membership(cohort=cohort, user=u, role=Role.LEARNER) for u in people),
        batch_size=BATCH,
    )
    verbs = list(MIX)
    weights = [MIX[v] for v in verbs]
    # a long tail: some learners are far more active than others
    actors = [p.pk for p in people]
    activity = [rng.paretovariate(1.5) for _ in actors]
    batch: list[Activity] = []
    for n in range(statements):
        verb = rng.choices(verbs, weights)[0]
        batch.append(
            Activity(
                actor_id=rng.choices(actors, activity)[0],
                verb=verb,
                object_type="x",
                object_id=n,
                cohort_id=cohort.pk if verb in {"replied", "room-message"} else None,
                duration_seconds=rng.randint(30, 600) if verb == "read" else None,
                session_key=f"s{n}" if verb == "signed-in" else "",
                timestamp=now - timedelta(seconds=rng.randint(0, 56 * 24 * 3600)),
            )
        )
        if len(batch) >= BATCH:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)
    rollup_as_beat(now.date(), 57)
    with connection.cursor() as cursor:
        # as autovacuum would after the tagging's 200,000 updates
        cursor.execute("VACUUM ANALYZE")
    return admin, cohort


def rollup_as_beat(today: Any, days: int) -> None:
    """Roll up the ``days`` days before ``today`` one day at a time, oldest first."""
    from cpd import record

    started, rows = time.perf_counter(), 0
    for back in range(days - 1, -1, -1):
        rows += record.rollup(today=today - timedelta(days=back))
    _out(
        f"roll-up, day by day: {rows} daily rows in "
        f"{time.perf_counter() - started:.1f} s"
    )


def measure(admin: Any, cohort: Any) -> None:
    from django.test import Client, override_settings
    from django.urls import reverse

    from cpd import record

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(REPORT_CACHE_SECONDS=0):
        for name in ("cohort-report", "api-cohort-report", "cohort-report-csv"):
            median, queries, size = time_get(
                client, reverse(name, args=[cohort.pk]), REPEAT
            )
            _out(
                f"{name:20} {median:7.0f} ms  {queries:2} queries  "
                f"{size / 1024:6.1f} KB"
            )
    started = time.perf_counter()
    rows = record.rollup()
    _out(f"roll-up again (rerun) {time.perf_counter() - started:6.2f} s  {rows} rows")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--statements", type=int, default=200_000)
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    if not args.measure:
        recreate_database(os.environ["DATABASE_URL"], DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command

    from cpd.models import Cohort, User

    call_command("migrate", verbosity=0)
    if args.measure:
        admin = User.objects.get(email="admin@reports.test")
        cohort = Cohort.objects.get(name="National cohort")
    else:
        started = time.perf_counter()
        admin, cohort = load(args.learners, args.statements)
        _out(
            f"loaded {args.learners} learners, {args.statements} statements in "
            f"{time.perf_counter() - started:.0f} s"
        )
    measure(admin, cohort)


if __name__ == "__main__":
    main()
