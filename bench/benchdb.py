"""What every bench shares: a database of its own, dropped and re-created."""

from __future__ import annotations

import sys
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
