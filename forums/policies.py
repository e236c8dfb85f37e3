"""Who may read, post in and moderate forums.

Members of a cohort (any role) and their organisation's administrators read and
post; mentors and administrators moderate; authors edit their own posts and
nobody edits another's (moderators hide instead, so authorship stays honest).
Anyone else sees nothing: objects outside the user's cohorts are 404.
"""

from __future__ import annotations

from django.db.models import Q

from cpd import policies as cpd_policies
from cpd.models import Cohort
from cpd.policies import (
    AnyUser,
    can_moderate_cohort,
    can_view_cohort,
    cohorts_moderated_by,
    cohorts_visible_to,
)
from forums.models import Forum, Post, Thread


def _visible_cohorts(user: AnyUser) -> Q:
    return Q(pk__in=Cohort.objects.filter(cohorts_visible_to(user)).values("pk"))


def moderated_cohorts(user: AnyUser) -> Q:
    """Cohorts (as a Cohort Q) where the user is a mentor or an administrator."""
    return cohorts_moderated_by(user)


def forums_visible_to(user: AnyUser) -> Q:
    """Forums of cohorts the user can see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(cohort__in=Cohort.objects.filter(cohorts_visible_to(user)).values("pk"))


def threads_visible_to(user: AnyUser) -> Q:
    """Threads (not deleted) in forums the user can see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    cohorts = Cohort.objects.filter(cohorts_visible_to(user)).values("pk")
    return Q(forum__cohort__in=cohorts, deleted_at__isnull=True)


def posts_visible_to(user: AnyUser) -> Q:
    """Posts in visible threads; hidden ones only to their author and moderators."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    cohorts = Cohort.objects.filter(cohorts_visible_to(user)).values("pk")
    moderated = Cohort.objects.filter(moderated_cohorts(user)).values("pk")
    return Q(
        thread__forum__cohort__in=cohorts,
        thread__deleted_at__isnull=True,
        deleted_at__isnull=True,
    ) & (
        Q(hidden_at__isnull=True)
        | Q(author=user)
        | Q(thread__forum__cohort__in=moderated)
    )


def can_view_forum(user: AnyUser, forum: Forum) -> bool:
    """Object form of ``forums_visible_to``."""
    return can_view_cohort(user, forum.cohort)


def can_post_in_forum(user: AnyUser, forum: Forum) -> bool:
    """Everyone who sees a forum may open threads in it."""
    return bool(user.is_authenticated) and can_view_cohort(user, forum.cohort)


def can_moderate_forum(user: AnyUser, forum: Forum) -> bool:
    """The cohort's mentors and administrators moderate its forums."""
    return can_moderate_cohort(user, forum.cohort)


def can_reply(user: AnyUser, thread: Thread) -> bool:
    """Members reply to open threads; moderators also to locked ones."""
    if not can_post_in_forum(user, thread.forum):
        return False
    return not thread.is_locked or can_moderate_forum(user, thread.forum)


def can_edit_post(user: AnyUser, post: Post) -> bool:
    """Only the author edits, while the post is visible and the thread open."""
    if not user.is_authenticated or post.author_id != user.pk:
        return False
    if post.is_hidden or not can_view_cohort(user, post.thread.forum.cohort):
        return False
    return can_reply(user, post.thread)


def can_view_hidden_post(user: AnyUser, post: Post) -> bool:
    """A hidden post's text is shown to its author and moderators only."""
    return bool(user.is_authenticated) and (
        post.author_id == user.pk or can_moderate_forum(user, post.thread.forum)
    )


def can_report_post(user: AnyUser, post: Post) -> bool:
    """Any member reports someone else's post."""
    return can_post_in_forum(user, post.thread.forum) and post.author_id != user.pk


def can_mark_helpful(user: AnyUser, post: Post) -> bool:
    """Members mark others' posts helpful."""
    return can_report_post(user, post)


def can_accept_answer(user: AnyUser, thread: Thread) -> bool:
    """A moderator or the thread's author marks the accepted answer."""
    if not can_view_cohort(user, thread.forum.cohort):
        return False
    return thread.author_id == user.pk or can_moderate_forum(user, thread.forum)


def can_follow_thread(user: AnyUser, thread: Thread) -> bool:
    """Anyone who reads a thread may follow it."""
    return bool(user.is_authenticated) and can_view_forum(user, thread.forum)


def can_delete_post(user: AnyUser, post: Post) -> bool:
    """Authors delete their own posts; moderators delete any in their cohort."""
    return can_edit_post(user, post) or (
        bool(user.is_authenticated) and can_moderate_forum(user, post.thread.forum)
    )


# --- The cohort report's social part ---------------------------------------------


def can_view_social_report(user: AnyUser, cohort: Cohort) -> bool:
    """The reply network's aggregates and reply times: as the cohort report.

    Mentors and administrators of the cohort (``cpd.policies``), so the two
    never disagree.
    """
    return cpd_policies.can_view_cohort_report(user, cohort)


def can_view_social_names(user: AnyUser, cohort: Cohort) -> bool:
    """Who replies to whom, by name (the drawing, the pairs): administrators only.

    As the report's per-learner rows; mentors see the aggregates only.
    """
    return cpd_policies.can_view_learner_rows(user, cohort)
