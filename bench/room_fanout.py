"""Case-room fan-out as a shift change meets it: everyone joins at once, then talks.

One self-contained script past ~400 lines on purpose: it must run by itself on a
bench machine (servers, load, restart and report in one file).

Self-contained: starts its own redis-server on a free port and uses its own
PostgreSQL database (dropped and re-created unless ``--keep-db``), creates a
cohort of ``--members`` distinct accounts and a case room, and starts
``--processes`` ASGI servers (Daphne or uvicorn) on one Redis. Then:

1. every member connects within ``--connect-window`` seconds;
2. ``--senders`` members post one message a second between them for
   ``--duration`` seconds;
3. the ASGI servers are stopped, a few messages are stored while they are
   down, the servers start again and every member reconnects at once with
   ``?after=<last seq seen>`` and catches up; messages go on for
   ``--after-restart`` seconds.

It reports delivery latency p50/p95/p99 (send -> each member), lost and
duplicated deliveries by message number per member, handshake failures, and
resident memory per socket. Example (docs/benchmarks.md has the runs):

    .venv/bin/python bench/room_fanout.py --members 200 --processes 1 --duration 60

Never touches the shared Redis on 6379 or any database but ``--db``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = "http://127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(
    port: int, proc: subprocess.Popen[bytes], seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listening on {port}")


def rss_kb(pid: int) -> int:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) if match else 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- services of the bench's own --------------------------------------------------
def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [shutil.which("redis-server") or "redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_listening(port, proc)
    return proc, port


def recreate_database(pg: str, name: str, keep: bool) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{pg}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and not keep:
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(members: int, senders: int) -> tuple[int, list[str], list[int]]:
    """A cohort of distinct accounts and a case room: (room id, cookies, user ids)."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from cpd.models import Cohort, Membership, Organisation, User
    from forums.rooms import services

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6]
    org = Organisation.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    cohort = Cohort.objects.create(
        organisation=org,
        name=f"Night shift {tag}",
        starts_on=timezone.localdate() - dt.timedelta(days=1),
    )
    users = []
    for i in range(members):
        user = User(
            email=f"m{i}-{tag}@bench.invalid",
            display_name=f"Member {i:03d}",
            cadre="nurse",
            district="Kisumu",
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(email__endswith=f"-{tag}@bench.invalid"))
    users.sort(key=lambda u: u.display_name)
    Membership.objects.bulk_create(
        [
            Membership(cohort=cohort, user=u, role="mentor" if i == 0 else "learner")
            for i, u in enumerate(users)
        ]
    )
    room = services.room_open_case(actor=users[0], cohort=cohort, title="Shift change")
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return room.pk, cookies, [u.pk for u in users[:senders]]


def post_while_down(room_id: int, user_ids: list[int], n: int, run: str) -> None:
    """Messages stored while the sockets are away: reconnects must catch them up."""
    from cpd.models import User
    from forums.rooms import services
    from forums.rooms.models import Room

    room = Room.objects.select_related("cohort").get(pk=room_id)
    for i in range(n):
        author = User.objects.get(pk=user_ids[i % len(user_ids)])
        services.message_post(
            actor=author, room=room, body=f"while down {i}", client_key=f"{run}-d{i}"
        )


def stored_seqs(room_id: int, run: str) -> dict[int, str]:
    from forums.rooms.models import RoomMessage

    return dict(
        RoomMessage.objects.filter(
            room_id=room_id, client_key__startswith=run
        ).values_list("seq", "client_key")
    )


# --- ASGI servers ------------------------------------------------------------------
@dataclass
class Servers:
    kind: str
    ports: list[int]
    env: dict[str, str]
    backlog: int
    logdir: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, port: int) -> list[str]:
        if self.kind == "uvicorn":
            return [sys.executable, "-m", "uvicorn", "cpd.asgi:application",
                    "--host", "127.0.0.1", "--port", str(port),
                    "--backlog", str(self.backlog), "--ws", "websockets",
                    "--lifespan", "off", "--no-access-log",
                    "--log-level", "warning"]  # fmt: skip
        return [sys.executable, "-m", "daphne", "-e",
                f"tcp:port={port}:interface=127.0.0.1:backlog={self.backlog}",
                "-v", "0", "cpd.asgi:application"]  # fmt: skip

    def start(self) -> None:
        self.procs = []
        for i, port in enumerate(self.ports):
            log = (self.logdir / f"asgi-{i}.log").open("ab")
            self.procs.append(
                subprocess.Popen(  # noqa: S603
                    self.command(port),
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=log,
                )  # fmt: skip
            )
        for port, proc in zip(self.ports, self.procs, strict=True):
            wait_listening(port, proc)

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- clients -----------------------------------------------------------------------
@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    latency: dict[str, list[float]] = field(default_factory=dict)  # phase -> seconds
    handshake_failures: dict[str, int] = field(default_factory=dict)
    failure_kinds: dict[str, int] = field(default_factory=dict)
    unexpected_closes: int = 0
    phase: str = "steady"


