"""Case-room fan-out: latency and loss with N live sockets, memory with idle ones.

Against a running server (Redis channel layer for realistic figures):

    .venv/bin/python bench/room_fanout.py --room 3 --login faith@demo.cpd \
        --password demo-pass-2026 --clients 200 --messages 15 --idle 1000 --pid PID

Opens N sockets on one room, sends messages from one more socket (paced under
the per-user posting limit), and reports per-message fan-out latency p50/p95/p99
(send → each receiver) and messages lost. Then holds ``--idle`` quiet sockets
open and reads the ASGI process's resident memory from /proc/PID/status.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import websockets


def sign_in(base: str, login: str, password: str) -> str:
    """Session cookie header after signing in through the HTML form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()  # noqa: S310
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    data = urllib.parse.urlencode(
        {"login": login, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"}
    )
    opener.open(request)  # noqa: S310
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("sign-in failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def open_socket(url: str, cookie: str, origin: str):  # noqa: ANN201
    return await websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": origin}, max_queue=None
    )


async def receiver(ws, sent: dict[str, float], got: list[float], seen: set) -> None:
    async for raw in ws:
        event = json.loads(raw)
        if event.get("kind") == "message" and event["client_key"] in sent:
            got.append(time.perf_counter() - sent[event["client_key"]])
            seen.add((id(ws), event["client_key"]))


async def fanout(args: argparse.Namespace, url: str, cookie: str, origin: str) -> dict:
    sockets = [await open_socket(url, cookie, origin) for _ in range(args.clients)]
    sender = await open_socket(url, cookie, origin)
    await asyncio.sleep(2)  # let join-time history and presence settle
    sent: dict[str, float] = {}
    got: list[float] = []
    seen: set = set()
    tasks = [asyncio.create_task(receiver(ws, sent, got, seen)) for ws in sockets]
    run = f"b{int(time.time())}"
    for i in range(args.messages):
        key = f"{run}-{i}"
        sent[key] = time.perf_counter()
        await sender.send(
            json.dumps({"kind": "message", "body": f"bench {i}", "client_key": key})
        )
        await asyncio.sleep(args.interval)
    await asyncio.sleep(3)
    for task in tasks:
        task.cancel()
    for ws in [*sockets, sender]:
        await ws.close()
    expected = args.clients * args.messages
    return {
        "clients": args.clients,
        "messages": args.messages,
        "deliveries": len(got),
        "lost": expected - len(seen),
        "p50_ms": round(statistics.median(got) * 1000, 1) if got else None,
        "p95_ms": round(percentile(got, 95) * 1000, 1) if got else None,
        "p99_ms": round(percentile(got, 99) * 1000, 1) if got else None,
    }


def rss_mb(pid: int) -> float | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
    return round(int(match.group(1)) / 1024, 1) if match else None


async def idle(args: argparse.Namespace, url: str, cookie: str, origin: str) -> dict:
    before = rss_mb(args.pid) if args.pid else None
    # One at a time, as phones arrive; a burst of 1,000 handshakes is another test.
    sockets = [await open_socket(url, cookie, origin) for _ in range(args.idle)]
    await asyncio.sleep(5)
    after = rss_mb(args.pid) if args.pid else None
    for ws in sockets:
        await ws.close()
    return {
        "idle_connections": args.idle,
        "rss_before_mb": before,
        "rss_with_idle_mb": after,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--room", type=int, required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=15)
    parser.add_argument(
        "--interval", type=float, default=3.2, help="seconds between sends"
    )
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--pid", type=int, help="ASGI server process id, for memory")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    cookie = sign_in(base, args.login, args.password)
    url = base.replace("http", "ws", 1) + f"/ws/rooms/{args.room}/"
    result = asyncio.run(fanout(args, url, cookie, base))
    if args.idle:
        result.update(asyncio.run(idle(args, url, cookie, base)))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
