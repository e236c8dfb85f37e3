"""The forums section of a person's data: export (read) and erasure (write).

Registered with ``cpd.privacy.registry`` in ``ForumsConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q

from cpd.models import User
from cpd.privacy.registry import ErasureContext, ExportPart
from forums.models import (
    Follow,
    HelpfulMark,
    ModerationLog,
    Post,
    PostRevision,
    ReadState,
    Report,
    Thread,
)
from forums.services.revision import threads_changed


def forums_export(user: User) -> ExportPart:
    """Posts (with their images), threads started, helpful marks, reports, follows."""
    posts = (
        Post.objects.filter(author=user)
        .select_related("thread__forum__cohort")
        .prefetch_related("images")
        .order_by("created_at", "pk")
    )
    images = []
    post_rows = []
    for post in posts:
        post_images = list(post.images.all())
        images += post_images
        post_rows.append(
            {
                "id": post.pk,
                "cohort": post.thread.forum.cohort.name,
                "forum": post.thread.forum.title,
                "thread": post.thread.title,
                "body": post.body,
                "created_at": post.created_at,
                "edited_at": post.edited_at,
                "deleted_at": post.deleted_at,
                "images": [f"images/{image.pk}.jpg" for image in post_images],
            }
        )
    data: dict[str, Any] = {
        "posts": post_rows,
        "threads_started": [
            {"id": t.pk, "title": t.title, "created_at": t.created_at}
            for t in Thread.objects.filter(author=user)
        ],
        "helpful_marks": list(
            HelpfulMark.objects.filter(user=user).values("post_id", "created_at")
        ),
        "reports": list(
            Report.objects.filter(reporter=user).values(
                "post_id", "reason", "created_at"
            )
        ),
        "follows": list(
            Follow.objects.filter(user=user).values("thread_id", "created_at")
        ),
    }
    return ExportPart(data=data, images=images)


def _replied_to(user: User) -> Q:
    """Posts of ``user`` after which someone else posted in the same thread."""
    later_by_other = Post.objects.filter(
        thread_id=OuterRef("thread_id"),
        created_at__gte=OuterRef("created_at"),
        deleted_at__isnull=True,
    ).exclude(pk=OuterRef("pk"))
    later_by_other = later_by_other.filter(Q(author__isnull=True) | ~Q(author=user))
    return Q(Exists(later_by_other))


def forums_renamed(user: User) -> None:
    """Cached thread pages name the person: those they posted in render afresh."""
    threads_changed(
        Thread.objects.filter(
            pk__in=Post.objects.filter(author=user).values("thread_id")
        )
    )


def forums_erase(user: User, context: ErasureContext) -> dict[str, int]:
    """Posts others replied to lose their author ("former member"); the rest go.

    A thread keeps its opening post while anyone else posted in it; a thread left
    with no posts is deleted. Marks, follows and read states are deleted; reports
    and moderation records keep the event without the person.
    """
    mine = Post.objects.filter(author=user)
    kept_ids = list(mine.filter(_replied_to(user)).values_list("pk", flat=True))
    touched_threads = set(mine.values_list("thread_id", flat=True))
    # Cached thread pages show the name and the helpful counts: render afresh.
    marked = HelpfulMark.objects.filter(user=user).values_list(
        "post__thread", flat=True
    )
    threads_changed(touched_threads | set(marked))
    # Old versions of a kept post are the person's words too.
    PostRevision.objects.filter(post_id__in=kept_ids).delete()
    PostRevision.objects.filter(editor=user).update(editor=None)
    kept = Post.objects.filter(pk__in=kept_ids).update(author=None, idempotency_key="")
    deleted = mine.exclude(pk__in=kept_ids).delete()[0]
    Post.mentions.through.objects.filter(user_id=user.pk).delete()
    Post.objects.filter(hidden_by=user).update(hidden_by=None)

    threads_deleted = (
        Thread.objects.filter(pk__in=touched_threads)
        .annotate(n=Count("posts"))
        .filter(n=0)
        .delete()[0]
    )
    Thread.objects.filter(author=user).update(author=None)
    for thread in Thread.objects.filter(pk__in=touched_threads).annotate(
        n=Count("posts", filter=Q(posts__deleted_at__isnull=True)),
        newest=Max("posts__created_at"),
    ):
        Thread.objects.filter(pk=thread.pk).update(
            reply_count=max(thread.n - 1, 0),
            last_post_at=thread.newest or thread.created_at,
        )
    Report.objects.filter(reporter=user).update(reporter=None)
    Report.objects.filter(resolved_by=user).update(resolved_by=None)
    ModerationLog.objects.filter(actor=user).update(actor=None)
    return {
        "posts_kept_anonymous": kept,
        "posts_deleted": deleted,
        "threads_deleted": threads_deleted,
        "helpful_marks": HelpfulMark.objects.filter(user=user).delete()[0],
        "follows": Follow.objects.filter(user=user).delete()[0],
        "read_states": ReadState.objects.filter(user=user).delete()[0],
    }