class Member:
    """One member's socket: records each message number it receives, and when."""

    def __init__(self, index: int, url: str, cookie: str, tally: Tally) -> None:
        self.index, self.url, self.cookie, self.tally = index, url, cookie, tally
        self.ws: Any = None
        self.got: dict[int, int] = {}  # seq -> times received
        self.last = 0
        self.reader: asyncio.Task[None] | None = None
        self.expect_close = False

    async def connect(self, phase: str) -> None:
        delay = 1.0  # as static/js/rooms.js: backoff with jitter, doubling to 30 s
        while True:
            url = self.url + (f"?after={self.last}" if self.last else "")
            try:
                self.ws = await websockets.connect(
                    url,
                    additional_headers={"Cookie": self.cookie, "Origin": ORIGIN},
                    max_queue=None,
                    open_timeout=20,
                    ping_interval=None,
                )
            except Exception as exc:  # noqa: BLE001 - counted, then retried
                failures = self.tally.handshake_failures
                failures[phase] = failures.get(phase, 0) + 1
                kind = type(exc).__name__
                self.tally.failure_kinds[kind] = (
                    self.tally.failure_kinds.get(kind, 0) + 1
                )
                await asyncio.sleep(delay + random.random() * 0.5)  # noqa: S311
                delay = min(delay * 2, 30.0)
                continue
            self.reader = asyncio.create_task(self.read())
            return

    async def read(self) -> None:
        ws = self.ws
        try:
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                kind = event.get("kind")
                batch = [event] if kind == "message" else event.get("messages", [])
                if kind not in ("message", "history"):
                    continue
                for m in batch:
                    seq = m["seq"]
                    self.got[seq] = self.got.get(seq, 0) + 1
                    self.last = max(self.last, seq)
                    sent = self.tally.sent_at.get(m.get("client_key", ""))
                    if sent is not None and self.got[seq] == 1:
                        phase = self.tally.latency.setdefault(self.tally.phase, [])
                        phase.append(now - sent)
        except websockets.ConnectionClosed:
            pass
        if not self.expect_close:
            self.tally.unexpected_closes += 1
            await self.connect("unexpected")

    async def ping(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.ws.send('{"kind": "ping"}')

    async def say(self, key: str, body: str) -> bool:
        try:
            await self.ws.send(
                json.dumps({"kind": "message", "body": body, "client_key": key})
            )
        except websockets.ConnectionClosed:
            return False
        return True


async def talk(members: list[Member], senders: int, seconds: float, run: str,
               offset: int, tally: Tally, rate: float) -> int:  # fmt: skip
    """One message every 1/rate s, round robin over the sender members."""
    count = int(seconds * rate)
    start = time.perf_counter()
    for i in range(count):
        key = f"{run}-{offset + i}"
        tally.sent_at[key] = time.perf_counter()
        await members[i % senders].say(key, f"bench message {offset + i}")
        await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))
    return count


async def heartbeat(members: list[Member]) -> None:
    while True:
        await asyncio.sleep(25)
        await asyncio.gather(*(m.ping() for m in members))


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


