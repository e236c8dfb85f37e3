"""Opening threads, replying, editing and importing, safe to retry.

A client sends an idempotency key with every new thread or reply. ``(author,
key)`` is unique in the database, so a retried submit (or two racing ones)
returns the post created first instead of a second copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpd.limits import rate_limit_hit
from cpd.models import Cohort, Image, Membership, User, Verb
from cpd.notifications.services import notify
from cpd.policies import ensure_cohort_writable
from cpd.record import record
from cpd.rich_text import mentioned_handles, render_markdown
from cpd.services import image_upload
from forums import policies
from forums.hooks import thread_opened
from forums.models import (
    BUILT_IN_TAGS,
    Forum,
    ModerationAction,
    ModerationLog,
    Post,
    PostRevision,
    Tag,
    Thread,
)
from forums.services.forums import forum_for_cohort
from forums.services.revision import threads_changed
from forums.services.search import post_index

KIND_REPLY = "forums.reply"
KIND_MENTION = "forums.mention"
KIND_ACCEPTED = "forums.accepted"

MAX_BODY = 20_000
MAX_TAGS = 5


def handle_of(user: User) -> str:
    """The @handle of a member: their display name slugified (``@faith-achieng``)."""
    return slugify(user.display_name or "")


def _clean_tags(tags: Sequence[str]) -> list[Tag]:
    names: list[str] = []
    for raw in tags:
        name = slugify(raw)[:40]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("Use at most %d tags.") % MAX_TAGS})
    out = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(name=name)
        out.append(tag)
    return out


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("The message is too long (max %d characters).") % MAX_BODY}
        )
    return body


def _check_images(*, actor: User, cohort: Cohort, images: Sequence[Image]) -> None:
    for image in images:
        # Private photos (mentor conversations) never move into shared spaces.
        if image.cohort_id != cohort.pk or image.owner_id != actor.pk or image.private:
            raise ValidationError(
                {"images": _("Attach only images you uploaded to this cohort.")}
            )


def _needs_confirmation(
    *, tags: Sequence[Tag], images: Sequence[object], confirmed: bool
) -> None:
    if (images or any(t.name == "case" for t in tags)) and not confirmed:
        raise ValidationError(
            {
                "no_identifiers_confirmed": _(
                    "Confirm that the case and images hold no patient name, face, "
                    "number or other identifier."
                )
            }
        )


def _store(actor: User, cohort: Cohort, uploads: Sequence[IO[bytes]]) -> list[Image]:
    return [
        image_upload(actor=actor, cohort=cohort, file=f, no_identifiers_confirmed=True)
        for f in uploads
    ]


def _mentions(cohort: Cohort, body: str) -> list[User]:
    handles = set(mentioned_handles(body))
    if not handles:
        return []
    members = User.objects.filter(
        pk__in=Membership.objects.filter(cohort=cohort).values("user")
    )
    return [u for u in members if handle_of(u) in handles]


def _existing(actor: User, key: str) -> Post | None:
    """The actor's post made with this key, if it is still theirs to see."""
    if not key:
        return None
    post = (
        Post.objects.select_related("thread", "thread__forum", "thread__forum__cohort")
        .filter(author=actor, idempotency_key=key)
        .first()
    )
    if post is not None and not policies.can_view_forum(actor, post.thread.forum):
        # The author left the cohort since: a replay must not reveal the thread.
        raise PermissionDenied(_("You cannot post in this forum."))
    return post


def _validate_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 64:
        raise ValidationError({"idempotency_key": _("The key is too long.")})
    return key


def _post_new(
    *,
    thread: Thread,
    author: User | None,
    body: str,
    key: str = "",
    images: Sequence[Image] = (),
    confirmed: bool = False,
    created_at: datetime | None = None,
    live: bool = True,
) -> Post:
    post = Post.objects.create(
        thread=thread,
        author=author,
        body=body,
        body_html=render_markdown(body),
        idempotency_key=key,
        no_identifiers_confirmed=confirmed,
        created_at=created_at or timezone.now(),
    )
    if images:
        post.images.add(*images)
    mentioned = _mentions(thread.forum.cohort, body)
    if mentioned:
        post.mentions.add(*mentioned)
        for person in mentioned if live else ():
            if person.pk != (author.pk if author else None):
                notify(
                    user=person,
                    kind=KIND_MENTION,
                    text=lambda: (
                        _("%(who)s mentioned you in %(thread)s")
                        % {
                            "who": handle_of(author) if author else "",
                            "thread": thread.title,
                        }
                    ),
                    url=reverse("forums-thread", args=[thread.pk]) + f"#p{post.pk}",
                    dedupe_key=f"mention:{post.pk}",
                    cohort=thread.forum.cohort_id,
                )
    post_index(post)
    return post


