"""The suite refuses to start against a Redis database that holds keys it did
not write (someone's queue, cache or channel layer), and starts on one that
holds only its own. Redis is a private redis-server of this test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collect(redis_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDIS_URL": redis_url}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_layering.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_database_with_foreign_keys_is_refused_and_left_as_it_was(private_redis):
    private_redis.cli("SET", "cpd:1:celery-task-meta-1", "x")
    private_redis.cli("LPUSH", "celery", "a queued task")
    result = _collect(private_redis.url)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "holds keys this test suite did not write" in result.stdout + result.stderr
    # nothing of what was there was touched
    assert private_redis.cli("GET", "cpd:1:celery-task-meta-1") == "x"
    assert private_redis.cli("LLEN", "celery") == "1"


def test_a_database_with_only_test_keys_is_used(private_redis):
    private_redis.cli("SET", "test-main:1:rl:left-by-an-earlier-run", "1")
    result = _collect(private_redis.url)
    assert result.returncode == 0, result.stdout + result.stderr
