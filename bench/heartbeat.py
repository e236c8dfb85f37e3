"""Reading-time heartbeats per second through the real endpoint (gunicorn + wrk).

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_heartbeat``), migrates it, and loads one cohort of ``--learners``
learners taking a course of ``--lessons`` lessons, each learner signed in (a
session row per learner). Then, for each scenario, it starts gunicorn with the
production settings (``--workers`` sync workers, persistent connections) and
runs wrk for ``--duration`` seconds at ``--connections`` connections; every
request is a POST of a 60 s beat for a (learner, lesson) taken round-robin,
with the learner's session cookie and CSRF token.

Scenarios:

- ``folded``: the steady state. A warm-up pass opens a window for every
  (learner, lesson), so beats are folded in Redis (window 180 s).
- ``writing``: ``COURSES_HEARTBEAT_FLUSH_SECONDS=0``, so every beat writes
  its row (the worst case; real readers write one beat in three at 60 s beats
  and a 180 s window).
- ``cache-down``: the cache points at a port where nothing listens; every
  beat is written directly.

Reported per scenario: beats/s, latency p50/p99 (wrk), answers other than 200, and the
row updates PostgreSQL counted on ``courses_lessonprogress`` (``n_tup_upd``,
of which HOT ``n_tup_hot_upd``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_heartbeat \
    REDIS_URL=redis://127.0.0.1:6379/11 \
    .venv/bin/python bench/heartbeat.py [--scenarios folded,writing,cache-down]

Redis is shared: keys go under a prefix of this run and expire; nothing is
flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import recreate_database  # noqa: E402

DB_NAME = "cpd_bench_heartbeat"
PORT = 8391
CSRF = "b" * 32  # an unmasked CSRF secret: cookie and form token alike


def _seed(learners: int, lessons: int) -> tuple[list[str], list[int]]:
    """The learners' session keys and the lesson ids."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from courses.models import Course, CourseAssignment, Lesson, Module
    from cpd.models import Cohort, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(
        organisation=org, name="Readers", starts_on=timezone.localdate()
    )
    course = Course.objects.create(title="Heartbeats", slug="heartbeats")
    module = Module.objects.create(course=course, title="Only module")
    for i in range(lessons):
        Lesson(module=module, title=f"Lesson {i}", order=i, body="Read me.").save()
    CourseAssignment.objects.create(cohort=cohort, course=course)
    users = User.objects.bulk_create(
        User(
            email=f"reader{i}@bench.test",
            display_name=f"Reader {i}",
            password="!",  # noqa: S106 (unusable password)
        )
        for i in range(learners)
    )
    Membership.objects.bulk_create(
        Membership(cohort=cohort, user=u, role=Role.LEARNER) for u in users
    )
    keys = []
    for user in users:
        session = SessionStore()
        session[USER_SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(str(session.session_key))
    ids = list(
        Lesson.objects.filter(module=module).order_by("pk").values_list("pk", flat=True)
    )
    return keys, ids


LUA = r"""
local sessions = {%(sessions)s}
local lessons = {%(lessons)s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  n = math.random(1, 1000000)
  non200 = 0
end
local body = "seconds=60&csrfmiddlewaretoken=%(csrf)s"
request = function()
  n = n + 1
  local s = sessions[(n %% #sessions) + 1]
  local l = lessons[(math.floor(n / #sessions) %% #lessons) + 1]
  return wrk.format("POST", "/courses/lessons/" .. l .. "/beat/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sessionid=" .. s .. "; csrftoken=%(csrf)s",
    ["Host"] = "127.0.0.1",
  }, body)
end
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
done = function(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  io.write(string.format("JSON {\"p50\": %%.2f, \"p99\": %%.2f, \"non200\": %%d}\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
"""


def _updates(url: str) -> tuple[int, int]:
    import psycopg2

    conn = psycopg2.connect(url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
            " WHERE relname = 'courses_lessonprogress'"
        )
        upd, hot = cursor.fetchone()
    conn.close()
    return int(upd), int(hot)


def _serve(env: dict[str, str], workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "cpd.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    return server


def _wrk(script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    lat = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    return {
        "beats_per_s": rps,
        "beats": total,
        "non_200": lat["non200"],
        "p50_ms": lat["p50"],
        "p99_ms": lat["p99"],
    }


def _in_process(keys: list[str], lessons: list[int], beats: int) -> dict[str, float]:
    """Folded beats through Django's test client: CPU of the Django process alone.

    Load-independent where wrk is not: on a busy machine wrk measures the
    neighbours too. Capacity on two cores is at most 2 / (this CPU + the
    database's and Redis's share).
    """
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for key in keys[:100]:  # open the windows
        client.cookies["sessionid"] = key
        client.post(f"/courses/lessons/{lessons[0]}/beat/", {"seconds": "60"})
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(beats):
        client.cookies["sessionid"] = keys[i % 100]
        response = client.post(
            f"/courses/lessons/{lessons[0]}/beat/", {"seconds": "60"}
        )
        assert response.status_code == 200, response.status_code  # noqa: S101
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"beats": beats, "cpu_ms_per_beat": 1000 * cpu / beats,
            "wall_ms_per_beat": 1000 * wall / beats}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--lessons", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--scenarios", default="folded,writing,cache-down")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL", "")
    if not url.startswith("postgres") or not redis:
        sys.exit("set DATABASE_URL (cpd_bench_heartbeat) and REDIS_URL")
    if not shutil.which("wrk"):
        sys.exit("needs wrk")
    recreate_database(url, DB_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    # Sessions are signed: the seeding process and the server share the key.
    os.environ["DJANGO_SECRET_KEY"] = "bench-" + "x" * 50
    os.environ["CACHE_KEY_PREFIX"] = f"bench-hb-{secrets.token_hex(4)}"
    keys, lessons = _seed(args.learners, args.lessons)
    tmp = Path(tempfile.mkdtemp(prefix="bench-heartbeat-"))
    script = tmp / "beat.lua"
    script.write_text(
        LUA
        % {
            "sessions": ",".join(f'"{k}"' for k in keys),
            "lessons": ",".join(map(str, lessons)),
            "csrf": CSRF,
        }
    )
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.production",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    scenarios = {
        "folded": {"COURSES_HEARTBEAT_FLUSH_SECONDS": "180"},
        "writing": {"COURSES_HEARTBEAT_FLUSH_SECONDS": "0"},
        "cache-down": {"REDIS_URL": "redis://127.0.0.1:1/0"},
    }
    results: dict[str, dict[str, float]] = {
        "in-process": _in_process(keys, lessons, 2000)
    }
    print("in-process", json.dumps(results["in-process"]), flush=True)  # noqa: T201
    for name in args.scenarios.split(","):
        env = {**base_env, **scenarios[name]}
        env["CACHE_KEY_PREFIX"] = f"{os.environ['CACHE_KEY_PREFIX']}-{name}"
        server = _serve(env, args.workers)
        try:
            if name == "folded":  # open a window for every (learner, lesson)
                warm = len(keys) * len(lessons)
                _wrk(script, max(3, warm // 300), args.connections)
            before = _updates(url)
            result = _wrk(script, args.duration, args.connections)
        finally:
            server.terminate()
            server.wait(timeout=30)
        time.sleep(1)  # the workers' connections report their counts on exit
        after = _updates(url)
        result["row_updates"] = after[0] - before[0]
        result["hot_updates"] = after[1] - before[1]
        results[name] = result
        print(name, json.dumps(result), flush=True)  # noqa: T201
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
