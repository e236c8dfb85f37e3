"""Learning-record statements for forum and case-room history (see cpd.record).

Each statement carries its live statement's client_key, so a rerun, or a
backfill after live recording, adds nothing. A thread's opening post is its
"posted" statement; the other posts are replies. Accepted answers are not
backfilled: who accepted was never stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F

from cpd.models import Verb
from forums.models import HelpfulMark, Post, Thread
from forums.rooms.models import RoomMessage


def threads() -> Iterator[dict[str, Any]]:
    rows = (
        Thread.objects.filter(author__isnull=False)
        .values("pk", "author_id", "forum__cohort_id", "created_at")
        .iterator(chunk_size=2000)
    )
    for row in rows:
        yield {
            "client_key": f"thread:{row['pk']}",
            "actor_id": row["author_id"],
            "verb": Verb.POSTED,
            "object_type": "thread",
            "object_id": row["pk"],
            "cohort_id": row["forum__cohort_id"],
            "timestamp": row["created_at"],
        }


def replies() -> Iterator[dict[str, Any]]:
    rows = (
        Post.objects.filter(author__isnull=False)
        .exclude(created_at=F("thread__created_at"), author=F("thread__author"))
        .values("pk", "author_id", "thread__forum__cohort_id", "created_at")
        .iterator(chunk_size=2000)
    )
    for row in rows:
        yield {
            "client_key": f"post:{row['pk']}",
            "actor_id": row["author_id"],
            "verb": Verb.REPLIED,
            "object_type": "post",
            "object_id": row["pk"],
            "cohort_id": row["thread__forum__cohort_id"],
            "timestamp": row["created_at"],
        }


def helpful_marks() -> Iterator[dict[str, Any]]:
    rows = HelpfulMark.objects.values(
        "post_id", "user_id", "post__thread__forum__cohort_id", "created_at"
    ).iterator(chunk_size=2000)
    for row in rows:
        yield {
            "client_key": f"helpful:{row['post_id']}",
            "actor_id": row["user_id"],
            "verb": Verb.HELPFUL,
            "object_type": "post",
            "object_id": row["post_id"],
            "cohort_id": row["post__thread__forum__cohort_id"],
            "timestamp": row["created_at"],
        }


def room_messages() -> Iterator[dict[str, Any]]:
    rows = (
        RoomMessage.objects.filter(author__isnull=False)
        .values("pk", "author_id", "room_id", "room__cohort_id", "created_at")
        .iterator(chunk_size=2000)
    )
    for row in rows:
        yield {
            "client_key": f"room-message:{row['pk']}",
            "actor_id": row["author_id"],
            "verb": Verb.ROOM_MESSAGE,
            "object_type": "room",
            "object_id": row["room_id"],
            "cohort_id": row["room__cohort_id"],
            "timestamp": row["created_at"],
        }