def thread_create(
    *,
    actor: User,
    forum: Forum,
    title: str,
    body: str,
    tags: Sequence[str] = (),
    idempotency_key: str = "",
    images: Sequence[Image] = (),
    uploads: Sequence[IO[bytes]] = (),
    no_identifiers_confirmed: bool = False,
) -> tuple[Thread, bool]:
    """Open a thread with its first post; (thread, created). A known key replays."""
    key = _validate_key(idempotency_key)
    existing = _existing(actor, key)
    if existing is not None:
        return existing.thread, False
    if not policies.can_post_in_forum(actor, forum):
        raise PermissionDenied(_("You cannot post in this forum."))
    ensure_cohort_writable(forum.cohort)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the thread a title.")})
    if len(title) > 160:
        raise ValidationError({"title": _("Keep the title under 160 characters.")})
    body = _clean_body(body)
    _check_images(actor=actor, cohort=forum.cohort, images=images)
    tag_objs = _clean_tags(tags)
    _needs_confirmation(
        tags=tag_objs, images=[*images, *uploads], confirmed=no_identifiers_confirmed
    )
    rate_limit_hit(user_id=actor.pk, action="post")
    try:
        with transaction.atomic():
            images = [*images, *_store(actor, forum.cohort, uploads)]
            now = timezone.now()
            thread = Thread.objects.create(
                forum=forum, title=title, author=actor, created_at=now, last_post_at=now
            )
            thread.tags.set(tag_objs)
            _post_new(
                thread=thread,
                author=actor,
                body=body,
                key=key,
                images=images,
                confirmed=no_identifiers_confirmed,
                created_at=now,
            )
            # Mentoring hears of it this way (its mentors' notification).
            thread_opened(thread)
            record(
                actor=actor,
                verb=Verb.POSTED,
                object_type="thread",
                object_id=thread.pk,
                cohort=forum.cohort_id,
                client_key=f"thread:{thread.pk}",
                timestamp=now,
            )
    except IntegrityError:
        # A concurrent submit with the same key won; return what it created.
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing.thread, False
    return thread, True


