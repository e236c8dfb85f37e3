"""A programme at national scale, loaded fast, and the time and queries per page.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_scale``) for each size, migrates it and loads one organisation:

* ``learners`` learners, half of them in one large cohort (the progress table
  and its CSV at their worst) and the rest in cohorts of 500;
* one mentor per 25 learners, each paired with up to 25 of them;
* 5 courses of 4 modules x 5 lessons assigned to every cohort, with progress
  on about half of the 100 lessons per learner (50 rows each: 500,000 rows at
  10,000 learners), a pre-test and a post-test attempt per learner;
* a forum per cohort with a thread per 4 learners of 5 posts, and a case room
  per cohort with 20 messages per learner.

Rows go in with ``bulk_create`` in batches of 5,000, so 10,000 learners load in
a few minutes on two cores. Each page is then requested through Django's test
client (full middleware, no network) 5 times after a warm-up; the median time
and the SQL statement count are printed, and the whole CSV export is read.

    DJANGO_SETTINGS_MODULE=cpd.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_scale \\
    .venv/bin/python bench/seed_scale.py [--sizes 1000,10000] [--json out.json]
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

DB_NAME = "cpd_bench_scale"
COHORT_SIZE = 500
LEARNERS_PER_MENTOR = 25
COURSES, MODULES, LESSONS = 5, 4, 5
PROGRESS_SHARE = 0.5
LEARNERS_PER_THREAD, POSTS_PER_THREAD = 4, 5
MESSAGES_PER_LEARNER = 20
BATCH = 5000
REPEAT = 5


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def load(learners: int, seed: int = 11) -> dict[str, Any]:
    """Load one programme of ``learners`` learners; return who and what to ask for."""
    from django.db import connection, transaction
    from django.utils import timezone

    from courses.models import (
        Attempt,
        Course,
        CourseAssignment,
        Lesson,
        LessonProgress,
        Module,
        Quiz,
    )
    from cpd.models import Cohort, Membership, Organisation, Role, User
    from forums.models import Forum, Post, Thread
    from forums.rooms.models import Room, RoomMessage
    from mentoring.models import MentorProfile, Pairing

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        org = Organisation.objects.create(name="National CPD", slug="national-cpd")
        admin = User(email="admin@scale.test", display_name="Admin")
        admin.set_unusable_password()
        admin.save()
        org.admins.add(admin)
        sizes = [learners // 2]
        rest = learners - sizes[0]
        sizes += [COHORT_SIZE] * (rest // COHORT_SIZE)
        if rest % COHORT_SIZE:
            sizes.append(rest % COHORT_SIZE)
        cohorts = Cohort.objects.bulk_create(
            Cohort(
                organisation=org,
                name=f"Cohort {i:03}",
                starts_on=today - timedelta(days=60),
            )
            for i in range(len(sizes))
        )
        people = User.objects.bulk_create(
            (
                User(
                    email=f"l{n}@scale.test",
                    display_name=f"Learner {n:06}",
                    cadre=rng.choice(["nurse", "midwife", "clinical_officer"]),
                    district=rng.choice(["Kisumu", "Siaya", "Homa Bay", "Migori"]),
                )
                for n in range(learners)
            ),
            batch_size=BATCH,
        )
        mentors = User.objects.bulk_create(
            User(email=f"m{n}@scale.test", display_name=f"Mentor {n:05}")
            for n in range(max(1, learners // LEARNERS_PER_MENTOR))
        )
        MentorProfile.objects.bulk_create(
            MentorProfile(user=m, capacity=LEARNERS_PER_MENTOR) for m in mentors
        )
        members: dict[int, list[User]] = {}
        start = 0
        rows: list[Membership] = []
        for cohort, size in zip(cohorts, sizes, strict=True):
            members[cohort.pk] = people[start : start + size]
            start += size
            rows += [
                Membership(cohort=cohort, user=u, role=Role.LEARNER)
                for u in members[cohort.pk]
            ]
        # each mentor takes the next 25 learners, and joins their cohorts
        cohort_of = {u.pk: c.pk for c in cohorts for u in members[c.pk]}
        pairings = [
            Pairing(
                mentor=mentors[i // LEARNERS_PER_MENTOR % len(mentors)],
                learner=user,
                cohort_id=cohort_of[user.pk],
            )
            for i, user in enumerate(people)
        ]
        mentor_cohorts = {(p.mentor.pk, cohort_of[p.learner.pk]) for p in pairings}
        rows += [
            Membership(cohort_id=c, user_id=m, role=Role.MENTOR)
            for m, c in mentor_cohorts
        ]
        Membership.objects.bulk_create(rows, batch_size=BATCH)
        Pairing.objects.bulk_create(pairings, batch_size=BATCH)

        courses = Course.objects.bulk_create(
            Course(title=f"Course {c}", slug=f"course-{c}", cpd_hours=2)
            for c in range(COURSES)
        )
        modules = Module.objects.bulk_create(
            Module(course=c, title=f"Module {m}", order=m)
            for c in courses
            for m in range(MODULES)
        )
        lessons = Lesson.objects.bulk_create(
            Lesson(
                module=m,
                title=f"Lesson {k}",
                order=k,
                body="Read **this**.",
                body_html="<p>Read <strong>this</strong>.</p>",
            )
            for m in modules
            for k in range(LESSONS)
        )
        CourseAssignment.objects.bulk_create(
            CourseAssignment(cohort=h, course=c) for h in cohorts for c in courses
        )
        quizzes = Quiz.objects.bulk_create(
            Quiz(course=courses[0], title=kind, kind=kind) for kind in ("pre", "post")
        )
        progress: list[LessonProgress] = []
        attempts: list[Attempt] = []
        for user in people:
            for lesson in rng.sample(lessons, int(len(lessons) * PROGRESS_SHARE)):
                seen = now - timedelta(minutes=rng.randint(1, 80_000))
                progress.append(
                    LessonProgress(
                        user=user,
                        lesson=lesson,
                        first_opened_at=seen,
                        last_seen_at=seen,
                        seconds_spent=rng.randint(30, 900),
                        completed_at=seen if rng.random() < 0.7 else None,
                    )
                )
            attempts.extend(
                Attempt(
                    quiz=quiz,
                    user=user,
                    started_at=now,
                    submitted_at=now,
                    score_percent=rng.randint(20, 100),
                )
                for quiz in quizzes
            )
            if len(progress) >= BATCH * 4:
                LessonProgress.objects.bulk_create(progress, batch_size=BATCH)
                progress = []
        LessonProgress.objects.bulk_create(progress, batch_size=BATCH)
        Attempt.objects.bulk_create(attempts, batch_size=BATCH)

        forums = Forum.objects.bulk_create(
            Forum(cohort=c, is_default=True, title="General discussion")
            for c in cohorts
        )
        threads = Thread.objects.bulk_create(
            (
                Thread(
                    forum=f,
                    title=f"Case {n}",
                    author=rng.choice(members[f.cohort_id]),
                    created_at=now - timedelta(minutes=n),
                    last_post_at=now - timedelta(minutes=n),
                    reply_count=POSTS_PER_THREAD - 1,
                )
                for f in forums
                for n in range(max(1, len(members[f.cohort_id]) // LEARNERS_PER_THREAD))
            ),
            batch_size=BATCH,
        )
        posts = (
            Post(
                thread=t,
                author=rng.choice(members[t.forum.cohort_id]),
                body="A reply about the patient.",
                body_html="<p>A reply about the patient.</p>",
                created_at=t.created_at + timedelta(seconds=k),
            )
            for t in threads
            for k in range(POSTS_PER_THREAD)
        )
        Post.objects.bulk_create(posts, batch_size=BATCH)
        rooms = Room.objects.bulk_create(
            Room(cohort=c, kind="case", title="Shift-change case", created_by=admin)
            for c in cohorts
        )
        for room in rooms:
            authors = members[room.cohort_id]
            total = len(authors) * MESSAGES_PER_LEARNER
            RoomMessage.objects.bulk_create(
                (
                    RoomMessage(
                        room=room,
                        seq=s + 1,
                        author=authors[s % len(authors)],
                        body="Observation",
                        body_html="<p>Observation</p>",
                        client_key=f"k{s}",
                    )
                    for s in range(total)
                ),
                batch_size=BATCH,
            )
            room.last_seq = total
        Room.objects.bulk_update(rooms, ["last_seq"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    big = cohorts[0]
    learner = members[big.pk][0]
    mentor = next(p.mentor for p in pairings if p.learner_id == learner.pk)
    return {
        "admin": admin,
        "learner": learner,
        "mentor": mentor,
        "cohort": big,
        "course": courses[0],
        "lesson": lessons[0],
        "thread": threads[0],
        "room": rooms[0],
    }


def _measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    get()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        size = get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        get()
    return {
        "median_ms": round(statistics.median(times), 1),
        "queries": len(ctx.captured_queries),
        "bytes": size,
    }


def run(sizes: list[int]) -> list[dict[str, Any]]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    results = []
    for size in sizes:
        connection.close()
        recreate_database(os.environ["DATABASE_URL"], DB_NAME)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        w = load(size)
        loaded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM courses_lessonprogress")
            progress_rows = cursor.fetchone()[0]
        _out(
            f"{size} learners: {progress_rows} progress rows, loaded in {loaded:.0f} s"
        )
        progress = reverse("courses-progress", args=[w["cohort"].pk])
        pages = {
            "home (learner)": (w["learner"], reverse("home")),
            "my courses (learner)": (w["learner"], reverse("courses-home")),
            "course outline (learner)": (
                w["learner"],
                reverse("courses-course", args=[w["course"].pk]),
            ),
            "lesson (learner)": (
                w["learner"],
                reverse("courses-lesson", args=[w["lesson"].pk]),
            ),
            "forum list (learner)": (w["learner"], reverse("forums-home")),
            "thread (learner)": (
                w["learner"],
                reverse("forums-thread", args=[w["thread"].pk]),
            ),
            "case room (learner)": (
                w["learner"],
                reverse("rooms-room", args=[w["room"].pk]),
            ),
            "progress table, by name (admin)": (w["admin"], progress),
            "progress table, by last active (admin)": (
                w["admin"],
                progress + "?sort=active",
            ),
            "progress CSV, whole cohort (admin)": (
                w["admin"],
                progress + "?format=csv",
            ),
            "progress API, first page (admin)": (
                w["admin"],
                reverse("api-cohort-progress", args=[w["cohort"].pk]),
            ),
            "mentor dashboard (mentor)": (w["mentor"], reverse("mentoring-home")),
        }
        for page, (user, url) in pages.items():
            client = Client(HTTP_HOST="localhost")
            client.force_login(
                user, backend="django.contrib.auth.backends.ModelBackend"
            )
            row = {"learners": size, "page": page, **_measure(client, url)}
            results.append(row)
            _out(
                f"{size:>6}  {page:<40} {row['median_ms']:>8.1f} ms"
                f"  {row['queries']:>3} queries  {row['bytes'] / 1024:>8.1f} KB"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(f"DATABASE_URL must point at PostgreSQL ({DB_NAME})")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    import django

    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per login
    results = run(sorted(int(s) for s in args.sizes.split(",")))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
