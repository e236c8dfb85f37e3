"""Moderation by a cohort's mentors and administrators; every action is logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.limits import rate_limit_hit
from cpd.models import User
from forums import policies
from forums.models import (
    Forum,
    ModerationAction,
    ModerationLog,
    Post,
    Report,
    Thread,
)
from forums.services.revision import threads_changed
from forums.services.search import thread_reindex


def _require(actor: User, forum: Forum) -> None:
    if not policies.can_moderate_forum(actor, forum):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))


def _log(
    actor: User,
    forum: Forum,
    action: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
    reason: str = "",
) -> None:
    ModerationLog.objects.create(
        cohort_id=forum.cohort_id,
        actor=actor,
        action=action,
        thread=thread,
        post=post,
        reason=reason[:300],
    )


@transaction.atomic
def thread_pin(*, actor: User, thread: Thread, pinned: bool) -> Thread:
    """Pin a thread to the top of its forum, or unpin it."""
    _require(actor, thread.forum)
    if thread.is_pinned != pinned:
        thread.is_pinned = pinned
        thread.save(update_fields=["is_pinned"])
        action = ModerationAction.PIN if pinned else ModerationAction.UNPIN
        _log(actor, thread.forum, action, thread=thread)
    return thread


@transaction.atomic
def thread_lock(*, actor: User, thread: Thread, locked: bool) -> Thread:
    """Lock a thread (no more replies from members), or reopen it."""
    _require(actor, thread.forum)
    if thread.is_locked != locked:
        thread.is_locked = locked
        thread.save(update_fields=["is_locked"])
        action = ModerationAction.LOCK if locked else ModerationAction.UNLOCK
        _log(actor, thread.forum, action, thread=thread)
    return thread


@transaction.atomic
def thread_move(
    *, actor: User, thread: Thread, forum: Forum, reason: str = ""
) -> Thread:
    """Move a thread to another forum of the same cohort."""
    _require(actor, thread.forum)
    if forum.cohort_id != thread.forum.cohort_id:
        raise ValidationError({"forum": _("Threads move only within their cohort.")})
    if forum.pk != thread.forum_id:
        source = thread.forum
        thread.forum = forum
        thread.save(update_fields=["forum"])
        _log(actor, source, ModerationAction.MOVE, thread=thread, reason=reason)
        thread_reindex(thread.pk)
    return thread


@transaction.atomic
def post_hide(*, actor: User, post: Post, reason: str) -> Post:
    """Hide a post from members (its author still sees it), saying why."""
    _require(actor, post.thread.forum)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the post is hidden.")})
    post.hidden_at = timezone.now()
    post.hidden_by = actor
    post.hidden_reason = reason[:200]
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    threads_changed([post.thread_id])
    _log(actor, post.thread.forum, ModerationAction.HIDE, post=post, reason=reason)
    return post


@transaction.atomic
def post_unhide(*, actor: User, post: Post, reason: str = "") -> Post:
    """Show a hidden post again."""
    _require(actor, post.thread.forum)
    if post.hidden_at is not None:
        post.hidden_at = None
        post.hidden_by = None
        post.hidden_reason = ""
        post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        threads_changed([post.thread_id])
        _log(
            actor, post.thread.forum, ModerationAction.UNHIDE, post=post, reason=reason
        )
    return post


def report_create(*, actor: User, post: Post, reason: str) -> Report:
    """A member reports someone else's post to the moderators (rate-limited)."""
    if not policies.can_report_post(actor, post):
        raise PermissionDenied(_("You cannot report this post."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with the post.")})
    existing = Report.objects.filter(
        post=post, reporter=actor, resolved_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    rate_limit_hit(user_id=actor.pk, action="report")
    return Report.objects.create(post=post, reporter=actor, reason=reason[:300])


@transaction.atomic
def report_resolve(*, actor: User, report: Report, note: str = "") -> Report:
    """A moderator closes a report (after hiding the post or deciding it is fine)."""
    _require(actor, report.post.thread.forum)
    if report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.save(update_fields=["resolved_at", "resolved_by"])
        _log(
            actor,
            report.post.thread.forum,
            ModerationAction.RESOLVE,
            post=report.post,
            reason=note or report.reason,
        )
    return report