def post_create(
    *,
    actor: User,
    thread: Thread,
    body: str,
    idempotency_key: str = "",
    images: Sequence[Image] = (),
    uploads: Sequence[IO[bytes]] = (),
    no_identifiers_confirmed: bool = False,
) -> tuple[Post, bool]:
    """Reply to a thread; (post, created). A key seen before returns its post."""
    key = _validate_key(idempotency_key)
    existing = _existing(actor, key)
    if existing is not None:
        return existing, False
    if not policies.can_reply(actor, thread):
        raise PermissionDenied(_("This thread is locked."))
    ensure_cohort_writable(thread.forum.cohort)
    body = _clean_body(body)
    _check_images(actor=actor, cohort=thread.forum.cohort, images=images)
    _needs_confirmation(
        tags=list(thread.tags.all()),
        images=[*images, *uploads],
        confirmed=no_identifiers_confirmed,
    )
    rate_limit_hit(user_id=actor.pk, action="post")
    try:
        with transaction.atomic():
            images = [*images, *_store(actor, thread.forum.cohort, uploads)]
            post = _post_new(
                thread=thread,
                author=actor,
                body=body,
                key=key,
                images=images,
                confirmed=no_identifiers_confirmed,
            )
            Thread.objects.filter(pk=thread.pk).update(
                reply_count=F("reply_count") + 1,
                last_post_at=post.created_at,
                revision=F("revision") + 1,
            )
            if thread.author_id and thread.author_id != actor.pk and thread.author:
                notify(
                    user=thread.author,
                    kind=KIND_REPLY,
                    text=lambda: (
                        _("%(who)s replied to %(thread)s")
                        % {
                            "who": actor.display_name or handle_of(actor),
                            "thread": thread.title,
                        }
                    ),
                    url=reverse("forums-thread", args=[thread.pk]) + f"#p{post.pk}",
                    dedupe_key=f"reply:{post.pk}",
                    cohort=thread.forum.cohort_id,
                )
            record(
                actor=actor,
                verb=Verb.REPLIED,
                object_type="post",
                object_id=post.pk,
                cohort=thread.forum.cohort_id,
                client_key=f"post:{post.pk}",
                timestamp=post.created_at,
            )
    except IntegrityError:
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing, False
    return post, True


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str) -> Post:
    """The author changes a post; the previous text is kept as a revision."""
    if not policies.can_edit_post(actor, post):
        raise PermissionDenied(_("You can only edit your own posts."))
    ensure_cohort_writable(post.thread.forum.cohort)
    body = _clean_body(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, editor=actor, body=post.body)
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    threads_changed([post.thread_id])
    post.mentions.set(_mentions(post.thread.forum.cohort, body))
    post_index(post)
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> Post:
    """Soft-delete a post; deleting the opening post deletes the whole thread."""
    if not policies.can_delete_post(actor, post):
        raise PermissionDenied(_("You cannot delete this post."))
    now = timezone.now()
    thread = post.thread
    opening = thread.posts.order_by("created_at", "pk").first()
    post.deleted_at = now
    post.save(update_fields=["deleted_at"])
    threads_changed([thread.pk])
    if opening is not None and opening.pk == post.pk:
        thread.deleted_at = now
        thread.save(update_fields=["deleted_at"])
    else:
        Thread.objects.filter(pk=thread.pk, reply_count__gt=0).update(
            reply_count=F("reply_count") - 1
        )
        if thread.accepted_post_id == post.pk:
            Thread.objects.filter(pk=thread.pk).update(accepted_post=None)
    if post.author_id != actor.pk:
        ModerationLog.objects.create(
            cohort_id=thread.forum.cohort_id,
            actor=actor,
            action=ModerationAction.DELETE,
            thread=thread,
            post=post,
        )
    return post


@dataclass(frozen=True)
class ImportedPost:
    """One existing message (e.g. from a case room) to become a forum post."""

    author: User | None
    body: str  # Markdown
    created_at: datetime


@transaction.atomic
def thread_import(
    *,
    actor: User,
    cohort: Cohort,
    title: str,
    tags: list[str],
    posts: list[ImportedPost],
) -> Thread:
    """Create a thread in the cohort's forum from existing messages (first post opens the thread), keeping authors and times; actor must be a moderator of the cohort; atomic."""  # noqa: E501
    from cpd.policies import can_moderate_cohort

    if not can_moderate_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    if not posts:
        raise ValidationError({"posts": _("There is nothing to import.")})
    title = (title or "").strip()[:160]
    if not title:
        raise ValidationError({"title": _("Give the thread a title.")})
    # Kept in the given order: the first item opens the thread (rooms pass them
    # oldest first); the thread's activity time is the newest message's.
    ordered = list(posts)
    forum = forum_for_cohort(cohort)
    first = ordered[0]
    thread = Thread.objects.create(
        forum=forum,
        title=title,
        author=first.author,
        created_at=first.created_at,
        last_post_at=max(p.created_at for p in ordered),
        reply_count=len(ordered) - 1,
    )
    thread.tags.set(_clean_tags(tags))
    for item in ordered:
        _post_new(
            thread=thread,
            author=item.author,
            body=_clean_body(item.body),
            created_at=item.created_at,
            # Room messages were already shared live; the mentor vouches by importing.
            confirmed=True,
            live=False,  # an archive: nobody is told again of old mentions
        )
    ModerationLog.objects.create(
        cohort=cohort, actor=actor, action=ModerationAction.IMPORT, thread=thread
    )
    return thread


def built_in_tags() -> tuple[str, ...]:
    """The tags offered as checkboxes on every new-thread form."""
    return BUILT_IN_TAGS
