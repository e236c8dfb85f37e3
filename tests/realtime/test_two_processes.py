"""Two real ASGI server processes over one Redis and one PostgreSQL act as one room."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connection

from cpd import services as cpd_services
from forums.rooms import services
from tests.factories.cpd import CohortFactory, UserFactory
from tests.realtime.conftest import session_cookie, stop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


@pytest.fixture
def two_servers():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.test",
        "DATABASE_URL": _database_url(),
        "CHANNEL_LAYER_PREFIX": f"two-{uuid.uuid4().hex[:6]}",
    }
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "cpd.asgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait_for(port, proc)
        yield ports
    finally:
        for proc in procs:
            stop(proc)


async def _next(ws, kind):
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if event["kind"] == kind:
            return event


async def test_message_sent_through_one_process_reaches_the_other(two_servers):
    # given a cohort room with a learner on server A and a mentor on server B
    @sync_to_async
    def setup():
        cohort = CohortFactory()
        learner, mentor = UserFactory.create_batch(2)
        cpd_services.membership_add(cohort=cohort, user=learner, role="learner")
        cpd_services.membership_add(cohort=cohort, user=mentor, role="mentor")
        room = services.room_open_case(actor=mentor, cohort=cohort, title="Two")
        return room, session_cookie(learner), session_cookie(mentor)

    room, learner_cookie, mentor_cookie = await setup()
    port_a, port_b = two_servers
    path = f"/ws/rooms/{room.pk}/"
    headers = {"Origin": "http://127.0.0.1"}
    async with (
        websockets.connect(
            f"ws://127.0.0.1:{port_a}{path}",
            additional_headers={**headers, "Cookie": learner_cookie.decode()},
        ) as a,
        websockets.connect(
            f"ws://127.0.0.1:{port_b}{path}",
            additional_headers={**headers, "Cookie": mentor_cookie.decode()},
        ) as b,
    ):
        await _next(a, "history")
        await _next(b, "history")
        # when the learner posts through A
        await a.send(
            json.dumps({"kind": "message", "body": "via A", "client_key": "x"})
        )
        # then the mentor on B receives it, numbered 1; and B's reply reaches A
        got = await _next(b, "message")
        assert (got["seq"], got["client_key"]) == (1, "x")
        await b.send(
            json.dumps({"kind": "message", "body": "via B", "client_key": "y"})
        )
        own = await _next(a, "message")  # A also hears its own message, once
        back = await _next(a, "message")
        assert (own["seq"], back["seq"]) == (1, 2)
        assert "via B" in back["html"]
