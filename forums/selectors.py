"""Reads for forums, threads, posts and moderation, always scoped by policy."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from cpd.models import Cohort, Role
from cpd.policies import AnyUser, cohorts_visible_to, roles_of
from forums import policies
from forums.models import (
    Follow,
    Forum,
    HelpfulMark,
    ModerationLog,
    Post,
    ReadState,
    Report,
    Tag,
    Thread,
)
from forums.services.forums import forums_ensure_for_cohorts
from forums.services.search import Hit, search_posts


def thread_url(thread: Thread) -> str:
    """Absolute path of the thread page."""
    return reverse("forums-thread", args=[thread.pk])


def _count_per_forum(threads: QuerySet[Thread]) -> Coalesce:
    """``COUNT(*)`` of ``threads`` correlated to the outer forum row, 0 if none.

    A correlated subquery per forum row, so the outer query has no GROUP BY. A
    ``Count("threads")`` join next to a subquery annotation makes Django group
    by the subquery too, and PostgreSQL then evaluates it once per thread row
    instead of once per forum (seconds for an administrator at scale).
    """
    return Coalesce(
        Subquery(
            threads.filter(forum=OuterRef("pk"))
            .order_by()
            .values("forum")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _read_by(user: AnyUser) -> Exists:
    """The user has read the (outer) thread since its last post."""
    return Exists(
        ReadState.objects.filter(
            thread=OuterRef("pk"),
            user_id=user.pk or 0,
            last_read_at__gte=OuterRef("last_post_at"),
        )
    )


def forum_list_for_user(user: AnyUser) -> QuerySet[Forum]:
    """Forums the user sees (default ones created if missing), with thread counts.

    ``thread_count`` and ``unread_count`` are correlated subqueries, each run
    once per forum row over the thread index; see ``_count_per_forum``.
    """
    lacking_default = (
        Cohort.objects.filter(cohorts_visible_to(user))
        .exclude(Exists(Forum.objects.filter(cohort=OuterRef("pk"), is_default=True)))
        .only("pk")
    )
    # One cheap query on the usual visit (nothing missing); creation is rare.
    forums_ensure_for_cohorts(list(lacking_default))
    live = Thread.objects.filter(deleted_at__isnull=True)
    return (
        Forum.objects.filter(policies.forums_visible_to(user))
        .select_related("cohort")
        .annotate(
            thread_count=_count_per_forum(live),
            unread_count=_count_per_forum(live.exclude(_read_by(user))),
        )
        .order_by("cohort__name", "position", "pk")
    )


def forum_get_for_user(user: AnyUser, forum_id: int) -> Forum:
    """One visible forum, or Http404 whether it is missing or forbidden."""
    forum = (
        Forum.objects.filter(policies.forums_visible_to(user), pk=forum_id)
        .select_related("cohort", "cohort__organisation")
        .first()
    )
    if forum is None:
        raise Http404("No such forum.")
    return forum


def thread_list(user: AnyUser, forum: Forum, *, tag: str = "") -> QuerySet[Thread]:
    """Threads of a forum, pinned first, newest activity next, with unread flags."""
    threads = (
        Thread.objects.filter(policies.threads_visible_to(user), forum=forum)
        .select_related("author")
        .prefetch_related("tags")
        .annotate(is_read=_read_by(user))
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )
    if tag:
        threads = threads.filter(tags__name=tag)
    return threads


def forum_tags(forum: Forum) -> QuerySet[Tag]:
    """Tags used in a forum, for the filter chips."""
    return Tag.objects.filter(threads__forum=forum).distinct().order_by("name")


def thread_get_for_user(user: AnyUser, thread_id: int) -> Thread:
    """One visible thread, or Http404 whether it is missing or forbidden.

    Annotated in the same query with what the thread page needs about the
    viewer and the posts: ``post_count`` (for the pager), ``followed_by_me``,
    ``is_read`` (read since the last post) and ``involved`` (the viewer wrote
    or marked a post here, so the page's post list is rendered for them alone).
    """
    uid = user.pk or 0
    thread = (
        Thread.objects.filter(policies.threads_visible_to(user), pk=thread_id)
        .select_related(
            "forum", "forum__cohort", "forum__cohort__organisation", "author"
        )
        .prefetch_related("tags")
        .annotate(
            post_count=_count_posts(),
            followed_by_me=Exists(
                Follow.objects.filter(thread=OuterRef("pk"), user_id=uid)
            ),
            is_read=_read_by(user),
            involved=Exists(_live_posts().filter(thread=OuterRef("pk"), author_id=uid))
            | Exists(
                HelpfulMark.objects.filter(post__thread=OuterRef("pk"), user_id=uid)
            ),
        )
        .first()
    )
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _live_posts() -> QuerySet[Post]:
    return Post.objects.filter(deleted_at__isnull=True)


def _count_posts() -> Coalesce:
    return Coalesce(
        Subquery(
            _live_posts()
            .filter(thread=OuterRef("pk"))
            .order_by()
            .values("thread")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def thread_posts(user: AnyUser, thread: Thread) -> QuerySet[Post]:
    """A thread's posts in order, with authors, images, marks and my mark."""
    return (
        _live_posts()
        .filter(thread=thread)
        .select_related("author", "hidden_by")
        .prefetch_related(Prefetch("images"))
        .annotate(
            helpful_count=Count("marks", distinct=True),
            marked_by_me=Exists(
                HelpfulMark.objects.filter(post=OuterRef("pk"), user_id=user.pk or 0)
            ),
        )
        .order_by("created_at", "pk")
    )


class _KnownCountPaginator(Paginator):
    """A paginator told its count (annotated on the thread) instead of asking."""

    def __init__(self, object_list: QuerySet[Post], per_page: int, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def thread_posts_page(
    user: AnyUser, thread: Thread, page: str | int | None, *, per_page: int
) -> Page[Post]:
    """One page of ``thread_posts``; "last" (or none) is the last page.

    With a thread from ``thread_get_for_user`` the pager takes the post count
    from the thread's annotation, so the page costs no ``COUNT(*)`` query.
    """
    posts = thread_posts(user, thread)
    known = getattr(thread, "post_count", None)
    paginator: Paginator[Post] = (
        _KnownCountPaginator(posts, per_page, known)
        if known is not None
        else Paginator(posts, per_page)
    )
    if page in (None, "", "last"):
        page = paginator.num_pages
    return paginator.get_page(page)


def post_get_for_user(user: AnyUser, post_id: int) -> Post:
    """One post in a visible thread (hidden ones too: the page shows a notice)."""
    post = (
        Post.objects.filter(
            thread__in=Thread.objects.filter(policies.threads_visible_to(user)),
            pk=post_id,
            deleted_at__isnull=True,
        )
        .select_related("thread", "thread__forum", "thread__forum__cohort", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def is_following(user: AnyUser, thread: Thread) -> bool:
    """Whether the user follows the thread."""
    if not user.is_authenticated:
        return False
    annotated = getattr(thread, "followed_by_me", None)  # thread_get_for_user's
    if annotated is not None:
        return bool(annotated)
    return Follow.objects.filter(thread=thread, user_id=user.pk).exists()


def thread_is_read(user: AnyUser, thread: Thread) -> bool:
    """Whether the user has read the thread since its last post."""
    if not user.is_authenticated:
        return False
    annotated = getattr(thread, "is_read", None)  # thread_get_for_user's
    if annotated is not None:
        return bool(annotated)
    return ReadState.objects.filter(
        thread=thread, user_id=user.pk, last_read_at__gte=thread.last_post_at
    ).exists()


def cohort_forums(forum: Forum) -> QuerySet[Forum]:
    """The forums of the same cohort (targets of a move)."""
    return Forum.objects.filter(cohort_id=forum.cohort_id).order_by("position", "pk")


def search(
    user: AnyUser, q: str, *, tag: str = "", forum_id: int | None = None
) -> list[Hit]:
    """Ranked matches among posts the user may see, with optional filters.

    The user's forums are read first (one small query) and passed as a list:
    the planner then sizes the search by the user's share of the posts, instead
    of guessing from the visibility subqueries that every post is visible.
    """
    # PostgreSQL refuses NUL in text; a query can never match one anyway.
    q, tag = (q or "").replace("\x00", ""), tag.replace("\x00", "")
    forum_ids = list(
        Forum.objects.filter(policies.forums_visible_to(user)).values_list(
            "pk", flat=True
        )
    )
    if not forum_ids or not q.strip():
        return []
    base = Post.objects.filter(
        policies.posts_visible_to(user), thread__forum_id__in=forum_ids
    ).select_related("thread", "thread__forum", "thread__forum__cohort", "author")
    if tag:
        base = base.filter(thread__tags__name=tag)
    if forum_id is not None:
        base = base.filter(thread__forum_id=forum_id)
    return search_posts(base, q)


def reports_open_for(user: AnyUser) -> QuerySet[Report]:
    """Unresolved reports in cohorts the user moderates."""
    moderated = Cohort.objects.filter(policies.moderated_cohorts(user)).values("pk")
    return (
        Report.objects.filter(
            resolved_at__isnull=True, post__thread__forum__cohort__in=moderated
        )
        .select_related("post", "post__author", "post__thread", "reporter")
        .order_by("-created_at")
    )


def report_get_for_moderator(user: AnyUser, report_id: int) -> Report:
    """One report in a cohort the user moderates, or Http404."""
    moderated = Cohort.objects.filter(policies.moderated_cohorts(user)).values("pk")
    report = (
        Report.objects.filter(pk=report_id, post__thread__forum__cohort__in=moderated)
        .select_related("post", "post__thread", "post__thread__forum")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


def moderation_log_for(user: AnyUser, *, limit: int = 50) -> QuerySet[ModerationLog]:
    """Recent moderation actions in cohorts the user moderates."""
    moderated = Cohort.objects.filter(policies.moderated_cohorts(user)).values("pk")
    return (
        ModerationLog.objects.filter(cohort__in=moderated)
        .select_related("actor", "thread", "post", "cohort")
        .order_by("-created_at")[:limit]
    )


def moderates_any(user: AnyUser) -> bool:
    """Whether the user moderates any cohort (shows the queue link)."""
    roles = roles_of(user)
    return (
        roles.superuser
        or bool(roles.admin_org_ids)
        or Role.MENTOR in roles.by_cohort.values()
    )
