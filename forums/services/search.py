"""Full-text search of forum posts: PostgreSQL ranked search, SQLite fallback.

On PostgreSQL every post stores a ``tsvector`` (thread title weighted A, body
B) in ``Post.search_vector``, GIN-indexed, refreshed by ``post_index`` whenever
the post or its title changes. Queries use ``websearch`` syntax (quotes, OR,
-word) and come back ranked with highlighted snippets. Matches are scoped to the
viewer first and only the newest ``FORUMS_SEARCH_MAX_RANKED`` (default 2,000)
are ranked, so a common word costs no more than a rare one. SQLite (embedded demo)
has no full-text engine here, so it falls back to a case-insensitive match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from forums.models import Post

SEARCH_CONFIG = "english"
# Ranked rows per search at most (the newest scoped matches); see search_posts.
DEFAULT_MAX_RANKED = 2000
# Sentinels Postgres puts around matches; replaced after HTML-escaping the text.
_START, _STOP = "\x02", "\x03"


def on_postgres() -> bool:
    """True when the default database can do full-text search."""
    return connection.vendor == "postgresql"


def post_index(post: Post) -> None:
    """Refresh the post's stored search vector (PostgreSQL only; a no-op else)."""
    if not on_postgres():
        return
    Post.objects.filter(pk=post.pk).update(
        search_vector=SearchVector(
            Value(post.thread.title), weight="A", config=SEARCH_CONFIG
        )
        + SearchVector("body", weight="B", config=SEARCH_CONFIG)
    )


def thread_reindex(thread_id: int) -> None:
    """Refresh the vectors of all posts of a thread (after its title changes)."""
    for post in Post.objects.select_related("thread").filter(thread_id=thread_id):
        post_index(post)


@dataclass(frozen=True)
class Hit:
    """One search result: the post, its thread and a safe highlighted snippet."""

    post: Post
    snippet: SafeString
    rank: float


def _snippet(text: str) -> SafeString:
    safe = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only <mark> added


def _fallback_snippet(body: str, q: str) -> SafeString:
    at = body.lower().find(q.lower())
    start = max(at - 60, 0) if at >= 0 else 0
    piece = body[start : start + 180]
    if at >= 0:
        rel = at - start
        piece = (
            piece[:rel]
            + _START
            + piece[rel : rel + len(q)]
            + _STOP
            + piece[rel + len(q) :]
        )
    return _snippet(("…" if start else "") + piece)


def _related(base: QuerySet[Post]) -> list[str]:
    """The ``select_related`` paths of ``base`` (nested dict) as lookups."""

    def walk(tree: dict[str, Any], prefix: str) -> list[str]:
        paths = []
        for name, sub in tree.items():
            paths.append(prefix + name)
            paths.extend(walk(sub, f"{prefix}{name}__"))
        return paths

    related = base.query.select_related
    return walk(related, "") if isinstance(related, dict) else []


def max_ranked() -> int:
    """How many of the newest matching visible posts are ranked (a setting)."""
    return int(getattr(settings, "FORUMS_SEARCH_MAX_RANKED", DEFAULT_MAX_RANKED))


def search_posts(base: QuerySet[Post], q: str, *, limit: int = 50) -> list[Hit]:
    """Best matches for ``q`` among ``base`` (already scoped to the viewer).

    On PostgreSQL the scoped matches are capped first: only the newest
    ``FORUMS_SEARCH_MAX_RANKED`` of them are ranked and given headlines, so a
    word found in half the platform's posts costs the same as a rare one.
    """
    q = (q or "").strip()[:200]
    if not q:
        return []
    if on_postgres():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        # Step 1: the scoped matches, newest first, capped. ``base`` carries the
        # viewer's scope, so nobody else's posts are ever counted against the cap.
        candidates = (
            base.filter(search_vector=query)
            .order_by("-created_at", "-pk")
            .values("pk")[: max_ranked()]
        )
        # Step 2: rank only those, by primary key (``base``'s joins and scope
        # subqueries are not repeated: the planner would size them by the table).
        rows = (
            Post.objects.filter(pk__in=candidates)
            .select_related(*_related(base))
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    "body",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=30,
                    min_words=12,
                ),
            )
            .order_by("-rank", "-created_at", "-pk")[:limit]
        )
        return [Hit(post=p, snippet=_snippet(p.headline), rank=p.rank) for p in rows]
    plain = base.filter(Q(body__icontains=q) | Q(thread__title__icontains=q))
    return [
        Hit(post=p, snippet=_fallback_snippet(p.body, q), rank=0.0)
        for p in plain.order_by("-created_at", "-pk")[:limit]
    ]
