"""Helpful marks, accepted answers, follows and read state."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.models import User, Verb
from cpd.notifications.services import notify
from cpd.record import record
from forums import policies
from forums.models import Follow, HelpfulMark, Post, ReadState, Thread
from forums.services.posting import KIND_ACCEPTED
from forums.services.revision import threads_changed


def helpful_set(*, actor: User, post: Post, helpful: bool) -> bool:
    """Mark (or unmark) a post helpful; idempotent; returns the new state."""
    if not policies.can_mark_helpful(actor, post):
        raise PermissionDenied(_("You cannot mark your own post."))
    if helpful:
        try:
            with transaction.atomic():
                _mark, created = HelpfulMark.objects.get_or_create(
                    post=post, user=actor
                )
                if created:
                    threads_changed([post.thread_id])
                    record(
                        actor=actor,
                        verb=Verb.HELPFUL,
                        object_type="post",
                        object_id=post.pk,
                        cohort=post.thread.forum.cohort_id,
                        client_key=f"helpful:{post.pk}",
                    )
        except IntegrityError:
            pass
    else:
        if HelpfulMark.objects.filter(post=post, user=actor).delete()[0]:
            threads_changed([post.thread_id])
    return helpful


def answer_accept(*, actor: User, thread: Thread, post: Post | None) -> Thread:
    """Mark a reply as the thread's accepted answer (None clears it)."""
    if not policies.can_accept_answer(actor, thread):
        raise PermissionDenied(_("Only a mentor or the thread's author can accept."))
    if post is not None and (post.thread_id != thread.pk or post.is_hidden):
        raise ValidationError({"post": _("Choose a visible reply in this thread.")})
    thread.accepted_post = post
    thread.save(update_fields=["accepted_post"])
    threads_changed([thread.pk])
    if post is not None and post.author_id and post.author_id != actor.pk:
        notify(
            user=post.author,  # type: ignore[arg-type]
            kind=KIND_ACCEPTED,
            text=lambda: (
                _("Your reply was accepted as the answer in %(thread)s")
                % {"thread": thread.title}
            ),
            url=reverse("forums-thread", args=[thread.pk]) + f"#p{post.pk}",
            dedupe_key=f"accepted:{thread.pk}:{post.pk}",
            cohort=thread.forum.cohort_id,
        )
    if post is not None:
        record(
            actor=actor,
            verb=Verb.ACCEPTED,
            object_type="post",
            object_id=post.pk,
            cohort=thread.forum.cohort_id,
            client_key=f"accept:{thread.pk}:{post.pk}",
        )
    return thread


def follow_set(*, actor: User, thread: Thread, following: bool) -> bool:
    """Follow or unfollow a thread; idempotent; returns the new state."""
    if not policies.can_follow_thread(actor, thread):
        raise PermissionDenied
    if following:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(thread=thread, user=actor)
        except IntegrityError:
            pass
    else:
        Follow.objects.filter(thread=thread, user=actor).delete()
    return following


def thread_mark_read(*, actor: User, thread: Thread) -> None:
    """Remember that the member has now read everything in the thread.

    One upsert (``INSERT ... ON CONFLICT DO UPDATE``): no read first, no
    savepoint, and two tabs opening the thread at once cannot collide.
    """
    ReadState.objects.bulk_create(
        [ReadState(thread=thread, user=actor, last_read_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["thread", "user"],
        update_fields=["last_read_at"],
    )
