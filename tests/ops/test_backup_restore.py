"""deploy/backup.sh then deploy/restore.sh into a fresh database and media folder:
the same rows, and an image's bytes unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from cpd import services
from cpd.models import Role
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from tests.factories.cpd import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TABLES = [
    "cpd_user",
    "cpd_membership",
    "cpd_cohort",
    "forums_thread",
    "forums_post",
    "cpd_activity",
    "notifications_notification",
]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump"),
]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - fixed names
            out[table] = cur.fetchone()[0]
    conn.close()
    return out


def test_a_backup_restores_the_same_rows_and_files(world, tmp_path):
    # given: a little of everything, and an image file in the media folder
    for n in range(3):
        user = UserFactory(display_name=f"Nurse {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    thread, _ = thread_create(
        actor=world.learner, forum=forum_for_cohort(world.cohort), title="PPH", body="b"
    )
    post_create(actor=world.mentor_of_cohort, thread=thread, body="oxytocin")
    media = tmp_path / "media"
    (media / "images").mkdir(parents=True)
    photo = os.urandom(4096)
    (media / "images" / "case.jpg").write_bytes(photo)
    source = _url(connection.settings_dict["NAME"])
    before = _counts(source)
    assert before["forums_post"] == 2
    # when: backed up, then restored into a fresh database and media folder
    env = {**os.environ, "DATABASE_URL": source, "DJANGO_MEDIA_ROOT": str(media)}
    env["BACKUP_DIR"] = str(tmp_path / "backups")
    out = subprocess.run(
        ["sh", str(ROOT / "deploy/backup.sh")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    dump, tarball = out[-2], out[-1]
    target = f"cpd_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        subprocess.run(
            ["sh", str(ROOT / "deploy/restore.sh"), dump, tarball],
            env={
                **env,
                "DATABASE_URL": _url(target),
                "DJANGO_MEDIA_ROOT": str(restored_media),
            },
            check=True,
            capture_output=True,
        )
        # then: the same rows, and the image byte for byte
        assert _counts(_url(target)) == before
        assert (restored_media / "images" / "case.jpg").read_bytes() == photo
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
