"""Lesson visits, time spent and completion.

Reading time arrives as heartbeats (one a minute per open lesson). They are
folded in the cache: the first beat of a window writes the row, later beats in
the window only add to a cached counter, and the next beat past the window (or
a page visit, or completion) writes the counter to the row. So a reader costs
one ``UPDATE`` per lesson and window (``COURSES_HEARTBEAT_FLUSH_SECONDS``)
instead of one a minute, and a folded beat costs no query at all. If the cache
dies, what it held is lost: at most one window of one reader's beats per lesson.
If the cache is unreachable, each beat is written directly (nothing to fold in).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import drip, policies
from courses.models import Lesson, LessonProgress
from courses.selectors import lesson_get_for_user
from courses.services.certificates import certificate_issue_if_complete
from cpd.models import User, Verb
from cpd.record import record

logger = logging.getLogger(__name__)

# One heartbeat may add at most this much reading time: a phone left open on a
# lesson overnight does not count as study.
MAX_SECONDS_PER_BEAT = 120
# Folded seconds wait this long in the cache for the reader's next beat, visit
# or completion of the lesson; a reader who never comes back loses them.
PENDING_TTL = 7 * 24 * 3600
# After a cache error, beats skip the cache for this long (per process and cache
# connection): an outage costs one failed connection per pause, not several per
# beat, and is logged once per pause.
CACHE_PAUSE_SECONDS = 10.0
_PAUSED_UNTIL = "_courses_beats_paused_until"


class LessonClosed(PermissionDenied):
    """The lesson's module has not opened for this learner yet (drip)."""

    def __init__(self, opens_on: dt.date) -> None:
        super().__init__(
            _("This lesson opens on %(day)s.") % {"day": date_format(opens_on)}
        )
        self.opens_on = opens_on


def _lesson_opens_on(user: User, lesson: Lesson) -> dt.date | None:
    """The day the lesson's module opens for this learner if still closed, else None.

    One query: ``drip.lesson_opens_on`` reads every module of the course, but
    the lesson already carries its module (selected with it).
    """
    start = drip.course_opens_on(user, lesson.module.course)
    if start is None:
        return None
    day = start + dt.timedelta(days=lesson.module.opens_after_days)
    return day if day > timezone.localdate() else None


def _check_open(user: User, lesson: Lesson) -> None:
    if not policies.can_view_course(user, lesson.module.course):
        raise PermissionDenied(_("This lesson is not in your courses."))
    opens_on = _lesson_opens_on(user, lesson)
    if opens_on is not None:
        raise LessonClosed(opens_on)


def _clamp(seconds: int) -> int:
    return max(0, min(int(seconds), MAX_SECONDS_PER_BEAT))


def _window() -> int:
    return int(settings.COURSES_HEARTBEAT_FLUSH_SECONDS)


def _keys(user_id: int, lesson_id: int) -> tuple[str, str]:
    """The flush mark (present while the window runs) and the folded seconds."""
    base = f"courses:beat:{user_id}:{lesson_id}"
    return f"{base}:mark", f"{base}:pending"


def _cache() -> BaseCache | None:
    """The cache for folding, or None while it is paused after an error."""
    backend = caches["counters"]
    if getattr(backend, _PAUSED_UNTIL, 0.0) > time.monotonic():
        return None
    return backend


def _cache_failed(backend: BaseCache, error: Exception) -> None:
    setattr(backend, _PAUSED_UNTIL, time.monotonic() + CACHE_PAUSE_SECONDS)
    logger.warning(
        "heartbeat cache unavailable, beats write directly for %ss: %r",
        CACHE_PAUSE_SECONDS,
        error,
    )


def _take_pending(user_id: int, lesson_id: int) -> tuple[int, Callable[[int], None]]:
    """Folded seconds not yet written, and a callback to call once they are.

    The callback subtracts what was taken (beats folded meanwhile stay) and
    opens a new window whose mark holds the written total. Neither raises: a
    cache that is down has nothing to give and nothing to forget.
    """
    mark_key, pending_key = _keys(user_id, lesson_id)
    cache = _cache()
    if cache is None:
        return 0, lambda _total: None
    try:
        taken = int(cache.get(pending_key) or 0)
    except Exception as error:
        _cache_failed(cache, error)
        return 0, lambda _total: None

    def written(total: int) -> None:
        try:
            cache.set(mark_key, total, timeout=_window())
            if taken:
                cache.decr(pending_key, taken)
        except Exception as error:
            _cache_failed(cache, error)

    return taken, written


