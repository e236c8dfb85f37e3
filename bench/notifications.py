"""One event to 5,000 people through Celery on Redis: time to queue, time to send.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_notify``), migrates it and loads one cohort of ``--recipients``
learners, each with a phone and an email. A Celery worker (prefork,
``--concurrency``) is started against ``REDIS_URL``. Then one face-to-face
session is announced with ``notify_many`` (kind ``courses.session_tomorrow``:
in-app, SMS at once, email in the digest), as the daily sweep does, and the
bench measures:

* queue: the time the caller spends (one outbox row, one published task);
* inbox: until every learner has the notification in their inbox;
* sent: until every SMS delivery went through the console backend;
* the rows written (notifications, deliveries, outbox).

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_notify \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/notifications.py [--recipients 5000] [--concurrency 2]

Redis is shared: the broker's queue is emptied by the worker; nothing is
flushed. The console SMS backend logs at INFO; the worker runs at WARNING.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import out, recreate_database  # noqa: E402

DB_NAME = "cpd_bench_notify"
BATCH = 5000


def load(recipients: int) -> tuple[list[int], int]:
    from django.utils import timezone

    from cpd.models import Cohort, Membership, Organisation, Role, User

    org = Organisation.objects.create(name="National CPD", slug="national")
    cohort = Cohort.objects.create(
        organisation=org, name="National cohort", starts_on=timezone.localdate()
    )
    people = User.objects.bulk_create(
        (
            User(
                email=f"l{n}@notify.test",
                phone=f"+2547{n:08d}",
                display_name=f"Learner {n:05}",
            )
            for n in range(recipients)
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (Membership(cohort=cohort, user=u, role=Role.LEARNER) for u in people),
        batch_size=BATCH,
    )
    return [p.pk for p in people], cohort.pk


def worker(concurrency: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpd",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(label: str, done: object, started: float, timeout: float) -> float:
    while time.perf_counter() - started < timeout:
        if done():  # type: ignore[operator]
            elapsed = time.perf_counter() - started
            out(f"{label:8} {elapsed:7.1f} s")
            return elapsed
        time.sleep(0.5)
    sys.exit(f"{label}: not done after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    if not os.environ.get("REDIS_URL"):
        sys.exit("set REDIS_URL: the bench measures Celery on Redis")
    recreate_database(os.environ["DATABASE_URL"], DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from cpd.models import TaskOutbox
    from cpd.notifications.models import Delivery, DeliveryStatus, Notification
    from cpd.notifications.services import notify_many

    call_command("migrate", verbosity=0)
    ids, cohort_id = load(args.recipients)
    out(f"loaded {len(ids)} recipients")
    proc = worker(args.concurrency)
    try:
        time.sleep(5)  # the worker connects
        started = time.perf_counter()
        with transaction.atomic():
            notify_many(
                user_ids=ids,
                kind="courses.session_tomorrow",
                message="Tomorrow: %(title)s at %(place)s, %(when)s",
                params={"title": "Drill", "place": "Ward 3", "when": "09:00"},
                url="/courses/",
                dedupe_prefix="bench:session",
                cohort=cohort_id,
            )
        out(f"queue    {(time.perf_counter() - started) * 1000:7.1f} ms")
        n = len(ids)
        wait_for("inbox", lambda: Notification.objects.count() >= n, started, 1800)
        wait_for(
            "sent",
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() >= n,
            started,
            1800,
        )
        out(
            f"rows     {Notification.objects.count()} notifications, "
            f"{Delivery.objects.count()} deliveries, "
            f"{TaskOutbox.objects.count()} outbox rows"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
