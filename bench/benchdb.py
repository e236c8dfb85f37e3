"""What every bench shares: a database of its own, dropped and re-created."""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any
from urllib.parse import urlparse


def recreate_database(url: str, name: str) -> None:
    """Drop and re-create the database ``url`` names; it must be called ``name``.

    The name check keeps a bench from ever dropping a database it does not own.
    """
    import psycopg2

    parts = urlparse(url)
    if parts.path.lstrip("/") != name:
        sys.exit(f"refusing to drop {parts.path!r}: DATABASE_URL must name {name}")
    conn = psycopg2.connect(parts._replace(path="/postgres").geturl())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def time_get(client: Any, url: str, repeat: int) -> tuple[float, int, int]:
    """GET ``url`` ``repeat`` times after a warm-up: median ms, queries, bytes.

    A streamed answer is read to its end inside the timing. Exits when the
    warm-up does not answer 200.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    times, queries, size = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            body = (
                b"".join(response.streaming_content)
                if response.streaming
                else response.content
            )
            times.append((time.perf_counter() - started) * 1000)
        queries, size = len(ctx.captured_queries), len(body)
    return statistics.median(times), queries, size