async def run_bench(
    args: argparse.Namespace,
    servers: Servers,
    room_id: int,
    cookies: list[str],
    sender_ids: list[int],
) -> dict[str, Any]:
    tally = Tally()
    run = f"b{uuid.uuid4().hex[:6]}"
    path = f"/ws/rooms/{room_id}/"
    members = [
        Member(i, f"ws://127.0.0.1:{servers.ports[i % len(servers.ports)]}{path}",
               cookie, tally)
        for i, cookie in enumerate(cookies)
    ]  # fmt: skip
    rss_before = [rss_kb(p.pid) for p in servers.procs]
    load_before = os.getloadavg()  # the machine may be shared: say how busy it was

    # 1. everyone joins within the window
    t0 = time.perf_counter()
    window = args.connect_window

    async def join(m: Member) -> None:
        await asyncio.sleep(window * m.index / len(members))
        await m.connect("join")

    await asyncio.gather(*(join(m) for m in members))
    joined_in = time.perf_counter() - t0
    beat = asyncio.create_task(heartbeat(members))
    await asyncio.sleep(3)  # history and presence frames settle
    rss_after = [rss_kb(p.pid) for p in servers.procs]

    # 2. talk
    tally.phase = "steady"
    sent = await talk(members, args.senders, args.duration, run, 0, tally, args.rate)
    await asyncio.sleep(3)

    # 3. restart: servers down, messages stored meanwhile, everyone back at once
    restart: dict[str, Any] = {}
    if args.after_restart > 0:
        for m in members:
            m.expect_close = True
        servers.stop()
        for m in members:
            if m.reader is not None:
                await m.reader
        await asyncio.to_thread(post_while_down, room_id, sender_ids, 5, run)
        t1 = time.perf_counter()
        await asyncio.to_thread(servers.start)
        started = time.perf_counter() - t1
        for m in members:
            m.expect_close = False
        t2 = time.perf_counter()
        tally.phase = "reconnect"
        await asyncio.gather(*(m.connect("reconnect") for m in members))
        reconnected_in = time.perf_counter() - t2
        await asyncio.sleep(3)
        tally.phase = "after_restart"
        sent += await talk(
            members, args.senders, args.after_restart, run, sent, tally, args.rate
        )
        await asyncio.sleep(3)
        restart = {
            "server_start_s": round(started, 2),
            "all_reconnected_s": round(reconnected_in, 2),
            "handshake_failures": tally.handshake_failures.get("reconnect", 0),
            "latency_after_restart": summary(tally.latency.get("after_restart", [])),
        }
    beat.cancel()
    for m in members:
        m.expect_close = True
        if m.ws is not None:
            await m.ws.close()

    stored = await asyncio.to_thread(stored_seqs, room_id, run)
    lost = sum(1 for m in members for seq in stored if seq not in m.got)
    duplicated = sum(n - 1 for m in members for n in m.got.values() if n > 1)
    per_proc = [len(range(i, len(members), len(servers.ports)))
                for i in range(len(servers.ports))]  # fmt: skip
    return {
        "server": servers.kind,
        "conn_max_age": args.conn_max_age,
        "processes": len(servers.ports),
        "members": len(members),
        "messages_sent": sent,
        "messages_stored": len(stored),
        "expected_deliveries": len(stored) * len(members),
        "lost": lost,
        "duplicated": duplicated,
        "joined_in_s": round(joined_in, 2),
        "handshake_failures_join": tally.handshake_failures.get("join", 0),
        "handshake_failure_kinds": tally.failure_kinds,
        "unexpected_closes": tally.unexpected_closes,
        "latency_steady": summary(tally.latency.get("steady", [])),
        "restart": restart,
        "rss_kb_per_socket": [
            round((after - before) / n, 1)
            for before, after, n in zip(rss_before, rss_after, per_proc, strict=True)
        ],
        "rss_mb_with_sockets": [round(a / 1024, 1) for a in rss_after],
        "loadavg_1_5_15_before": [round(x, 2) for x in load_before],
        "loadavg_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument("--after-restart", type=float, default=15, help="seconds")
    parser.add_argument("--rate", type=float, default=1.0, help="messages a second")
    parser.add_argument("--senders", type=int, default=5)
    parser.add_argument("--connect-window", type=float, default=5.0)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="cpd_bench")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DJANGO_CONN_MAX_AGE for the ASGI servers (0: a connection per call)",
    )
    args = parser.parse_args()

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # clean up servers and Redis too
    workdir = Path(tempfile.mkdtemp(prefix="room-bench-"))
    redis_proc, redis_port = start_redis(workdir)
    servers: Servers | None = None
    try:
        recreate_database(args.pg, args.db, args.keep_db)
        env = {
            "DJANGO_SETTINGS_MODULE": "cpd.settings.test",
            "DATABASE_URL": f"{args.pg}/{args.db}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CHANNEL_LAYER_PREFIX": "bench",
            "LOG_LEVEL": "WARNING",
            "DJANGO_CONN_MAX_AGE": str(args.conn_max_age),
        }
        setup_django(env)
        room_id, cookies, sender_ids = seed(args.members, args.senders)
        servers = Servers(
            kind=args.server,
            ports=[free_port() for _ in range(args.processes)],
            env={**os.environ, **env},
            backlog=args.backlog,
            logdir=workdir,
        )
        servers.start()
        result = asyncio.run(run_bench(args, servers, room_id, cookies, sender_ids))
        result["server_logs"] = str(workdir)
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    finally:
        if servers is not None:
            servers.stop()
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
