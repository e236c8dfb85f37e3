"""Fault tests: a private redis-server of the test's own, stopped and started at will.

Never the shared Redis: the server listens on a free port, keeps nothing on disk
and is killed when the test ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="cpd-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.cli("ping") == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return result.stdout.strip()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        pytest.skip("needs redis-server")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own: ``initdb`` in a temporary folder,
    a free port, trust auth on 127.0.0.1 only; stopped and removed at the end.

    PostgreSQL refuses to run as root, so as root the commands run as the
    ``postgres`` system account, which then owns the temporary folder.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="cpd-pg-")
        self.data = f"{self.dir}/data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")

    def url(self, name: str = "cpd") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self._as, *args],
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def init(self) -> None:
        self._run(
            "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            f"{self.dir}/log",
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def psql(self, sql: str, name: str = "cpd") -> str:
        result = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                name,
                "-At",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    needed = ("initdb", "pg_ctl", "psql")
    if not all(shutil.which(name) for name in needed):
        pytest.skip("needs PostgreSQL's initdb, pg_ctl and psql")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("as root, needs runuser to run PostgreSQL as postgres")
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        server.psql("CREATE DATABASE cpd", name="postgres")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            server.stop("immediate")
        shutil.rmtree(server.dir, ignore_errors=True)
