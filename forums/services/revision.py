"""The thread revision: the version of a thread's rendered post list.

A thread page caches the HTML of its posts under the thread's ``revision``
(with the language, time zone, data-saver setting and the reader's controls).
Every write that changes what a post shows calls ``threads_changed`` in the
same transaction, so the next reader meets a new key and renders afresh; an old
entry is never read again and expires on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet

from forums.models import Thread


def threads_changed(threads: Iterable[int] | QuerySet[Thread]) -> int:
    """Bump the revision of these threads (ids or a queryset); returns how many."""
    target = (
        threads
        if isinstance(threads, QuerySet)
        else Thread.objects.filter(pk__in=list(threads))
    )
    return target.order_by().update(revision=F("revision") + 1)
