"""Forum pages at scale: time and queries at two sizes, on a PostgreSQL it owns.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_forums``), migrates it, loads one organisation of 20 cohorts with
2,000 threads (5 posts each on average, "patient" in half the posts), measures,
grows the same forums to 20,000 threads, and measures again. Rows are written
with ``bulk_create`` and the search vectors with one ``UPDATE``, so loading
takes well under a minute.

Each page is requested through Django's test client (the full middleware
stack, no network), 5 times after one warm-up; the median is reported with the
number of SQL statements and whether PostgreSQL's JIT compiled any of them
(``EXPLAIN (ANALYZE, FORMAT JSON)`` of every captured SELECT, run separately).

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_forums \
    .venv/bin/python bench/forum_scale.py [--sizes 2000,20000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import recreate_database  # noqa: E402

DB_NAME = "cpd_bench_forums"
COHORTS = 20
LEARNERS_PER_COHORT = 20
POSTS_PER_THREAD = (1, 9)  # uniform: 5 on average
READ_SHARE = 0.5  # each learner has read about half of their cohort's threads
WORDS = [
    "bleeding",
    "oxytocin",
    "uterus",
    "placenta",
    "referral",
    "fever",
    "malaria",
    "dose",
    "clinic",
    "mother",
    "newborn",
    "breastfeeding",
    "cord",
    "sepsis",
    "ward",
    "nurse",
    "midwife",
    "labour",
    "partograph",
    "blood",
    "pressure",
    "eclampsia",
    "magnesium",
    "antenatal",
    "visit",
    "follow",
]
COMMON_WORD = "patient"
REPEAT = 5


def _setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (cpd_bench_forums)")
    recreate_database(url, DB_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _body(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 40))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), COMMON_WORD)
    return " ".join(words).capitalize() + "."


class World:
    """The organisation, its people and forums, and a thread for the thread page."""

    def __init__(self) -> None:
        from cpd.models import Cohort, Membership, Organisation, Role, User
        from forums.models import Forum

        self.rng = random.Random(17)
        org = Organisation.objects.create(name="Bench health", slug="bench-health")
        self.admin = User(email="admin@bench.test", display_name="Admin")
        self.admin.set_unusable_password()
        self.admin.save()
        org.admins.add(self.admin)
        today = time.strftime("%Y-%m-%d")
        cohorts = Cohort.objects.bulk_create(
            Cohort(organisation=org, name=f"Cohort {i:02}", starts_on=today)
            for i in range(COHORTS)
        )
        users = User.objects.bulk_create(
            User(email=f"l{c}-{n}@bench.test", display_name=f"Learner {c}-{n}")
            for c in range(COHORTS)
            for n in range(LEARNERS_PER_COHORT)
        )
        Membership.objects.bulk_create(
            Membership(
                cohort=cohorts[i // LEARNERS_PER_COHORT], user=u, role=Role.LEARNER
            )
            for i, u in enumerate(users)
        )
        self.members = {
            c.pk: users[i * LEARNERS_PER_COHORT : (i + 1) * LEARNERS_PER_COHORT]
            for i, c in enumerate(cohorts)
        }
        self.forums = Forum.objects.bulk_create(
            Forum(cohort=c, is_default=True, title="General discussion")
            for c in cohorts
        )
        self.learner = users[0]
        self.thread_pk = 0
        self.threads = 0

    def grow_to(self, threads: int) -> None:
        """Add threads (with posts and read states) until there are ``threads``."""
        from django.db import connection, transaction
        from django.utils import timezone

        from forums.models import Post, ReadState, Thread

        rng = self.rng
        now = timezone.now()
        batch = 2000
        with transaction.atomic():
            while self.threads < threads:
                n = min(batch, threads - self.threads)
                made = Thread.objects.bulk_create(
                    Thread(
                        forum=self.forums[(self.threads + i) % COHORTS],
                        title=" ".join(rng.choices(WORDS, k=5)).capitalize(),
                        created_at=now - timedelta(minutes=rng.randint(10, 500_000)),
                    )
                    for i in range(n)
                )
                posts: list[Post] = []
                reads: list[ReadState] = []
                for t in made:
                    people = self.members[t.forum.cohort_id]
                    t.author = rng.choice(people)
                    count = rng.randint(*POSTS_PER_THREAD)
                    for k in range(count):
                        body = _body(rng)
                        posts.append(
                            Post(
                                thread=t,
                                author=rng.choice(people),
                                body=body,
                                body_html=f"<p>{body}</p>",
                                created_at=t.created_at + timedelta(minutes=k),
                            )
                        )
                    t.last_post_at = t.created_at + timedelta(minutes=count - 1)
                    t.reply_count = count - 1
                    reads.extend(
                        ReadState(thread=t, user=u, last_read_at=now)
                        for u in people
                        if rng.random() < READ_SHARE
                    )
                Thread.objects.bulk_update(
                    made, ["author", "last_post_at", "reply_count"]
                )
                Post.objects.bulk_create(posts, batch_size=5000)
                ReadState.objects.bulk_create(reads, batch_size=5000)
                self.threads += n
            if not self.thread_pk:  # the thread page: 21 posts, in cohort 0
                t = Thread.objects.create(
                    forum=self.forums[0], title="Retained placenta", author=self.admin
                )
                Post.objects.bulk_create(
                    Post(
                        thread=t,
                        author=rng.choice(self.members[self.forums[0].cohort_id]),
                        body=_body(rng),
                        body_html="<p>reply</p>",
                        created_at=now - timedelta(minutes=30 - k),
                    )
                    for k in range(21)
                )
                self.thread_pk = t.pk
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    UPDATE forums_post p SET search_vector =
                        setweight(to_tsvector('english', t.title), 'A')
                        || setweight(to_tsvector('english', p.body), 'B')
                    FROM forums_thread t
                    WHERE t.id = p.thread_id AND p.search_vector IS NULL
                    """
                )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _explain_jit(sql: str, params: Any) -> tuple[bool, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return "JIT" in plan, float(plan.get("Execution Time", 0.0))


def _get(client: Any, url: str) -> None:
    status = client.get(url).status_code
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _get(client, url)  # warm-up (and the read state of the thread page)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        _get(client, url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    jit, slowest = False, 0.0
    for q in ctx.captured_queries:
        sql = q["sql"]
        if not sql.startswith("SELECT"):
            continue
        # captured SQL has its parameters inlined; EXPLAIN it as it ran
        fired, ms = _explain_jit(sql, None)
        jit = jit or fired
        slowest = max(slowest, ms)
    return {
        "median_ms": round(statistics.median(times), 1),
        "queries": len(ctx.captured_queries),
        "slowest_sql_ms": round(slowest, 1),
        "jit": jit,
    }


def run(sizes: list[int]) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    world = World()
    results = []
    for size in sizes:
        started = time.perf_counter()
        world.grow_to(size)
        loaded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM forums_post")
            posts = cursor.fetchone()[0]
            cursor.execute("SHOW jit")
            jit_setting = cursor.fetchone()[0]
        pages = {
            "forum list (learner)": (world.learner, reverse("forums-home")),
            "forum list (admin)": (world.admin, reverse("forums-home")),
            f"search '{COMMON_WORD}' (learner)": (
                world.learner,
                reverse("forums-search") + f"?q={COMMON_WORD}",
            ),
            f"search '{COMMON_WORD}' (admin)": (
                world.admin,
                reverse("forums-search") + f"?q={COMMON_WORD}",
            ),
            "thread page, 21 posts (learner)": (
                world.learner,
                reverse("forums-thread", args=[world.thread_pk]),
            ),
        }
        for page, (user, url) in pages.items():
            client = Client(HTTP_HOST="localhost")
            client.force_login(
                user, backend="django.contrib.auth.backends.ModelBackend"
            )
            row = {
                "threads": size,
                "posts": posts,
                "page": page,
                "jit_setting": jit_setting,
            }
            row.update(_measure(client, url))
            results.append(row)
            _out(
                f"{size:>6} threads {posts:>7} posts  {page:<34}"
                f" {row['median_ms']:>8.1f} ms  {row['queries']:>3} queries"
                f"  slowest SQL {row['slowest_sql_ms']:>7.1f} ms"
                f"  jit {'fired' if row['jit'] else 'no'} (jit={jit_setting})"
            )
        _out(f"       (loaded in {loaded:.1f} s)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    _setup()
    results = run(sizes)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
