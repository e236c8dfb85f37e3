"""Reads for one learner's report: figures, weeks and timeline from the record.

Like ``cpd.reports``, the statements counted are the learner's in the cohort
(forums, rooms, sessions, mentoring) or on courses (lessons and quizzes carry
the course, not a cohort). Everything is aggregated in the database: the
figures are one query, the weeks one, a page of the timeline one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cpd.models import SOCIAL_VERBS, Activity, Cohort, Membership, Role, User, Verb
from cpd.policies import AnyUser, learner_reports_visible_to
from cpd.reports import WEEKS, in_cohort, week_bars, week_list

# Statements per page of the timeline (newest first).
TIMELINE_PAGE = 25
# The CSV of the timeline stops here: a year of daily use is far below it.
TIMELINE_CSV_MAX = 10_000

# An app's part of the report as plain figures, for the API:
# (cohort, learner id) -> JSON-ready dict. Registered in AppConfig.ready().
LearnerPart = Callable[[Cohort, int], dict[str, Any]]
_parts: dict[str, LearnerPart] = {}


def learner_part_register(name: str, fn: LearnerPart) -> None:
    """Register an app's figures for the learner report's API (name: its key)."""
    _parts[name] = fn


def learner_parts(cohort: Cohort, learner_id: int) -> dict[str, dict[str, Any]]:
    """Every registered app's figures for this learner, by part name."""
    return {name: fn(cohort, learner_id) for name, fn in sorted(_parts.items())}


