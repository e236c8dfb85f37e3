"""Two beat processes on one Redis: RedBeat's lock lets only one send tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _beat(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.test",
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpd",
            "beat",
            "--scheduler",
            "redbeat.RedBeatScheduler",
            "--loglevel",
            "DEBUG",
            "--max-interval",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.timeout(120)
def test_only_one_of_two_beats_holds_the_lock(private_redis, tmp_path):
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = [_beat(private_redis.url, log) for log in logs]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            texts = [log.read_text(errors="replace") for log in logs]
            if any("Extending lock" in t for t in texts):
                break
            assert all(b.poll() is None for b in beats), texts
            time.sleep(0.5)
        time.sleep(3)
        texts = [log.read_text(errors="replace") for log in logs]
        holders = [t for t in texts if "Extending lock" in t]
        assert len(holders) == 1, texts
        # the broker got the periodic tasks from one beat only
        lock = f"{settings.CELERY_REDBEAT_KEY_PREFIX}:lock"
        assert private_redis.cli("exists", lock) == "1"
    finally:
        for beat in beats:
            beat.terminate()
        for beat in beats:
            beat.wait(timeout=20)
