"""The cohort report's social and outcome parts at programme scale.

Loads the cohort of ``bench/reports.py`` (5,000 learners, 200,000 statements)
plus what its parts read: 20 mentors, 5,000 threads and 50,000 posts in the
cohort's forum, and a pre- and a post-test for 4,000 learners. Then it times
the reply network (``forums.report.social_report``), engagement against gain
(``courses.report_scatter.engagement_gain``), their API answers and the whole
report page, 5 times after a warm-up, with the SQL statement count.

Drops and re-creates the database named in ``DATABASE_URL`` (its name must
start with ``cpd_bench_social``). ``--measure`` skips that and the loading, and
times a database an earlier run left behind.

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_social \\
    .venv/bin/python bench/reports_social.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import out, recreate_database  # noqa: E402

DB_NAME = "cpd_bench_social"
REPEAT = 5


def load_social(cohort: Any, *, mentors: int, threads: int, posts: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from courses.models import Attempt, Course, CourseAssignment, Quiz
    from cpd.models import Membership, Role, User
    from forums.models import Forum, Post, Thread

    rng = random.Random(11)
    now = timezone.now()
    learner_ids = list(
        Membership.objects.filter(cohort=cohort).values_list("user_id", flat=True)
    )
    staff = User.objects.bulk_create(
        User(email=f"m{n}@reports.test", display_name=f"Mentor {n:02}")
        for n in range(mentors)
    )
    Membership.objects.bulk_create(
        Membership(cohort=cohort, user=u, role=Role.MENTOR) for u in staff
    )
    people = learner_ids + [u.pk for u in staff]
    forum = Forum.objects.create(cohort=cohort, title="Cohort forum", is_default=True)
    opened = Thread.objects.bulk_create(
        Thread(
            forum=forum,
            title=f"Question {n}",
            author_id=rng.choice(learner_ids),
            created_at=now - timedelta(seconds=rng.randint(3600, 50 * 24 * 3600)),
        )
        for n in range(threads)
    )
    batch = [
        Post(thread=t, author_id=t.author_id, body="q", body_html="<p>q</p>")
        for t in opened
    ]
    for n in range(posts - threads):
        thread = rng.choice(opened)
        batch.append(
            Post(
                thread=thread,
                author_id=rng.choice(people),
                body=f"reply {n}",
                body_html=f"<p>reply {n}</p>",
                created_at=thread.created_at
                + timedelta(seconds=rng.randint(60, 3 * 24 * 3600)),
            )
        )
    Post.objects.bulk_create(batch, batch_size=5000)
    course = Course.objects.create(title="Bench course", slug="bench")
    CourseAssignment.objects.create(cohort=cohort, course=course)
    pre = Quiz.objects.create(course=course, title="Pre", kind="pre")
    post = Quiz.objects.create(course=course, title="Post", kind="post")
    attempts = []
    for uid in learner_ids[:4000]:
        before = rng.randint(0, 80)
        for quiz, score in (
            (pre, before),
            (post, min(100, before + rng.randint(-10, 50))),
        ):
            attempts.append(
                Attempt(
                    quiz=quiz,
                    user_id=uid,
                    started_at=now,
                    submitted_at=now,
                    score_percent=score,
                )
            )
    Attempt.objects.bulk_create(attempts, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(label: str, call: Callable[[], Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    times, queries = [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    out(f"{label:28} {statistics.median(times):7.0f} ms  {queries:2} queries")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if not name.startswith(DB_NAME):
        sys.exit(f"refusing {name!r}: DATABASE_URL must name {DB_NAME}...")
    measure_only = "--measure" in sys.argv[1:]
    if not measure_only:
        recreate_database(url, name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.reports import load
    from courses.report_scatter import engagement_gain
    from cpd.models import Cohort, User
    from cpd.reports import cohort_report
    from forums.report import social_report

    call_command("migrate", verbosity=0)
    if measure_only:
        admin = User.objects.get(email="admin@reports.test")
        cohort = Cohort.objects.get(name="National cohort")
    else:
        started = time.perf_counter()
        admin, cohort = load(5000, 200_000)
        load_social(cohort, mentors=20, threads=5000, posts=50_000)
        out(f"loaded in {time.perf_counter() - started:.0f} s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

    def get(name: str) -> Callable[[], Any]:
        url = reverse(name, args=[cohort.pk])
        return lambda: client.get(url)

    timed("reply network (selector)", lambda: social_report(cohort, with_names=True))
    timed("engagement vs gain (sel.)", lambda: engagement_gain(cohort))
    # Counted on every request (REPORT_CACHE_SECONDS=0), then as kept
    # between requests (cpd.report_cache; the warm-up fills it).
    with override_settings(REPORT_CACHE_SECONDS=0):
        timed("cohort report (selector)", lambda: cohort_report(cohort))
        timed("social API", get("api-cohort-social-report"))
        timed("engagement-gain API", get("api-cohort-engagement-gain"))
        timed("cohort report page", get("cohort-report"))
    with override_settings(REPORT_CACHE_SECONDS=120):
        timed("social API, kept", get("api-cohort-social-report"))
        timed("cohort report page, kept", get("cohort-report"))
    page = client.get(reverse("cohort-report", args=[cohort.pk]))
    out(f"cohort report page size      {len(page.content) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
