"""A real Celery worker on Redis runs the invitation task against the test DB."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cpd.celery import app as celery_app
from cpd.models import Invitation
from cpd.tasks import invitation_send
from tests.factories.cpd import InvitationFactory
from tests.realtime.conftest import stop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


@pytest.fixture
def worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpd",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield proc
    stop(proc)


@pytest.fixture
def queued_for_real():
    """Send tasks to the broker instead of running them in-process."""
    celery_app.conf.update(task_always_eager=False)
    yield
    celery_app.conf.update(task_always_eager=True)


def test_worker_sends_the_invitation_once(worker, queued_for_real):
    # given an invitation committed to the database
    invitation = InvitationFactory(email="worker@example.org")
    # when the task is queued on Redis twice (a retry after a lost ack)
    invitation_send.delay(invitation.pk)
    invitation_send.delay(invitation.pk)
    # then the worker marks it sent, exactly once
    deadline = time.monotonic() + 180  # a loaded machine starts a worker slowly
    while time.monotonic() < deadline:
        sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
        if sent_at is not None:
            break
        assert worker.poll() is None, worker.stderr.read().decode()
        time.sleep(0.5)
    assert sent_at is not None
    time.sleep(1)
    assert Invitation.objects.get(pk=invitation.pk).sent_at == sent_at
