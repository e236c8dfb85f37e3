"""PostgreSQL restarted while members write: clear 503s with Retry-After during
the outage, never a 500, nothing acknowledged lost, no duplicate after the
client's retries with the same key, and recovery without restarting the app.

The database is a private cluster of this test (``initdb`` in a temporary
folder, a free port; tests/faults/conftest.py). The app is a real gunicorn
process on it, with persistent connections (``CONN_MAX_AGE``), so the restart
also breaks connections the workers hold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.faults.conftest import PrivatePostgres, _free_port

ROOT = Path(__file__).resolve().parents[2]

# Members writing in turn, so the room's rate limit (20 a minute each) is not
# what refuses them.
LEARNERS = 8
SETUP = (
    f"LEARNERS = {LEARNERS}\n"
    + """
import json
from rest_framework.authtoken.models import Token
from cpd import services
from cpd.models import Role
from tests.factories.cpd import CohortFactory, UserFactory
from tests.factories.rooms import RoomFactory
cohort = CohortFactory()
room = RoomFactory(cohort=cohort)
tokens = []
for _ in range(LEARNERS):
    learner = UserFactory()
    services.membership_add(cohort=cohort, user=learner, role=Role.LEARNER)
    tokens.append(Token.objects.create(user=learner).key)
print(json.dumps({"tokens": tokens, "room": room.pk}))
"""
)


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="cpd.settings.test",
        DATABASE_URL=database_url,
        DJANGO_CONN_MAX_AGE="60",
        PYTHONUNBUFFERED="1",
    )
    return env


def _request(url: str, token: str = "", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url, data=data, method="POST" if data else "GET"
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def app_on_private_postgres(private_postgres: PrivatePostgres):
    env = _env(private_postgres.url())
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [*manage, "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    scene = json.loads(out.strip().splitlines()[-1])
    port = _free_port()
    log = open(f"{private_postgres.dir}/gunicorn.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cpd.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _request(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("gunicorn did not start")
    try:
        yield {"base": base, "db": private_postgres, "log": log, **scene}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


@pytest.mark.timeout(300)  # migrations of a fresh cluster, then the run
def test_writes_through_a_postgres_restart(app_on_private_postgres):
    app = app_on_private_postgres
    url = f"{app['base']}/api/rooms/{app['room']}/messages/"
    answers: list[tuple[str, int, str | None]] = []
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            key = f"k{n}"
            status, headers, _ = _request(
                url, _token(app, key), {"body": f"BP check {n}", "client_key": key}
            )
            answers.append((key, status, headers.get("Retry-After")))
            n += 1
            time.sleep(0.2)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        # given: writes go through
        _wait(lambda: _acked(answers) >= 5, 30)
        # when: PostgreSQL stops, stays away 3 s, and starts again
        app["db"].stop("fast")
        _wait(lambda: any(s >= 500 for _, s, _ in answers), 15)
        during = _request(f"{app['base']}/readyz")
        page = _request(f"{app['base']}/")
        time.sleep(3)
        app["db"].start()
        restarted, started = len(answers), time.monotonic()
        # then: the same process answers again, with no restart of the app
        _wait(lambda: _acked(answers[restarted:]) >= 1, 30)
        recovered = time.monotonic() - started
        _wait(lambda: _acked(answers[restarted:]) >= 5, 30)
    finally:
        stop.set()
        thread.join(timeout=30)

    codes = {status for _, status, _ in answers}
    refused = [(key, s, ra) for key, s, ra in answers if s >= 300]
    assert codes <= {200, 201, 503}, answers
    assert refused, "the outage was never seen"
    assert all(ra == "30" for _, _, ra in refused), refused
    assert during[0] == 503
    assert during[1].get("Retry-After") == "30"
    # the anonymous home page needs no database; a page that does answers 503
    assert page[0] == 200 or (page[0] == 503 and page[1].get("Retry-After") == "30")
    assert b"Traceback" not in page[2]
    assert _request(f"{app['base']}/readyz")[0] == 200

    # when: the client sends what was refused again, with the same key, twice
    for key, _, _ in refused:
        n = key[1:]
        for _ in range(2):
            status, _, _ = _request(
                url, _token(app, key), {"body": f"BP check {n}", "client_key": key}
            )
            assert status in (200, 201), (key, status)

    # then: every message is there exactly once, acknowledged ones included
    rows, keys = (
        app["db"]
        .psql("SELECT count(*), count(DISTINCT client_key) FROM rooms_roommessage")
        .split("|")
    )
    assert int(rows) == int(keys) == len({key for key, _, _ in answers})
    print(  # noqa: T201 - the figures in docs/reliability.md (pytest -s)
        f"writes {len(answers)}, acknowledged {_acked(answers)}, 503 {len(refused)}, "
        f"first write {recovered:.1f} s after PostgreSQL was back"
    )
    app["log"].seek(0)
    assert b" 500 " not in app["log"].read()


def _token(app, key: str) -> str:
    return app["tokens"][int(key[1:]) % LEARNERS]


def _acked(answers) -> int:
    return sum(1 for _, status, _ in answers if status in (200, 201))


def _wait(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)
