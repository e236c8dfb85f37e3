"""Forums exist for every cohort: created lazily, idempotently, by this module."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from courses.models import Course
from cpd.models import Cohort
from forums.models import Forum


def forum_for_cohort(cohort: Cohort) -> Forum:
    """The cohort's default forum, created on first use (safe under races)."""
    forum = Forum.objects.filter(cohort=cohort, is_default=True).first()
    if forum is not None:
        return forum
    try:
        with transaction.atomic():
            return Forum.objects.create(
                cohort=cohort, is_default=True, title=_("General discussion")
            )
    except IntegrityError:
        return Forum.objects.get(cohort=cohort, is_default=True)


def forums_for_course(*, course: Course, cohorts: Iterable[Cohort]) -> list[Forum]:
    """The course's forum in each of these cohorts, created on first use.

    Each cohort discusses a course in its own forum, so nothing crosses cohorts.
    """
    wanted = {c.pk: c for c in cohorts}
    if not wanted:
        return []
    have = Forum.objects.filter(course=course, cohort_id__in=wanted).select_related(
        "cohort"
    )
    forums = list(have)
    if len(forums) == len(wanted):  # the usual read: one query, no write
        return forums
    Forum.objects.bulk_create(
        [
            Forum(cohort=c, course=course, title=course.title[:120], position=10)
            for pk, c in wanted.items()
            if pk not in {f.cohort_id for f in forums}
        ],
        ignore_conflicts=True,
    )
    return list(have.all())


def forums_ensure_for_cohorts(cohorts: Iterable[Cohort]) -> None:
    """Create the missing default forums of many cohorts in two queries."""
    ids = {c.pk for c in cohorts}
    if not ids:
        return
    have = set(
        Forum.objects.filter(cohort_id__in=ids, is_default=True).values_list(
            "cohort_id", flat=True
        )
    )
    missing = ids - have
    if missing:
        Forum.objects.bulk_create(
            [
                Forum(cohort_id=pk, is_default=True, title=_("General discussion"))
                for pk in sorted(missing)
            ],
            ignore_conflicts=True,
        )


def forum_create(*, cohort: Cohort, title: str, description: str = "") -> Forum:
    """An extra forum in a cohort (for example a case library), after the default."""
    forum_for_cohort(cohort)
    forum = Forum(cohort=cohort, title=title, description=description, position=1)
    forum.full_clean()
    forum.save()
    return forum