def _fold(user_id: int, lesson_id: int, seconds: int) -> int | None:
    """Add a beat to the cached counter while a window runs.

    Returns the learner's seconds on the lesson (written plus folded), or None
    when the beat must be written: no window runs (first beat, window over) or
    the cache is down. Claiming the window with ``add`` makes one of several
    concurrent beats the writer.
    """
    mark_key, pending_key = _keys(user_id, lesson_id)
    cache = _cache()
    if cache is None:
        return None
    try:
        if cache.add(mark_key, -1, timeout=_window()):
            return None  # this beat opens the window and writes
        written = cache.get(mark_key)
        try:
            pending = cache.incr(pending_key, seconds)
        except ValueError:  # no counter yet
            if not cache.add(pending_key, seconds, timeout=PENDING_TTL):
                pending = cache.incr(pending_key, seconds)
            else:
                pending = seconds
    except Exception as error:
        _cache_failed(cache, error)
        return None
    return max(int(written or 0), 0) + int(pending)


def _forget_window(user_id: int, lesson_id: int) -> None:
    cache = _cache()
    if cache is None:
        return
    try:
        cache.delete(_keys(user_id, lesson_id)[0])
    except Exception as error:
        _cache_failed(cache, error)


def _write(
    *,
    user: User,
    lesson: Lesson,
    seconds: int,
    seen_now: bool,
    completed: bool = False,
) -> LessonProgress:
    """Add reading time to the learner's row (created on first use); one UPDATE.

    Only non-indexed columns change. ``last_seen_at`` moves on page visits and,
    for beats, at most once per window, so an outage (every beat written) keeps
    the same rate of change as folding.
    """
    now = timezone.now()
    rows = LessonProgress.objects.filter(user=user, lesson=lesson)
    changes: dict[str, Any] = {"seconds_spent": F("seconds_spent") + seconds}
    if seen_now:
        changes["last_seen_at"] = now
    else:
        stale = now - dt.timedelta(seconds=_window())
        changes["last_seen_at"] = Case(
            When(last_seen_at__lt=stale, then=Value(now)),
            default=F("last_seen_at"),
        )
    if completed:
        changes["completed_at"] = Case(
            When(completed_at__isnull=True, then=Value(now)),
            default=F("completed_at"),
        )
    if seconds > 0:
        # One statement per write: beats are folded first, so at most one
        # "read" row per learner, lesson and flush window.
        record(
            actor=user,
            verb=Verb.READ,
            object_type="lesson",
            object_id=lesson.pk,
            course_id=lesson.module.course_id,
            duration_seconds=seconds,
        )
    if rows.update(**changes):
        return rows.get()
    progress, created = LessonProgress.objects.get_or_create(
        user=user,
        lesson=lesson,
        defaults={
            "first_opened_at": now,
            "last_seen_at": now,
            "seconds_spent": seconds,
            "completed_at": now if completed else None,
        },
    )
    if created:
        return progress
    # Created by a concurrent request between our UPDATE and INSERT.
    return _write(
        user=user,
        lesson=lesson,
        seconds=seconds,
        seen_now=seen_now,
        completed=completed,
    )


def lesson_visit(*, user: User, lesson: Lesson, seconds: int = 0) -> LessonProgress:
    """Record an open of the lesson, plus reading time (and folded beats) on it."""
    _check_open(user, lesson)
    pending, written = _take_pending(user.pk, lesson.pk)
    progress = _write(
        user=user, lesson=lesson, seconds=_clamp(seconds) + pending, seen_now=True
    )
    written(progress.seconds_spent)
    record(
        actor=user,
        verb=Verb.OPENED,
        object_type="lesson",
        object_id=lesson.pk,
        course_id=lesson.module.course_id,
    )
    return progress


def lesson_beat(*, user: User, lesson_id: int, seconds: int) -> int:
    """Add a heartbeat's reading time; returns the learner's seconds on the lesson.

    Inside a window the beat is folded in the cache: no query, and no check of
    access either, since the beat that opened the window made it (a learner who
    loses access keeps folding until the window ends, and the folded seconds
    are then refused with the beat). Raises Http404 for a lesson the user may
    not see and ``LessonClosed`` for one not yet open.
    """
    seconds = _clamp(seconds)
    folded = _fold(user.pk, lesson_id, seconds)
    if folded is not None:
        return folded
    try:
        lesson = lesson_get_for_user(user, lesson_id)
        opens_on = _lesson_opens_on(user, lesson)
        if opens_on is not None:
            raise LessonClosed(opens_on)
    except Exception:
        _forget_window(user.pk, lesson_id)
        raise
    pending, written = _take_pending(user.pk, lesson_id)
    progress = _write(
        user=user, lesson=lesson, seconds=seconds + pending, seen_now=False
    )
    written(progress.seconds_spent)
    return progress.seconds_spent


def lesson_complete(*, user: User, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done (once), writing its folded reading time, and issue the
    course certificate if the course is now complete."""
    _check_open(user, lesson)
    pending, written = _take_pending(user.pk, lesson.pk)
    progress = _write(
        user=user, lesson=lesson, seconds=pending, seen_now=True, completed=True
    )
    written(progress.seconds_spent)
    record(
        actor=user,
        verb=Verb.COMPLETED,
        object_type="lesson",
        object_id=lesson.pk,
        course_id=lesson.module.course_id,
        client_key=f"lesson:{lesson.pk}",
    )
    certificate_issue_if_complete(user=user, course=lesson.module.course)
    return progress