@dataclass
class LearnerReport:
    cohort: Cohort
    learner: User
    weeks: list[tuple[dt.date, int]]  # (week starting, days active that week)
    enough_data: bool = False
    days_active: int = 0
    sessions: int = 0
    minutes: int = 0
    lessons_opened: int = 0
    lessons_completed: int = 0
    quizzes: int = 0
    attended: int = 0
    threads: int = 0
    replies: int = 0
    helpful: int = 0
    accepted: int = 0
    room_messages: int = 0
    mentor_messages: int = 0
    checkins: int = 0
    social: int = 0
    last_active: dt.datetime | None = None
    chart: list[dict[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    timestamp: dt.datetime
    verb: str
    text: str
    detail: str


def learner_get_for_report(user: AnyUser, cohort: Cohort, learner_id: int) -> User:
    """The cohort's learner ``learner_id``, or Http404 if they are not one.

    The caller has already fetched the cohort through ``cohort_get_for_user``
    and checks ``can_view_learner_report`` for 403 after this.
    """
    # ``user__pk``, not ``user_id``: a lookup on the user's own key matches
    # nothing for an id past the database's integer range, where one on the
    # foreign key column raises (OverflowError, DataError: a 500).
    membership = (
        Membership.objects.filter(cohort=cohort, role=Role.LEARNER, user__pk=learner_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such learner in this cohort.")
    return membership.user


def learner_reports_for(user: AnyUser, cohort: Cohort) -> QuerySet[Membership]:
    """The cohort's learners whose report the user may read, by name."""
    return (
        Membership.objects.filter(learner_reports_visible_to(user, cohort))
        .select_related("user")
        .order_by("user__display_name", "user_id")
    )


def _statements(cohort: Cohort, learner_id: int) -> QuerySet[Activity]:
    return Activity.objects.filter(actor_id=learner_id).filter(in_cohort(cohort))


def _count(verb: str) -> Count:
    return Count("id", filter=Q(verb=verb))


def learner_report(
    cohort: Cohort,
    learner: User,
    *,
    weeks: int = WEEKS,
    now: dt.datetime | None = None,
) -> LearnerReport:
    """The learner's figures over the last ``weeks`` weeks (two queries)."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    statements = _statements(cohort, learner.pk).filter(timestamp__gte=since)
    agg = statements.aggregate(
        days=Count(TruncDate("timestamp"), distinct=True),
        sessions=Count("session_key", distinct=True, filter=Q(verb=Verb.SIGNED_IN)),
        seconds=Sum("duration_seconds"),
        opened=_count(Verb.OPENED),
        completed=_count(Verb.COMPLETED),
        quizzes=_count(Verb.ANSWERED),
        attended=_count(Verb.ATTENDED),
        threads=_count(Verb.POSTED),
        replies=_count(Verb.REPLIED),
        helpful=_count(Verb.HELPFUL),
        accepted=_count(Verb.ACCEPTED),
        room=_count(Verb.ROOM_MESSAGE),
        mentor=_count(Verb.MENTOR_MESSAGE),
        checkins=_count(Verb.CHECKED_IN),
        social=Count("id", filter=Q(verb__in=SOCIAL_VERBS)),
        last=Max("timestamp"),
    )
    days_per_week = week_list(
        statements.annotate(week=TruncWeek("timestamp"))
        .values("week")
        .annotate(n=Count(TruncDate("timestamp"), distinct=True))
        .order_by()
        .values_list("week", "n"),
        since,
        weeks,
    )
    report = LearnerReport(
        cohort=cohort,
        learner=learner,
        weeks=days_per_week,
        enough_data=bool(agg["days"]),
        days_active=agg["days"],
        sessions=agg["sessions"],
        minutes=(agg["seconds"] or 0) // 60,
        lessons_opened=agg["opened"],
        lessons_completed=agg["completed"],
        quizzes=agg["quizzes"],
        attended=agg["attended"],
        threads=agg["threads"],
        replies=agg["replies"],
        helpful=agg["helpful"],
        accepted=agg["accepted"],
        room_messages=agg["room"],
        mentor_messages=agg["mentor"],
        checkins=agg["checkins"],
        social=agg["social"],
        last_active=agg["last"],
    )
    # Days active per week, 0-7: bars on a fixed scale, so weeks compare.
    report.chart = week_bars(days_per_week, 7)
    return report


def _verb_text(verb: str) -> str:
    try:
        return str(capfirst(Verb(verb).label))
    except ValueError:
        return verb


def _detail(row: dict[str, Any]) -> str:
    parts = []
    if row["object_type"] == "quiz-pre":
        parts.append(_("pre-test"))
    elif row["object_type"] == "quiz-post":
        parts.append(_("post-test"))
    if row["score"] is not None:
        parts.append(f"{row['score']:.0f}%")
    seconds = row["duration_seconds"] or 0
    if seconds >= 60:
        parts.append(_("%(n)s min") % {"n": seconds // 60})
    return ", ".join(parts)


_TIMELINE_FIELDS = (
    "id",
    "verb",
    "object_type",
    "score",
    "duration_seconds",
    "timestamp",
)


def _entry(row: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        timestamp=row["timestamp"],
        verb=row["verb"],
        text=_verb_text(row["verb"]),
        detail=_detail(row),
    )


def learner_timeline(
    cohort: Cohort, learner_id: int, *, page: int = 1
) -> tuple[list[TimelineEntry], bool]:
    """A page of the learner's statements, newest first, and whether more follow.

    One query: a page and one row more, so no count is needed.
    """
    start = (page - 1) * TIMELINE_PAGE
    rows = list(
        _statements(cohort, learner_id)
        .order_by("-timestamp", "-id")
        .values(*_TIMELINE_FIELDS)[start : start + TIMELINE_PAGE + 1]
    )
    return [_entry(r) for r in rows[:TIMELINE_PAGE]], len(rows) > TIMELINE_PAGE


def learner_timeline_all(cohort: Cohort, learner_id: int) -> Iterator[TimelineEntry]:
    """The learner's statements newest first, streamed (for the CSV)."""
    rows = (
        _statements(cohort, learner_id)
        .order_by("-timestamp", "-id")
        .values(*_TIMELINE_FIELDS)[:TIMELINE_CSV_MAX]
    )
    for row in rows.iterator(chunk_size=1000):
        yield _entry(row)
