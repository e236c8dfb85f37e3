"""A short-lived cache of a cohort report's costly parts.

Kept: the per-learner row over the record and the best test scores
(``cpd.reports``), the reply network (``forums.report``), mentor contact
(``mentoring.report``) and the engagement ranks (``courses.report_scatter``).

The cohort report reads every statement of its learners over eight weeks, and
the reply network every post of the cohort's forum: about 200 ms and 80 ms at
5,000 learners, each time the page, its API or its CSV is asked for. The parts
are kept for ``REPORT_CACHE_SECONDS`` (0: never kept) under a per-cohort
version. What changes who or what a report covers forgets the cohort's parts at
once (``report_cache_forget``, on commit): a member added, removed or given
another role, a person erased, the cohort's courses changed. New statements and
posts are not waited for: they show at the next refresh, so the figures are at
most ``REPORT_CACHE_SECONDS`` old, and the page says when they were counted.

Only numbers and the names of the network's drawn people are kept (never
demographics: the groups are made from live rows on each request, so a
consent withdrawn counts at once). The cache answers a miss while Redis is
away, and the report is then computed as without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def _version_key(cohort_id: int) -> str:
    return f"cpd:report-version:{cohort_id}"


def report_cached(cohort_id: int, part: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value kept from an earlier request (cache reads only)."""
    seconds = getattr(settings, "REPORT_CACHE_SECONDS", 0)
    if seconds <= 0:
        return compute()
    version = cache.get(_version_key(cohort_id), "0")
    key = f"cpd:report:{part}:{cohort_id}:{version}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    value = compute()
    cache.set(key, value, seconds)
    return value


def report_cache_forget(cohort_ids: Iterable[int]) -> None:
    """Drop the cohorts' kept parts once the current transaction commits.

    A new version, not a delete: every part of the cohort goes at once, and a
    request that counted before the commit cannot keep its figures under the
    new version.
    """
    ids = sorted(set(cohort_ids))
    if not ids:
        return

    def forget() -> None:
        version = str(time.time_ns())
        cache.set_many({_version_key(cid): version for cid in ids}, None)

    transaction.on_commit(forget)
